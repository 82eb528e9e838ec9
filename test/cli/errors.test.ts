/**
 * Every bad input of the CLI contract, run as a user would: exit status 2, one line on stderr saying what to fix,
 * nothing on stdout (or one JSON error line with --json), nothing written to --out, inputs byte-for-byte unchanged.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checksums, rawImage, tempDir, writeRgb, writeTruncated } from '../io/fixtures';
import { ourLines, runCli } from './helpers';

const W = 32;
const H = 16;
let root: string;
let frames: string;
let anchor: string;

beforeAll(async () => {
  root = tempDir('cli-errors');
  frames = path.join(root, 'frames');
  mkdirSync(frames);
  for (let i = 0; i < 4; i++) await writeRgb(path.join(frames, `0000${i}.png`), W, H, i);
  anchor = await writeRgb(path.join(root, 'edit.png'), W, H, 7);
  await writeRgb(path.join(root, 'small.png'), W / 2, H / 2);
  writeFileSync(path.join(root, 'notes.png'), 'not an image');
  await rawImage(new Uint8Array(W * H * 3).fill(90), W, H).toColourspace('cmyk').jpeg().toFile(path.join(root, 'cmyk.jpg'));
  const rgba = new Uint8Array(W * H * 4).fill(255);
  rgba[7] = 0;
  await rawImage(rgba, W, H, 4).png().toFile(path.join(root, 'alpha.png'));
  mkdirSync(path.join(root, 'empty'));
  writeFileSync(path.join(root, 'empty', 'readme.txt'), 'no frames here');
  const odd = path.join(root, 'odd');
  mkdirSync(odd);
  await writeRgb(path.join(odd, 'a1.png'), W, H);
  await writeRgb(path.join(odd, 'a2.png'), W, H + 1);
});

function args(extra: { frames?: string; anchors?: string[]; masks?: string[]; out?: string; more?: string[] } = {}): string[] {
  const list = ['propagate', '--frames', extra.frames ?? frames];
  for (const a of extra.anchors ?? [`1=${anchor}`]) list.push('--anchor', a);
  for (const m of extra.masks ?? []) list.push('--mask', m);
  list.push('--out', extra.out ?? path.join(root, 'out'));
  return [...list, ...(extra.more ?? [])];
}

async function expectRefused(argv: string[], message: RegExp, out = path.join(root, 'out')): Promise<void> {
  const before = checksums(root);
  const run = await runCli(argv);
  const lines = ourLines(run.stderr);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^anchorflow: /);
  expect(lines[0].slice('anchorflow: '.length)).toMatch(message);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  expect(checksums(root)).toEqual(before);
}

describe('anchorflow propagate refuses bad input with exit 2 and one line', () => {
  it('malformed i=path', () => expectRefused(args({ anchors: ['one=edit.png'] }), /^--anchor one=edit\.png is not <i>=<image>.*; see anchorflow propagate --help\.$/));
  it('unknown option', () => expectRefused(args({ more: ['--speed', 'fast'] }), /^Unknown option --speed; see anchorflow propagate --help\.$/));
  it('missing required option', () => expectRefused(['propagate', '--frames', frames, '--anchor', `0=${anchor}`], /^Missing --out; see anchorflow propagate --help\.$/));
  it('missing anchor file', () => expectRefused(args({ anchors: [`1=${path.join(root, 'gone.png')}`] }), /^anchor 1 \(gone\.png\) was not found at .*; check the path\.$/));
  it('non-image anchor', () => expectRefused(args({ anchors: [`1=${path.join(root, 'notes.png')}`] }), /^anchor 1 \(notes\.png\) is not a readable image/));
  it('anchor size differs from the frames', () => expectRefused(args({ anchors: [`1=${path.join(root, 'small.png')}`] }), /^anchor 1 \(small\.png\) is 16x8 but the frames are 32x16/));
  it('mask size differs from the frames', () => expectRefused(args({ masks: [`1=${path.join(root, 'small.png')}`] }), /^mask 1 \(small\.png\) is 16x8 but the frames are 32x16/));
  it('index out of range', () => expectRefused(args({ anchors: [`4=${anchor}`] }), /^anchor index 4 is out of range: the clip has 4 frames \(0\.\.3\)\.$/));
  it('duplicate anchor index', () => expectRefused(args({ anchors: [`2=${anchor}`, `2=${anchor}`] }), /^Two anchors for frame 2/));
  it('no frames', () => expectRefused(args({ frames: path.join(root, 'empty') }), /holds no frames/));
  it('frames of different sizes', () => expectRefused(args({ frames: path.join(root, 'odd') }), /^frame 1 \(a2\.png\) is 32x17 but frame 0 \(a1\.png\) is 32x16/));
  it('--out equal to the frames folder', () => expectRefused(args({ out: frames }), /is the frames folder/, path.join(frames, 'none')));
  it('--out inside the frames folder', () => expectRefused(args({ out: path.join(frames, 'edited') }), /is inside the frames folder/, path.join(frames, 'edited')));
  it('CMYK anchor', () => expectRefused(args({ anchors: [`0=${path.join(root, 'cmyk.jpg')}`] }), /is CMYK; convert it to RGB/));
  it('anchor with transparency', () => expectRefused(args({ anchors: [`0=${path.join(root, 'alpha.png')}`] }), /has 1 transparent pixels; export it flattened/));
  it('--layer with an .mp4', () => expectRefused(args({ more: ['--layer', '--encode', path.join(root, 'x.mp4')] }), /needs a \.mov file/));

  it('--json reports bad input as one JSON error line on stdout', async () => {
    const run = await runCli(args({ anchors: [`9=${anchor}`], more: ['--json'] }));
    expect(run.code).toBe(2);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      event: 'error',
      code: 'bad-input',
      message: 'anchor index 9 is out of range: the clip has 4 frames (0..3).',
    });
  });

  it('names a truncated frame and publishes no output', async () => {
    const shot = path.join(root, 'cut');
    mkdirSync(shot);
    for (let i = 0; i < 3; i++) await writeRgb(path.join(shot, `f${i}.jpg`), 64, 64, i);
    await writeTruncated(path.join(shot, 'f3.jpg'), 64, 64, 'jpeg');
    const edit = await writeRgb(path.join(root, 'edit64.png'), 64, 64, 5);
    const out = path.join(root, 'cut-out');
    const run = await runCli(args({ frames: shot, anchors: [`0=${edit}`], out }));
    expect(ourLines(run.stderr).at(-1)).toMatch(/^anchorflow: frame 3 \(f3\.jpg\) is truncated or corrupt/);
    expect(run.code).toBe(2);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
