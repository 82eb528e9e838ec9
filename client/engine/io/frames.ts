/**
 * Frame sources: a folder of still images or a video file, seen as a list of same-sized RGB frames.
 *
 * Order: frames are sorted by file name with a NATURAL sort (digit runs compare as numbers, so `f2.png` < `f10.png`;
 * ties fall back to code-point order). For zero-padded names, the common case, this is the same as a plain sort;
 * for unpadded names it is the order a person expects. The index `<i>` in `--anchor <i>=…` counts in this order.
 * Hidden files (dot-prefixed, e.g. our own temp files) are skipped.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { InputError } from '../errors';
import { decodeVideo } from './ffmpeg';
import { readImageHeader, readRgbImage } from './images';
import type { RgbImage } from './image-types';

export const FRAME_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp'];

export interface FrameSource {
  kind: 'folder' | 'video';
  /** Real path of the folder or video (symlinks resolved). */
  sourcePath: string;
  count: number;
  width: number;
  height: number;
  /** Output base names, one per frame: '00012' for 00012.jpg; a video gives 00000, 00001, ... */
  names: string[];
  /** Absolute path of each frame's image (for a video: the decoded PNG). */
  files: string[];
  /** 16 if any frame is 16-bit (outputs are then written 16-bit). */
  bitDepth: 8 | 16;
  /** The video's frame rate; null for a folder. */
  fps: number | null;
  /** Things the user should know that do not stop the run (e.g. an ignored alpha channel). */
  warnings: string[];
  read(index: number): Promise<RgbImage>;
  dispose(): Promise<void>;
}

/** Natural comparison of file names; see the file comment. */
export function compareFrameNames(a: string, b: string): number {
  const partsA = a.match(/\d+|\D+/g) ?? [];
  const partsB = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
    const [x, y] = [partsA[i], partsB[i]];
    const bothNumbers = /^\d/.test(x) && /^\d/.test(y);
    if (bothNumbers) {
      const diff = Number(x) - Number(y);
      if (diff !== 0 && Number.isFinite(diff)) return diff;
      if (x.length !== y.length) return x.length - y.length; // "007" vs "7": shorter (fewer zeros) first
    }
    if (x !== y) return x < y ? -1 : 1;
  }
  if (partsA.length !== partsB.length) return partsA.length - partsB.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isFrameFileName(name: string): boolean {
  return !name.startsWith('.') && FRAME_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

function frameLabel(index: number, file: string): string {
  return `frame ${index} (${path.basename(file)})`;
}

export async function openFrameSource(source: string, options: { workDir: string; signal?: AbortSignal }): Promise<FrameSource> {
  let real: string;
  try {
    real = await fs.realpath(source);
  } catch {
    throw new InputError(`--frames ${source} was not found; give a folder of frames or a video file.`);
  }
  const stat = await fs.stat(real);
  if (stat.isDirectory()) return openFolder(real, source);
  if (isFrameFileName(path.basename(real))) {
    throw new InputError(`--frames ${source} is a single image; give the folder that holds the frames.`);
  }
  return openVideo(real, options);
}

async function openFolder(dir: string, given: string): Promise<FrameSource> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const fileNames = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  const frameNames = fileNames.filter(isFrameFileName).sort(compareFrameNames);
  if (frameNames.length === 0) {
    throw new InputError(
      `--frames ${given} holds no frames (looked for ${FRAME_EXTENSIONS.join(' ')}); give the folder of the clip's frames.`,
    );
  }
  const names = frameNames.map((n) => path.basename(n, path.extname(n)));
  const seen = new Map<string, string>();
  frameNames.forEach((file, i) => {
    const other = seen.get(names[i]);
    if (other) {
      throw new InputError(`--frames ${given} holds both ${other} and ${file}; their outputs would share a name, keep one.`);
    }
    seen.set(names[i], file);
  });
  const files = frameNames.map((n) => path.join(dir, n));
  const headers = [];
  for (let i = 0; i < files.length; i++) headers.push(await readImageHeader(files[i], { label: frameLabel(i, files[i]) }));
  const { width, height } = headers[0];
  headers.forEach((h, i) => {
    if (h.width !== width || h.height !== height) {
      throw new InputError(
        `${frameLabel(i, files[i])} is ${h.width}x${h.height} but ${frameLabel(0, files[0])} is ${width}x${height}; ` +
          'all frames must be the same size.',
      );
    }
  });
  const warnings: string[] = [];
  const withAlpha = headers.filter((h) => h.hasAlpha).length;
  if (withAlpha > 0) warnings.push(`${withAlpha} frame(s) have an alpha channel; it is ignored and outputs are opaque.`);
  return {
    kind: 'folder',
    sourcePath: dir,
    count: files.length,
    width,
    height,
    names,
    files,
    bitDepth: headers.some((h) => h.bitDepth === 16) ? 16 : 8,
    fps: null,
    warnings,
    read: (index) => readFrame(files, index, { width, height }),
    dispose: async () => undefined,
  };
}

async function openVideo(video: string, options: { workDir: string; signal?: AbortSignal }): Promise<FrameSource> {
  const dir = path.join(options.workDir, 'decoded-frames');
  await fs.rm(dir, { recursive: true, force: true });
  const decoded = await decodeVideo(video, dir, { signal: options.signal });
  const files = decoded.names.map((n) => path.join(dir, `${n}.png`));
  const size = { width: decoded.width, height: decoded.height };
  return {
    kind: 'video',
    sourcePath: video,
    count: files.length,
    ...size,
    names: decoded.names,
    files,
    bitDepth: decoded.bitDepth,
    fps: decoded.fps,
    warnings: [],
    read: (index) => readFrame(files, index, size),
    dispose: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

/** Reads frame `index` of `files`, which must be of `size` (its errors name the frame). */
export async function readFrame(files: string[], index: number, size: { width: number; height: number }): Promise<RgbImage> {
  if (!Number.isInteger(index) || index < 0 || index >= files.length) {
    throw new RangeError(`frame index ${index} is outside 0..${files.length - 1}`);
  }
  return readRgbImage(files[index], { label: frameLabel(index, files[index]), expect: size, alpha: 'ignore' });
}
