import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PropagateRequest } from '../../client/shared/protocol';
import { InputError } from '../../client/engine/errors';
import { openFrameSource, type FrameSource } from '../../client/engine/io/frames';
import { openValidatedSource, validateRequest } from '../../client/engine/io/validate';
import { readRgbImage } from '../../client/engine/io/images';
import { checksums, rawImage, tempDir, writeRgb } from './fixtures';

const W = 16;
const H = 8;
let root: string;
let frames: string;
let source: FrameSource;
let anchor: string;

beforeAll(async () => {
  root = tempDir('validate');
  frames = path.join(root, 'shot');
  mkdirSync(frames);
  for (let i = 0; i < 4; i++) await writeRgb(path.join(frames, `0000${i}.png`), W, H, i);
  anchor = await writeRgb(path.join(root, 'edit.png'), W, H, 9);
  source = await openFrameSource(frames, { workDir: tempDir('work') });
});

function request(overrides: Partial<PropagateRequest> = {}): PropagateRequest {
  return { frames, anchors: [{ index: 1, image: anchor }], masks: [], out: path.join(root, 'out'), ...overrides };
}

async function refusal(overrides: Partial<PropagateRequest>): Promise<string> {
  const error = await validateRequest(request(overrides), source).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('validateRequest', () => {
  it('accepts a good request', async () => {
    const mask = await writeRgb(path.join(root, 'mask.png'), W, H, 3);
    const ok = await validateRequest(request({ masks: [{ index: 2, image: mask }] }), source);
    expect(ok.warnings).toEqual([]);
    // What validation decoded is handed on, so the run does not decode it again.
    expect([...ok.anchorImages.keys()]).toEqual([1]);
    expect(ok.anchorImages.get(1)).toEqual(await readRgbImage(anchor, { label: 'anchor' }));
    expect([...ok.maskImages.keys()]).toEqual([2]);
    expect(ok.maskImages.get(2)!.data.length).toBe(W * H);
  });

  it('refuses out-of-range, negative and duplicate indices', async () => {
    expect(await refusal({ anchors: [{ index: 4, image: anchor }] })).toBe(
      'anchor index 4 is out of range: the clip has 4 frames (0..3).',
    );
    expect(await refusal({ anchors: [{ index: -1, image: anchor }] })).toMatch(/whole number from 0/);
    expect(await refusal({ anchors: [{ index: 2, image: anchor }, { index: 2, image: anchor }] })).toBe(
      'Two anchors for frame 2; give one --anchor per frame.',
    );
    expect(await refusal({ masks: [{ index: 9, image: anchor }] })).toMatch(/^mask index 9 is out of range/);
    expect(await refusal({ masks: [{ index: 1, image: anchor }, { index: 1, image: anchor }] })).toMatch(/Two masks for frame 1/);
    expect(await refusal({ anchors: [] })).toMatch(/No anchor given/);
  });

  it('refuses missing, unreadable, non-image and wrong-size anchors and masks', async () => {
    expect(await refusal({ anchors: [{ index: 1, image: path.join(root, 'gone.png') }] })).toMatch(
      /^anchor 1 \(gone\.png\) was not found at/,
    );
    const text = path.join(root, 'edit.txt.png');
    writeFileSync(text, 'hello');
    expect(await refusal({ masks: [{ index: 1, image: text }] })).toMatch(/^mask 1 \(edit\.txt\.png\) is not a readable image/);
    const big = await writeRgb(path.join(root, 'big.png'), W * 2, H * 2);
    expect(await refusal({ anchors: [{ index: 0, image: big }] })).toMatch(/^anchor 0 \(big\.png\) is 32x16 but the frames are 16x8/);
    if (process.getuid?.() !== 0) {
      const locked = await writeRgb(path.join(root, 'locked.png'), W, H);
      chmodSync(locked, 0o000);
      expect(await refusal({ anchors: [{ index: 0, image: locked }] })).toMatch(/cannot be read \(permission denied\)/);
    }
  });

  it('refuses --out equal to or inside the frames folder, also through a symlink', async () => {
    expect(await refusal({ out: frames })).toMatch(/^--out .* is the frames folder; choose a folder outside/);
    expect(await refusal({ out: path.join(frames, 'edited') })).toMatch(/is inside the frames folder/);
    const link = path.join(root, 'alias');
    symlinkSync(frames, link);
    expect(await refusal({ out: path.join(link, 'sub', 'deeper') })).toMatch(/is inside the frames folder/);
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(await refusal({ out: file })).toMatch(/is a file; give a folder/);
  });

  it('refuses an anchor that an output would overwrite', async () => {
    const out = path.join(root, 'prev-out');
    mkdirSync(out);
    const inOut = await writeRgb(path.join(out, '00002.png'), W, H);
    expect(await refusal({ out, anchors: [{ index: 2, image: inOut }] })).toBe(
      "anchor 2 (00002.png) lies in --out and would be overwritten by frame 2's output; move it or choose another --out.",
    );
  });

  it('checks --encode, --range, --fps and --device', async () => {
    expect(await refusal({ encode: path.join(root, 'clip.avi') })).toMatch(/must end in \.mov or \.mp4/);
    expect(await refusal({ encode: path.join(root, 'clip.mp4'), layer: true })).toMatch(/needs a \.mov file/);
    expect(await refusal({ encode: path.join(frames, 'clip.mov') })).toMatch(/would write into the source/);
    expect(await refusal({ range: [2, 1] })).toMatch(/--range 2:1 must be first:last/);
    expect(await refusal({ range: [0, 4] })).toMatch(/<= 3/);
    expect(await refusal({ fps: 0 })).toMatch(/--fps 0 must be a number above 0/);
    expect(await refusal({ device: 'tpu' as never })).toMatch(/--device tpu is not one of auto, cpu/);
    const ok = await validateRequest(request({ encode: path.join(root, 'clip.mp4') }), source);
    expect(ok.warnings).toEqual(['--encode without --fps: the clip is encoded at 25 fps.']);
  });

  it('refuses a transparent anchor and a CMYK mask', async () => {
    const rgba = new Uint8Array(W * H * 4).fill(255);
    rgba[3] = 0;
    const transparent = path.join(root, 'alpha.png');
    await rawImage(rgba, W, H, 4).png().toFile(transparent);
    expect(await refusal({ anchors: [{ index: 0, image: transparent }] })).toMatch(/has 1 transparent pixels/);
    const cmyk = path.join(root, 'mask.jpg');
    await rawImage(new Uint8Array(W * H * 3).fill(255), W, H).toColourspace('cmyk').jpeg().toFile(cmyk);
    expect(await refusal({ masks: [{ index: 0, image: cmyk }] })).toMatch(/is CMYK; convert it to RGB/);
  });

  it('openValidatedSource changes nothing on disk when it refuses', async () => {
    const before = checksums(root);
    const out = path.join(root, 'never-created');
    const error = await openValidatedSource(request({ out, anchors: [{ index: 7, image: anchor }] }), {
      workDir: tempDir('w'),
    }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(checksums(root)).toEqual(before);
  });
});
