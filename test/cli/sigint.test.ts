/**
 * Ctrl-C: the first SIGINT cancels cleanly (exit 1, one line); a second one does not kill the engine mid-frame (that
 * would abort the process inside onnxruntime) and the run still ends with exit 1; either way every file at a
 * final name in --out is a previous result or a complete new frame, never a half-written one.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { removeStaleTemps } from '../../client/engine/io/atomic';
import { checksums, tempDir } from '../io/fixtures';
import { collect, ourLines, startCli, writeSampleClip, type Clip } from './helpers';

const FRAMES = 48;
let root: string;
let clip: Clip;

beforeAll(async () => {
  root = tempDir('cli-sigint');
  clip = await writeSampleClip(path.join(root, 'input'), FRAMES);
});

/** An --out folder holding a "previous run": one PNG per frame. */
function previousResults(name: string): { out: string; before: Record<string, string> } {
  const out = path.join(root, name);
  mkdirSync(out);
  for (const n of clip.names) copyFileSync(path.join(clip.frames, `${n}.png`), path.join(out, `${n}.png`));
  return { out, before: checksums(out) };
}

async function expectIntact(out: string, before: Record<string, string>): Promise<void> {
  const finals = readdirSync(out).filter((n) => !n.startsWith('.'));
  expect(finals.sort()).toEqual(Object.keys(before).sort());
  const after = checksums(out);
  for (const name of finals) {
    if (after[name] === before[name]) continue; // untouched previous result
    const { width, height } = await sharp(path.join(out, name)).metadata(); // a replaced frame must decode fully
    await sharp(path.join(out, name)).raw().toBuffer();
    expect([width, height]).toEqual([clip.width, clip.height]);
  }
}

function startRun(out: string) {
  const child = startCli([
    'propagate', '--frames', clip.frames, '--anchor', `${clip.anchorIndex}=${clip.anchor}`, '--out', out, '--json',
  ]);
  child.stdin?.end();
  const done = collect(child);
  const started = new Promise<void>((resolve) => {
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        const event = JSON.parse(line) as { event: string; done?: number };
        if (event.event === 'progress' && (event.done ?? 0) >= 2) resolve();
      }
    });
  });
  return { child, done, started };
}

describe('Ctrl-C', () => {
  it('cancels cleanly with exit 1 and leaves earlier results intact', async () => {
    const { out, before } = previousResults('out-cancel');
    const { child, done, started } = startRun(out);
    await started;
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(1);
    const lines = ourLines(run.stderr);
    expect(lines.at(-1)).toBe('anchorflow: Cancelled; earlier results were left untouched.');
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    expect(last).toMatchObject({ event: 'error', code: 'cancelled' });
    await expectIntact(out, before);
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]); // no temp or staging left behind
  });

  it('a reader that closes the --json output (`| head`) cancels the run cleanly instead of crashing it', async () => {
    const { out, before } = previousResults('out-epipe');
    const { child, done, started } = startRun(out);
    await started;
    child.stdout?.destroy(); // the next event the engine writes meets a closed pipe (EPIPE)
    const run = await done;
    expect(run.code).toBe(1);
    const lines = ourLines(run.stderr);
    expect(lines).toContain('anchorflow: standard output was closed (EPIPE); cancelling.');
    expect(lines.at(-1)).toBe('anchorflow: Cancelled; earlier results were left untouched.');
    expect(run.stderr).not.toMatch(/Unhandled|EPIPE\n\s+at /);
    await expectIntact(out, before);
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a second Ctrl-C still ends with exit 1 (not killed by the signal), without half-written frames', async () => {
    const { out, before } = previousResults('out-quit');
    const { child, done, started } = startRun(out);
    await started;
    child.kill('SIGINT');
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(1);
    await expectIntact(out, before);
    await removeStaleTemps(out); // what the next run does first: the dead run's temps go
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
