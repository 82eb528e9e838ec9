/**
 * A tiny synthetic clip with exact ground truth: a textured square translating (sub-pixel steps) over a textured
 * background. The edit is a known colour matrix applied to the square's texture, so every frame's edited rendering
 * is known exactly. Pixels are area-sampled (4×4 supersampling) so the square's edges are anti-aliased as in footage.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { colourTexture } from '../models/texture';

export const CLIP = { width: 96, height: 64, frames: 12, side: 26 };

/** The recolour (rows: output channel) and offset; maps the square's [0.2, 0.8] texture inside [0.1, 0.9]. */
export const RECOLOUR = {
  a: [
    [0.2, 0.7, 0.1],
    [0.1, 0.2, 0.6],
    [0.6, 0.1, 0.25],
  ],
  b: [0.05, 0.1, -0.02],
};

export function squareOrigin(t: number): { x: number; y: number } {
  return { x: 8 + 4.3 * t, y: 16 + 1.1 * t };
}

export interface RenderedFrame {
  /** Interleaved 8-bit RGB, as written to PNG. */
  source: Uint8Array;
  truth: Uint8Array;
}

const background = colourTexture(21, 0.15, 0.85, 12);
const squareTexture = colourTexture(22, 0.2, 0.8, 8);

function recolour(rgb: [number, number, number]): [number, number, number] {
  const [r, g, b] = RECOLOUR.a.map((row, k) => row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2] + RECOLOUR.b[k]);
  return [r, g, b];
}

const quantise = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);

export function renderFrame(t: number): RenderedFrame {
  const { width, height, side } = CLIP;
  const origin = squareOrigin(t);
  const source = new Uint8Array(width * height * 3);
  const truth = new Uint8Array(width * height * 3);
  const S = 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = [0, 0, 0];
      const gt = [0, 0, 0];
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const px = x + (sx + 0.5) / S;
          const py = y + (sy + 0.5) / S;
          const u = px - origin.x;
          const v = py - origin.y;
          const onSquare = u >= 0 && u < side && v >= 0 && v < side;
          const base = onSquare ? squareTexture(u, v) : background(px, py);
          const edited = onSquare ? recolour(base) : base;
          for (let c = 0; c < 3; c++) {
            src[c] += base[c] / (S * S);
            gt[c] += edited[c] / (S * S);
          }
        }
      }
      for (let c = 0; c < 3; c++) {
        source[(y * width + x) * 3 + c] = quantise(src[c]);
        truth[(y * width + x) * 3 + c] = quantise(gt[c]);
      }
    }
  }
  return { source, truth };
}

/** Distance from pixel (x, y)'s area to the square's boundary region: 0 if the pixel touches the square. */
export function distanceToSquare(t: number, x: number, y: number): number {
  const { x: ox, y: oy } = squareOrigin(t);
  const dx = Math.max(ox - (x + 1), 0, x - (ox + CLIP.side));
  const dy = Math.max(oy - (y + 1), 0, y - (oy + CLIP.side));
  return Math.hypot(dx, dy);
}

export function frameName(t: number): string {
  return `${String(t).padStart(5, '0')}.png`;
}

export async function writePng(file: string, rgb: Uint8Array): Promise<void> {
  await sharp(Buffer.from(rgb), { raw: { width: CLIP.width, height: CLIP.height, channels: 3 } }).png().toFile(file);
}

export async function readPng(file: string): Promise<Uint8Array> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== CLIP.width || info.height !== CLIP.height || info.channels !== 3) throw new Error(`unexpected ${file}: ${JSON.stringify(info)}`);
  return new Uint8Array(data);
}

/** Writes the clip's frames into `dir`; returns every frame's rendering. */
export async function writeClip(dir: string): Promise<RenderedFrame[]> {
  await fs.mkdir(dir, { recursive: true });
  const frames = Array.from({ length: CLIP.frames }, (_, t) => renderFrame(t));
  for (let t = 0; t < frames.length; t++) await writePng(path.join(dir, frameName(t)), frames[t].source);
  return frames;
}

/** PSNR (dB, 8-bit peak) of `a` against `b` over the pixels where `where(pixel)` holds. */
export function psnr(a: Uint8Array, b: Uint8Array, where: (pixel: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < a.length / 3; p++) {
    if (!where(p)) continue;
    for (let c = 0; c < 3; c++) sum += (a[p * 3 + c] - b[p * 3 + c]) ** 2;
    count += 3;
  }
  if (count === 0) throw new Error('empty region');
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255 * count) / sum);
}
