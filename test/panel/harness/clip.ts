/**
 * A tiny generated clip for the panel test: a coloured square moving over a gradient, plus "designer edits" of
 * chosen frames (the square recoloured and a stripe painted on it). Deterministic, so runs are comparable.
 */
import sharp from 'sharp';
import * as fs from 'fs';
import * as path from 'path';

export const CLIP = { width: 96, height: 64, frameCount: 8, square: 20, stepX: 6 } as const;

function squareLeft(index: number): number {
  return 8 + index * CLIP.stepX;
}

/** RGB pixels of frame `index`; `edited` paints the square blue with a white stripe (the edit to propagate). */
export function renderFrame(index: number, edited = false): Buffer {
  const { width, height, square } = CLIP;
  const pixels = Buffer.alloc(width * height * 3);
  const left = squareLeft(index);
  const top = 22;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      const inSquare = x >= left && x < left + square && y >= top && y < top + square;
      let rgb: [number, number, number] = [60 + x, 70 + y, 90];
      if (inSquare) rgb = edited ? (y - top >= 8 && y - top < 12 ? [255, 255, 255] : [30, 60, 230]) : [220, 40, 30];
      pixels[offset] = rgb[0];
      pixels[offset + 1] = rgb[1];
      pixels[offset + 2] = rgb[2];
    }
  }
  return pixels;
}

export function encodePng(pixels: Buffer): Promise<Buffer> {
  return sharp(pixels, { raw: { width: CLIP.width, height: CLIP.height, channels: 3 } }).png().toBuffer();
}

/** Writes the clip as `00000.png`… into `folder` (what the fake host's exportFrames does); returns the names. */
export async function writeClip(folder: string, frameCount: number = CLIP.frameCount): Promise<string[]> {
  await fs.promises.mkdir(folder, { recursive: true });
  const names: string[] = [];
  for (let index = 0; index < frameCount; index += 1) {
    const name = `${String(index).padStart(5, '0')}.png`;
    await fs.promises.writeFile(path.join(folder, name), await encodePng(renderFrame(index)));
    names.push(name);
  }
  return names;
}

export async function editedFramePng(index: number): Promise<Buffer> {
  return encodePng(renderFrame(index, true));
}
