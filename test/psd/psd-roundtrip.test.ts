/**
 * Photoshop round trip without Photoshop: a PSD written by `writeAnchorPsd` is "edited" by code the way a designer
 * would (pixels painted on the "Edit" layer, saved with and without the merged composite), then read back by
 * `readAnchor`. Pixel values of the composite and of the mask are checked against values computed here.
 *
 * Not exercised: files saved by a real Photoshop (layer effects, adjustment layers, smart objects, 16-bit documents).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { initializeCanvas, readPsd, writePsdBuffer } from 'ag-psd';
import type { Psd } from 'ag-psd';
import { readAnchor, writeAnchorPsd } from '../../client/engine/psd';

const WIDTH = 64;
const HEIGHT = 48;
/** Opaque red square painted on the Edit layer. */
const SQUARE = { x0: 10, y0: 8, x1: 30, y1: 24 };
/** Half-transparent blue band painted on the Edit layer. */
const BAND = { x0: 40, y0: 30, x1: 60, y1: 40, alpha: 128 };

let dir: string;
let framePng: string;
let frame: Buffer; // RGB

function framePixel(x: number, y: number): [number, number, number] {
  // A non-uniform pattern, so a wrong offset or a uniform fallback cannot pass.
  return [(x * 4) % 256, (y * 5) % 256, (x * 3 + y * 7) % 256];
}

beforeAll(async () => {
  // The test edits PSDs with ag-psd the way the engine reads them: raw imageData, no canvas.
  initializeCanvas(
    () => {
      throw new Error('no canvas in tests');
    },
    ((width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) })) as never,
  );
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-psd-'));
  frame = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) frame.set(framePixel(x, y), (y * WIDTH + x) * 3);
  framePng = path.join(dir, 'frame.png');
  await sharp(frame, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toFile(framePng);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function rawPixels(file: string, channels: 1 | 3): Promise<{ data: Buffer; width: number; height: number }> {
  let pipeline = sharp(file);
  pipeline = channels === 1 ? pipeline.extractChannel(0) : pipeline.removeAlpha();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(channels);
  return { data, width: info.width, height: info.height };
}

function inside(rect: { x0: number; y0: number; x1: number; y1: number }, x: number, y: number): boolean {
  return x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1;
}

/** What the designer painted: RGBA of the Edit layer at (x, y). */
function editPixel(x: number, y: number): [number, number, number, number] {
  if (inside(SQUARE, x, y)) return [255, 0, 0, 255];
  if (inside(BAND, x, y)) return [0, 0, 255, BAND.alpha];
  return [0, 0, 0, 0];
}

/** The expected edited anchor: Edit over Original, normal blending. */
function expectedComposite(x: number, y: number): [number, number, number] {
  const [r, g, b, a] = editPixel(x, y);
  const base = framePixel(x, y);
  const alpha = a / 255;
  return [r, g, b].map((value, c) => Math.round(value * alpha + base[c] * (1 - alpha))) as [number, number, number];
}

/** Open our PSD, paint on the Edit layer, save it like Photoshop would (with or without the merged composite). */
async function paintEditLayer(psdFile: string, options: { composite: 'merged' | 'none' | 'stale' }): Promise<void> {
  const document: Psd = readPsd(await fs.readFile(psdFile), { useImageData: true });
  const edit = document.children?.find((layer) => layer.name === 'Edit');
  if (!edit?.imageData) throw new Error('Edit layer missing from the PSD written by writeAnchorPsd');
  const pixels = { width: WIDTH, height: HEIGHT, data: new Uint8ClampedArray(WIDTH * HEIGHT * 4) };
  const merged = { width: WIDTH, height: HEIGHT, data: new Uint8ClampedArray(WIDTH * HEIGHT * 4) };
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 4;
      pixels.data.set(editPixel(x, y), i);
      const wanted = expectedComposite(x, y);
      // 'stale': a non-uniform composite that differs from the layers, to tell which one readAnchor used.
      merged.data.set([...(options.composite === 'stale' ? wanted.map((value) => 255 - value) : wanted), 255], i);
    }
  }
  edit.imageData = pixels;
  edit.left = 0;
  edit.top = 0;
  edit.right = WIDTH;
  edit.bottom = HEIGHT;
  if (options.composite === 'none') {
    // Photoshop with "Maximize Compatibility" off: no real merged data, flagged in the version-info resource.
    delete document.imageData;
    document.imageResources = {
      ...document.imageResources,
      versionInfo: { hasRealMergedData: false, writerName: 'Adobe Photoshop', readerName: 'Adobe Photoshop 2025', fileVersion: 1 },
    };
  } else {
    document.imageData = merged;
  }
  // trimImageData: Photoshop stores a layer only over its painted bounds, so readAnchor must honour left/top.
  await fs.writeFile(psdFile, writePsdBuffer(document, { trimImageData: true, noBackground: true }));
}

describe('writeAnchorPsd', () => {
  it('writes a locked Original layer below an empty Edit layer, with the frame as composite', async () => {
    const psdFile = path.join(dir, 'written.psd');
    await writeAnchorPsd(framePng, psdFile);
    const document = readPsd(await fs.readFile(psdFile), { useImageData: true });
    expect([document.width, document.height]).toEqual([WIDTH, HEIGHT]);
    expect(document.children?.map((layer) => layer.name)).toEqual(['Original', 'Edit']);
    const [original, edit] = document.children ?? [];
    expect(original.protected).toMatchObject({ transparency: true, composite: true, position: true });
    expect(edit.protected?.composite ?? false).toBe(false);
    const editAlpha = Array.from(edit.imageData?.data ?? []).filter((_, i) => i % 4 === 3);
    expect(editAlpha.every((alpha) => alpha === 0)).toBe(true);
    expect(document.imageResources?.versionInfo?.hasRealMergedData).toBe(true);
    const composite = document.imageData?.data;
    expect(composite).toBeDefined();
    for (const [x, y] of [[0, 0], [17, 11], [63, 47]]) {
      const i = (y * WIDTH + x) * 4;
      expect(Array.from(composite!.slice(i, i + 3))).toEqual(framePixel(x, y));
      expect(Array.from(original.imageData!.data.slice(i, i + 3))).toEqual(framePixel(x, y));
    }
  });

  it('leaves no temp files next to the PSD', async () => {
    const sub = path.join(dir, 'clean');
    await writeAnchorPsd(framePng, path.join(sub, 'anchor.psd'));
    expect(await fs.readdir(sub)).toEqual(['anchor.psd']);
  });
});

describe('readAnchor on an edited PSD', () => {
  async function checkImageAndMask(outImage: string, outMask: string, tolerance: number): Promise<void> {
    const image = await rawPixels(outImage, 3);
    const mask = await rawPixels(outMask, 1);
    expect([image.width, image.height, mask.width, mask.height]).toEqual([WIDTH, HEIGHT, WIDTH, HEIGHT]);
    let worst = 0;
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const want = expectedComposite(x, y);
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(image.data[(y * WIDTH + x) * 3 + c] - want[c]));
        expect(mask.data[y * WIDTH + x]).toBe(editPixel(x, y)[3]);
      }
    }
    expect(worst).toBeLessThanOrEqual(tolerance);
    // Spot checks that would catch a swapped or blank result.
    expect(Array.from(image.data.slice((10 * WIDTH + 15) * 3, (10 * WIDTH + 15) * 3 + 3))).toEqual([255, 0, 0]);
    expect(Array.from(image.data.slice(0, 3))).toEqual(framePixel(0, 0));
  }

  it('takes the merged composite as the anchor and the Edit alpha as the mask', async () => {
    const psdFile = path.join(dir, 'merged.psd');
    await writeAnchorPsd(framePng, psdFile);
    await paintEditLayer(psdFile, { composite: 'merged' });
    const outImage = path.join(dir, 'merged-anchor.png');
    const outMask = path.join(dir, 'merged-mask.png');
    const result = await readAnchor(psdFile, framePng, outImage, outMask);
    expect(result).toEqual({ image: outImage, mask: outMask, warnings: [] });
    await checkImageAndMask(outImage, outMask, 0);
  });

  it('prefers the saved composite over its own compositing when the PSD has one', async () => {
    const psdFile = path.join(dir, 'stale.psd');
    await writeAnchorPsd(framePng, psdFile);
    await paintEditLayer(psdFile, { composite: 'stale' });
    const outImage = path.join(dir, 'stale-anchor.png');
    await readAnchor(psdFile, framePng, outImage, path.join(dir, 'stale-mask.png'));
    const image = await rawPixels(outImage, 3);
    expect(Array.from(image.data.slice(0, 3))).toEqual(framePixel(0, 0).map((value) => 255 - value));
  });

  it('composites the layers itself when the PSD was saved without a composite, and says so', async () => {
    const psdFile = path.join(dir, 'no-composite.psd');
    await writeAnchorPsd(framePng, psdFile);
    await paintEditLayer(psdFile, { composite: 'none' });
    const outImage = path.join(dir, 'nc-anchor.png');
    const outMask = path.join(dir, 'nc-mask.png');
    const result = await readAnchor(psdFile, framePng, outImage, outMask);
    expect(result.mask).toBe(outMask);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/without a composite image/);
    expect(result.warnings[0]).toMatch(/Maximize PSD Compatibility/);
    // Own compositing rounds the half-transparent band once more than the reference formula.
    await checkImageAndMask(outImage, outMask, 1);
  });

  it('writes no mask and says why when nothing was painted on the Edit layer', async () => {
    const psdFile = path.join(dir, 'untouched.psd');
    await writeAnchorPsd(framePng, psdFile);
    const outMask = path.join(dir, 'untouched-mask.png');
    const result = await readAnchor(psdFile, framePng, path.join(dir, 'untouched-anchor.png'), outMask);
    expect(result.mask).toBeUndefined();
    expect(result.warnings.join(' ')).toMatch(/"Edit" layer .* is empty/);
    await expect(fs.stat(outMask)).rejects.toThrow();
  });

  it('refuses a PSD whose canvas size differs from the frame', async () => {
    const otherFrame = path.join(dir, 'other-frame.png');
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#808080' } }).png().toFile(otherFrame);
    const psdFile = path.join(dir, 'small.psd');
    await writeAnchorPsd(otherFrame, psdFile);
    await expect(readAnchor(psdFile, framePng, path.join(dir, 'x.png'), path.join(dir, 'y.png'))).rejects.toThrow(
      /small\.psd is 32x32 but the frame is 64x48/,
    );
  });
});

describe('readAnchor on a flat export', () => {
  it('takes a same-size PNG as the anchor, with no mask', async () => {
    const edited = Buffer.from(frame);
    edited.fill(9, 0, 3 * WIDTH); // first row changed
    const exported = path.join(dir, 'export.png');
    await sharp(edited, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toFile(exported);
    const outImage = path.join(dir, 'export-anchor.png');
    const result = await readAnchor(exported, framePng, outImage, path.join(dir, 'export-mask.png'));
    expect(result).toEqual({ image: outImage, warnings: [] });
    const image = await rawPixels(outImage, 3);
    expect(Buffer.compare(image.data, edited)).toBe(0);
  });

  it('reads a TIFF export too', async () => {
    const exported = path.join(dir, 'export.tif');
    await sharp(frame, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).tiff({ compression: 'lzw' }).toFile(exported);
    const outImage = path.join(dir, 'tiff-anchor.png');
    await readAnchor(exported, framePng, outImage, path.join(dir, 'tiff-mask.png'));
    expect(Buffer.compare((await rawPixels(outImage, 3)).data, frame)).toBe(0);
  });

  it('refuses an export whose size differs from the frame, naming both sizes', async () => {
    const exported = path.join(dir, 'wrong-size.png');
    await sharp({ create: { width: 65, height: 48, channels: 3, background: '#000' } }).png().toFile(exported);
    await expect(readAnchor(exported, framePng, path.join(dir, 'a.png'), path.join(dir, 'm.png'))).rejects.toThrow(
      /wrong-size\.png is 65x48 but the frame is 64x48/,
    );
  });

  it('refuses a missing file with a clear message', async () => {
    await expect(readAnchor(path.join(dir, 'nope.png'), framePng, path.join(dir, 'a.png'), path.join(dir, 'm.png'))).rejects.toThrow(
      /nope\.png does not exist/,
    );
  });
});
