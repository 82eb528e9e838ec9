/**
 * Writes a synthetic case to disk in the layout the CLI takes: source frames, the anchor image(s) (ground truth at
 * the anchor index), anchor mask(s), and optionally every ground-truth frame and edit mask. Frames are rendered and
 * written one at a time, so long high-resolution clips never sit in memory.
 */
import { mkdir, rename, writeFile } from 'fs/promises';
import * as path from 'path';
import sharp from 'sharp';
import { dilateMask } from './mask';
import { createSceneRenderer, type RenderOptions } from './render';
import type { SceneSpec } from './scene';

export interface WriteCaseOptions extends Partial<RenderOptions> {
  /** Also write every ground-truth frame (gt/) and edit mask (edit-masks/). */
  groundTruth?: boolean;
  /** Dilation of the anchor masks in pixels (default 2). */
  maskDilation?: number;
  /** zlib level for the PNGs (default 3: fast, still lossless). */
  compressionLevel?: number;
}

export interface WrittenCase {
  name: string;
  width: number;
  height: number;
  frameCount: number;
  framesDir: string;
  /** Ground-truth frames (same names as the source frames), when requested. */
  groundTruthDir?: string;
  editMasksDir?: string;
  anchors: Array<{ index: number; image: string; mask: string }>;
  /** File names of the frames, in order. */
  frameNames: string[];
}

export function frameName(index: number): string {
  return `${String(index).padStart(5, '0')}.png`;
}

export async function writeCase(spec: SceneSpec, dir: string, options: WriteCaseOptions = {}): Promise<WrittenCase> {
  const width = options.width ?? spec.defaults?.width ?? 640;
  const height = options.height ?? spec.defaults?.height ?? 360;
  const frameCount = options.frameCount ?? spec.defaults?.frameCount ?? 24;
  const level = options.compressionLevel ?? 3;
  const renderer = createSceneRenderer(spec, { width, height, frameCount });
  const framesDir = path.join(dir, 'frames');
  const anchorsDir = path.join(dir, 'anchors');
  const groundTruthDir = options.groundTruth ? path.join(dir, 'gt') : undefined;
  const editMasksDir = options.groundTruth ? path.join(dir, 'edit-masks') : undefined;
  for (const d of [framesDir, anchorsDir, groundTruthDir, editMasksDir]) if (d) await mkdir(d, { recursive: true });

  const anchorSet = new Set(renderer.anchors);
  const anchors: WrittenCase['anchors'] = [];
  const frameNames: string[] = [];
  let pending: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < frameCount; i++) {
    const frame = renderer.renderFrame(i);
    const name = frameName(i);
    frameNames.push(name);
    // Encode frame i while frame i+1 renders, but never queue more than one frame's writes.
    await pending;
    const writes: Array<Promise<unknown>> = [writePng(path.join(framesDir, name), frame.source, width, height, 3, level)];
    if (groundTruthDir && editMasksDir) {
      writes.push(writePng(path.join(groundTruthDir, name), frame.edited, width, height, 3, level));
      writes.push(writePng(path.join(editMasksDir, name), frame.mask, width, height, 1, level));
    }
    if (anchorSet.has(i)) {
      const image = path.join(anchorsDir, `anchor-${name}`);
      const mask = path.join(anchorsDir, `mask-${name}`);
      const dilated = dilateMask(frame.mask, width, height, options.maskDilation ?? 2);
      writes.push(writePng(image, frame.edited, width, height, 3, level));
      writes.push(writePng(mask, dilated, width, height, 1, level));
      anchors.push({ index: i, image, mask });
    }
    pending = Promise.all(writes);
  }
  await pending;
  const written: WrittenCase = { name: spec.name, width, height, frameCount, framesDir, groundTruthDir, editMasksDir, anchors, frameNames };
  await writeFile(path.join(dir, 'case.json'), JSON.stringify({ ...written, description: spec.description }, null, 2));
  return written;
}

/** Writes raw pixels as a PNG via a temporary file, so a reader never sees half a file. */
export async function writePng(
  file: string,
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  compressionLevel = 3,
): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await sharp(pixels, { raw: { width, height, channels } }).png({ compressionLevel }).toFile(tmp);
  await rename(tmp, file);
}
