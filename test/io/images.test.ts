import { promises as fs } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../client/engine/errors';
import { encodePng, readMask, readRgbImage, writePng } from '../../client/engine/io/images';
import type { RgbImage } from '../../client/engine/io/image-types';
import { gradient, rawImage, tempDir, write16, writeRgb, writeTruncated } from './fixtures';

const W = 16;
const H = 8;
let dir: string;

beforeAll(() => {
  dir = tempDir('images');
});

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  const message = (error as InputError).message;
  expect(message).not.toContain('\n');
  return error as InputError;
}

describe('readRgbImage', () => {
  it('reads 8-bit RGB as planar floats, exactly', async () => {
    const file = await writeRgb(path.join(dir, 'rgb.png'), W, H, 3);
    const image = await readRgbImage(file, { label: 'anchor 0 (rgb.png)' });
    const source = gradient(W, H, 3);
    expect(image.bitDepth).toBe(8);
    expect([image.width, image.height]).toEqual([W, H]);
    const p = 5 * W + 7; // pixel (7, 5)
    expect(image.data[p] * 255).toBeCloseTo(source[3 * p], 4);
    expect(image.data[W * H + p] * 255).toBeCloseTo(source[3 * p + 1], 4);
    expect(image.data[2 * W * H + p] * 255).toBeCloseTo(source[3 * p + 2], 4);
    expect(Array.from(image.fileSamples!)).toEqual(Array.from(source)); // kept for bit-exact output
  });

  it('keeps 16-bit PNGs at 16 bits, sample for sample', async () => {
    const file = path.join(dir, 'deep.png');
    const samples = await write16(file, W, H);
    const image = await readRgbImage(file, { label: 'frame 0' });
    expect(image.bitDepth).toBe(16);
    for (const p of [0, 17, W * H - 1]) {
      expect(Math.round(image.data[p] * 65535)).toBe(samples[3 * p]);
      expect(Math.round(image.data[2 * W * H + p] * 65535)).toBe(samples[3 * p + 2]);
    }
  });

  it('expands greyscale to RGB', async () => {
    const file = path.join(dir, 'grey.png');
    await rawImage(new Uint8Array(W * H).fill(77), W, H, 1).toColourspace('b-w').png().toFile(file);
    expect((await sharp(file).metadata()).channels).toBe(1);
    const image = await readRgbImage(file, { label: 'anchor 0 (grey.png)' });
    expect(image.data[3] * 255).toBeCloseTo(77, 3);
    expect(image.data[W * H + 3]).toBeCloseTo(image.data[3], 6);
    expect(image.data[2 * W * H + 3]).toBeCloseTo(image.data[3], 6);
  });

  it('reads JPEG, TIFF and WebP', async () => {
    for (const format of ['jpeg', 'tiff', 'webp'] as const) {
      const file = path.join(dir, `any.${format}`);
      await rawImage(gradient(W, H), W, H).toFormat(format).toFile(file);
      const image = await readRgbImage(file, { label: format });
      expect(image.width).toBe(W);
    }
  });

  it('refuses CMYK with a message that says how to convert it', async () => {
    for (const format of ['jpeg', 'tiff'] as const) {
      const file = path.join(dir, `cmyk.${format}`);
      await rawImage(gradient(W, H), W, H).toColourspace('cmyk').toFormat(format).toFile(file);
      expect((await sharp(file).metadata()).space).toBe('cmyk');
      const error = await rejection(readRgbImage(file, { label: `anchor 2 (cmyk.${format})` }));
      expect(error.message).toMatch(/^anchor 2 \(cmyk\.\w+\) is CMYK; convert it to RGB/);
    }
  });

  it('refuses an anchor with transparent pixels, accepts a fully opaque alpha channel', async () => {
    const rgba = new Uint8Array(W * H * 4).fill(200);
    for (let p = 0; p < W * H; p++) rgba[4 * p + 3] = 255;
    const opaque = path.join(dir, 'opaque-alpha.png');
    await rawImage(rgba, W, H, 4).png().toFile(opaque);
    expect((await readRgbImage(opaque, { label: 'anchor 0' })).data[0] * 255).toBeCloseTo(200, 3);

    rgba[4 * 10 + 3] = 0; // one transparent pixel
    const holed = path.join(dir, 'holed.png');
    await rawImage(rgba, W, H, 4).png().toFile(holed);
    const error = await rejection(readRgbImage(holed, { label: 'anchor 3 (holed.png)' }));
    expect(error.message).toMatch(/anchor 3 \(holed\.png\) has 1 transparent pixels; export it flattened/);
    // Frames may carry alpha (rendered footage): ignored there.
    const framed = await readRgbImage(holed, { label: 'frame 0', alpha: 'ignore' });
    expect(framed.width).toBe(W);
    expect(framed.fileSamples).toBeUndefined(); // 4-channel samples are not an RGB output's
  });

  it('refuses a size that differs from the frames', async () => {
    const file = await writeRgb(path.join(dir, 'small.png'), 8, 4);
    const error = await rejection(readRgbImage(file, { label: 'anchor 1 (small.png)', expect: { width: W, height: H } }));
    expect(error.message).toBe(
      'anchor 1 (small.png) is 8x4 but the frames are 16x8; export it at the frame size (no crop, no scale).',
    );
  });

  it('names missing, folder, non-image and truncated files', async () => {
    expect((await rejection(readRgbImage(path.join(dir, 'nope.png'), { label: 'anchor 0 (nope.png)' }))).message).toMatch(
      /^anchor 0 \(nope\.png\) was not found at .*nope\.png; check the path\.$/,
    );
    expect((await rejection(readRgbImage(dir, { label: 'mask 0' }))).message).toMatch(/is a folder, not an image file/);
    const text = path.join(dir, 'notes.png');
    await fs.writeFile(text, 'not an image');
    expect((await rejection(readRgbImage(text, { label: 'anchor 0 (notes.png)' }))).message).toMatch(
      /^anchor 0 \(notes\.png\) is not a readable image .*; use a PNG, JPEG, TIFF or WebP file\.$/,
    );
    for (const format of ['png', 'jpeg'] as const) {
      const cut = path.join(dir, `cut.${format}`);
      await writeTruncated(cut, 64, 64, format);
      expect((await rejection(readRgbImage(cut, { label: `frame 4 (cut.${format})` }))).message).toMatch(
        new RegExp(`^frame 4 \\(cut\\.${format}\\) is truncated or corrupt`),
      );
    }
  });
});

describe('readMask', () => {
  it('uses brightness for grey and RGB masks', async () => {
    const grey = new Uint8Array(W * H);
    grey.fill(255, 0, W); // top row white
    const file = path.join(dir, 'mask-grey.png');
    await rawImage(grey, W, H, 1).png().toFile(file);
    const mask = await readMask(file, { label: 'mask 0' });
    expect(mask.data[0]).toBeCloseTo(1, 5);
    expect(mask.data[W]).toBe(0);
  });

  it('uses the alpha of a flat-colour layer export', async () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let p = 0; p < W * H; p++) {
      rgba.set([255, 0, 0, p < W ? 255 : 0], 4 * p); // red paint, shape in alpha: luma alone would be 0.21
    }
    const file = path.join(dir, 'mask-layer.png');
    await rawImage(rgba, W, H, 4).png().toFile(file);
    const mask = await readMask(file, { label: 'mask 0' });
    expect(mask.data[0]).toBeCloseTo(1, 5);
    expect(mask.data[W + 1]).toBe(0);
  });

  it('multiplies brightness by alpha when the colour varies', async () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let p = 0; p < W * H; p++) rgba.set(p % 2 === 0 ? [255, 255, 255, 128] : [0, 0, 0, 255], 4 * p);
    const file = path.join(dir, 'mask-mixed.png');
    await rawImage(rgba, W, H, 4).png().toFile(file);
    const mask = await readMask(file, { label: 'mask 0' });
    expect(mask.data[0]).toBeCloseTo(128 / 255, 3);
    expect(mask.data[1]).toBe(0);
  });

  it('warns about an empty mask and refuses a wrong size', async () => {
    const file = path.join(dir, 'mask-empty.png');
    await rawImage(new Uint8Array(W * H), W, H, 1).png().toFile(file);
    const warnings: string[] = [];
    await readMask(file, { label: 'mask 5 (mask-empty.png)', onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual(['mask 5 (mask-empty.png) is empty (all black or transparent): nothing may change at that frame.']);
    await rejection(readMask(file, { label: 'mask 5', expect: { width: W + 1, height: H } }));
  });
});

describe('writePng', () => {
  const image: RgbImage = { width: 3, height: 2, bitDepth: 8, data: new Float32Array([0, 0.5, 1, 0.25, 0.75, 2, 0, 0, 0, 1, 1, 1, -1, 0.1, 0.2, 0.3, 0.4, 0.5]) };

  it('writes 8-bit RGB, rounding and clamping', async () => {
    const file = path.join(dir, 'out8.png');
    await writePng(file, image, 8);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    expect([...data.subarray(0, 6)]).toEqual([0, 0, 0, 128, 0, 26]);
    expect(data[3 * 5]).toBe(255); // 2 → clamped
    expect(data[3 * 0 + 2]).toBe(0); // -1 → clamped
  });

  it('writes 16-bit PNGs that read back sample for sample', async () => {
    const file = path.join(dir, 'out16.png');
    const deep: RgbImage = { ...image, bitDepth: 16 };
    await writePng(file, deep, 16);
    const meta = await sharp(file).metadata();
    expect(meta.depth).toBe('ushort');
    const back = await readRgbImage(file, { label: 'out' });
    for (let i = 0; i < deep.data.length; i++) {
      const expected = Math.round(Math.min(1, Math.max(0, deep.data[i])) * 65535);
      expect(Math.round(back.data[i] * 65535)).toBe(expected);
    }
  });

  it('writes an RGBA edit layer', async () => {
    const file = path.join(dir, 'layer.png');
    const alpha = { width: 3, height: 2, data: new Float32Array([0, 1, 0.5, 0, 0, 1]) };
    await writePng(file, { rgb: image, alpha }, 8);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    expect([data[3], data[7], data[11]]).toEqual([0, 255, 128]);
  });

  it('writes interleaved samples as they are', async () => {
    const file = path.join(dir, 'samples16.png');
    const samples = Uint16Array.from({ length: 3 * 6 }, (_, k) => k * 3001);
    await writePng(file, { width: 3, height: 2, channels: 3, samples }, 16);
    const back = await readRgbImage(file, { label: 'out' });
    expect(Array.from(back.fileSamples!)).toEqual(Array.from(samples));
  });

  it('rejects data of the wrong length before writing anything', async () => {
    const bad: RgbImage = { width: 4, height: 4, bitDepth: 8, data: new Float32Array(5) };
    await expect(encodePng(bad, 8)).rejects.toThrow(/expected 48/);
    await expect(encodePng({ width: 4, height: 4, channels: 3, samples: new Uint8Array(47) }, 8)).rejects.toThrow(/do not make a 4x4x3 8-bit/);
    await expect(encodePng({ width: 1, height: 1, channels: 3, samples: new Uint8Array(3) }, 16)).rejects.toThrow(/16-bit/);
  });
});
