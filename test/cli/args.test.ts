import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../client/engine/errors';
import { parsePropagateArgs } from '../../client/engine/cli/args';
import { describeProgress, formatDuration, HumanSink, progressBar } from '../../client/engine/cli/progress';

const cwd = '/work/shot';
const base = ['--frames', 'frames', '--anchor', '0=edit.png', '--out', 'out'];

function refusal(argv: string[]): string {
  try {
    parsePropagateArgs(argv, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message.endsWith('; see anchorflow propagate --help.')).toBe(true);
    return message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('parsePropagateArgs', () => {
  it('builds the request with absolute paths and every option', () => {
    const { request, json } = parsePropagateArgs(
      [...base, '--anchor', '30=b=c.png', '--mask', '0=m.png', '--encode', 'c.mov', '--layer', '--device', 'cpu',
        '--range', '3:9', '--fps', '23.976', '--json'],
      cwd,
    );
    expect(json).toBe(true);
    expect(request).toEqual({
      frames: path.resolve(cwd, 'frames'),
      anchors: [{ index: 0, image: path.resolve(cwd, 'edit.png') }, { index: 30, image: path.resolve(cwd, 'b=c.png') }],
      masks: [{ index: 0, image: path.resolve(cwd, 'm.png') }],
      out: path.resolve(cwd, 'out'),
      encode: path.resolve(cwd, 'c.mov'),
      layer: true,
      device: 'cpu',
      range: [3, 9],
      fps: 23.976,
    });
  });

  it('refuses malformed i=path, unknown options and missing values', () => {
    expect(refusal([...base, '--anchor', 'edit.png'])).toMatch(/^--anchor edit\.png is not <i>=<image>/);
    expect(refusal([...base, '--anchor', '-1=edit.png'])).toMatch(/^--anchor -1=edit\.png is not <i>=<image>/);
    expect(refusal([...base, '--mask', '3='])).toMatch(/^--mask 3= is not <i>=<image>/);
    expect(refusal([...base, '--bogus'])).toBe('Unknown option --bogus; see anchorflow propagate --help.');
    expect(refusal(['--frames', 'f', '--out', 'o'])).toMatch(/^Missing --anchor/);
    expect(refusal(['--anchor', '0=a.png', '--out', 'o'])).toMatch(/^Missing --frames/);
    expect(refusal(['--frames', 'f', '--anchor', '0=a.png'])).toMatch(/^Missing --out/);
    expect(refusal([...base, '--out'])).toBe('--out needs a value; see anchorflow propagate --help.');
    expect(refusal([...base, 'stray'])).toMatch(/^Unexpected argument stray/);
    expect(refusal([...base, '--device', 'tpu'])).toMatch(/^--device tpu is not one of auto\|cpu/);
    expect(refusal([...base, '--range', '5'])).toMatch(/^--range 5 is not first:last/);
    expect(refusal([...base, '--fps', 'fast'])).toMatch(/^--fps fast is not a positive number/);
  });

  it('answers --help before checking anything else', () => {
    expect(parsePropagateArgs(['--help']).help).toBe(true);
  });
});

describe('progress output', () => {
  it('formats ETA and bars', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(progressBar(0.5, 10)).toBe('[#####-----]');
    expect(describeProgress({ event: 'progress', stage: 'propagate', done: 3, total: 12, etaSeconds: 9 }, 9, null)).toBe(
      'propagate 3/12 25% ETA 0:09',
    );
  });

  it('redraws one line on a TTY and prints throttled plain lines otherwise', () => {
    const written: string[] = [];
    let now = 0;
    const stream = (tty: boolean) =>
      Object.assign({ write: (s: string) => (written.push(s), true) }, { isTTY: tty, columns: 100 }) as unknown as NodeJS.WritableStream;
    const tty = new HumanSink(stream(true) as never, () => now);
    tty.emit({ event: 'progress', stage: 'propagate', done: 1, total: 4, etaSeconds: null });
    tty.emit({ event: 'warning', message: 'careful' });
    expect(written[0]).toMatch(/^\r.*\[.*\] 1\/4 25% ETA --:--\x1b\[K$/);
    expect(written.slice(1)).toEqual(['\n', 'warning: careful\n']);

    written.length = 0;
    const plain = new HumanSink(stream(false) as never, () => now);
    for (let done = 1; done <= 4; done++) {
      now += 100; // 10 events a second: only the first, a stage change and the last get a line
      plain.emit({ event: 'progress', stage: 'propagate', done, total: 4, etaSeconds: null });
    }
    expect(written).toEqual(['propagate 1/4 25% ETA --:--\n', 'propagate 4/4 100% ETA 0:00\n']);
  });
});
