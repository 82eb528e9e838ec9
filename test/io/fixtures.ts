/** Small image fixtures made with sharp in a temp folder (each test file gets its own). */
import { createHash } from 'crypto';
import { mkdtempSync, promises as fs, readdirSync, readFileSync, statSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `anchorflow-${prefix}-`));
}

/** A deterministic 8-bit RGB gradient, varying per `seed`, interleaved. */
export function gradient(width: number, height: number, seed = 0): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 3 * (y * width + x);
      data[p] = (x * 13 + seed * 31) & 255;
      data[p + 1] = (y * 17 + seed * 7) & 255;
      data[p + 2] = (x * y + seed) & 255;
    }
  }
  return data;
}

export function rawImage(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3): sharp.Sharp {
  return sharp(data, { raw: { width, height, channels } });
}

export async function writeRgb(file: string, width: number, height: number, seed = 0): Promise<string> {
  await rawImage(gradient(width, height, seed), width, height).toFile(file);
  return file;
}

/** A 16-bit RGB PNG whose samples are not multiples of 257 (so an 8-bit path would lose them). */
export async function write16(file: string, width: number, height: number): Promise<Uint16Array> {
  const samples = new Uint16Array(width * height * 3);
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 997 + 12345) % 65536;
  await sharp(samples, { raw: { width, height, channels: 3, depth: 'ushort' } as sharp.CreateRaw })
    .toColourspace('rgb16')
    .png()
    .toFile(file);
  return samples;
}

export async function writeTruncated(file: string, width: number, height: number, format: 'png' | 'jpeg'): Promise<void> {
  const full = await rawImage(gradient(width, height), width, height).toFormat(format).toBuffer();
  await fs.writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
}

/** sha256 of every file below `dir` (relative path → hash): proves inputs were left untouched. */
export function checksums(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else result[path.relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return result;
}
