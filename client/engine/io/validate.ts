/**
 * Checks a PropagateRequest against its opened frame source BEFORE anything is written, so every bad input ends as
 * one InputError line (exit 2) with nothing created or changed. Anchors and masks are fully decoded here: that is
 * the only way to catch a truncated file or a transparent anchor, and it costs a few decodes.
 *
 * The pipeline's `propagate` calls `openValidatedSource` first, before it creates `--out` or writes anything; the
 * CLI and `serve` rely on that for "bad input exits 2 and writes nothing".
 */
import { promises as fs, constants as fsConstants } from 'fs';
import * as path from 'path';
import type { DeviceName, PropagateRequest } from '../../shared/protocol';
import { InputError } from '../errors';
import { openFrameSource, type FrameSource } from './frames';
import { describeInput, readMask, readRgbImage } from './images';
import type { GreyImage, RgbImage } from './image-types';

export const DEVICES: readonly DeviceName[] = ['auto', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda'];
export const ENCODE_EXTENSIONS = ['.mov', '.mp4'];

export interface Validation {
  warnings: string[];
  /** The decoded anchors and masks by frame index: validating them meant decoding them, so the run reuses them. */
  anchorImages: Map<number, RgbImage>;
  maskImages: Map<number, GreyImage>;
}

/** The real path of `p`, resolving symlinks in the part that exists (the rest may not exist yet). */
export async function resolveReal(p: string): Promise<string> {
  const absolute = path.resolve(p);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** True when `inner` is `outer` or lies below it (both real, absolute). */
export function isSameOrInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function nearestExisting(p: string): Promise<string> {
  let current = path.resolve(p);
  for (;;) {
    try {
      await fs.stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

function checkIndex(kind: string, flag: string, index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0) {
    throw new InputError(`${flag} ${index}: the index must be a whole number from 0; see anchorflow propagate --help.`);
  }
  if (index >= count) {
    throw new InputError(
      `${kind} index ${index} is out of range: the clip has ${count} frame${count === 1 ? '' : 's'} (0..${count - 1}).`,
    );
  }
}

export async function validateRequest(request: PropagateRequest, source: FrameSource): Promise<Validation> {
  const warnings = [...source.warnings];
  if (source.count === 0) throw new InputError(`--frames ${request.frames} holds no frames.`);
  const frameSize = { width: source.width, height: source.height };

  if (request.device !== undefined && !DEVICES.includes(request.device)) {
    throw new InputError(`--device ${String(request.device)} is not one of ${DEVICES.join(', ')}.`);
  }
  if (request.fps !== undefined && !(Number.isFinite(request.fps) && request.fps > 0 && request.fps <= 1000)) {
    throw new InputError(`--fps ${request.fps} must be a number above 0 (e.g. 24, 25, 29.97).`);
  }
  if (request.range) {
    const [first, last] = request.range;
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last < first || last >= source.count) {
      throw new InputError(
        `--range ${first}:${last} must be first:last with 0 <= first <= last <= ${source.count - 1} (the clip's last frame).`,
      );
    }
  }

  // Anchors
  if (request.anchors.length === 0) {
    throw new InputError('No anchor given; add --anchor <i>=<image> (the edited frame i).');
  }
  const anchorImages = new Map<number, RgbImage>();
  for (const anchor of request.anchors) {
    checkIndex('anchor', '--anchor', anchor.index, source.count);
    if (anchorImages.has(anchor.index)) {
      throw new InputError(`Two anchors for frame ${anchor.index}; give one --anchor per frame.`);
    }
    anchorImages.set(anchor.index, await readRgbImage(anchor.image, { label: describeInput('anchor', anchor.index, anchor.image), expect: frameSize }));
  }

  // Masks
  const maskImages = new Map<number, GreyImage>();
  for (const mask of request.masks) {
    checkIndex('mask', '--mask', mask.index, source.count);
    if (maskImages.has(mask.index)) {
      throw new InputError(`Two masks for frame ${mask.index}; give one --mask per frame.`);
    }
    const image = await readMask(mask.image, {
      label: describeInput('mask', mask.index, mask.image),
      expect: frameSize,
      onWarning: (m) => warnings.push(m),
    });
    maskImages.set(mask.index, image);
  }

  // Output folder: never the source folder or inside it, never a file, and writable.
  const out = await resolveReal(request.out);
  const sourceFolder = source.kind === 'folder' ? source.sourcePath : null;
  if (sourceFolder && isSameOrInside(out, sourceFolder)) {
    throw new InputError(
      `--out ${request.out} is ${out === sourceFolder ? 'the' : 'inside the'} frames folder; choose a folder outside ${request.frames}.`,
    );
  }
  const outStat = await fs.stat(out).catch(() => null);
  if (outStat && !outStat.isDirectory()) throw new InputError(`--out ${request.out} is a file; give a folder.`);
  const writableAncestor = await nearestExisting(out);
  try {
    await fs.access(writableAncestor, fsConstants.W_OK);
  } catch {
    throw new InputError(`--out ${request.out} cannot be written (no permission on ${writableAncestor}); choose another folder.`);
  }

  // No input may sit where an output will be written.
  const outputFiles = new Map(source.names.map((name, i) => [path.join(out, `${name}.png`), i] as const));
  const inputs = [
    ...request.anchors.map((a) => ({ file: a.image, label: describeInput('anchor', a.index, a.image) })),
    ...request.masks.map((m) => ({ file: m.image, label: describeInput('mask', m.index, m.image) })),
  ];
  for (const input of inputs) {
    const real = await resolveReal(input.file);
    const frame = outputFiles.get(real);
    if (frame !== undefined) {
      throw new InputError(
        `${input.label} lies in --out and would be overwritten by frame ${frame}'s output; move it or choose another --out.`,
      );
    }
  }

  if (request.encode !== undefined) {
    const ext = path.extname(request.encode).toLowerCase();
    if (!ENCODE_EXTENSIONS.includes(ext)) {
      throw new InputError(`--encode ${request.encode} must end in .mov or .mp4.`);
    }
    if (request.layer && ext !== '.mov') {
      throw new InputError(`--encode ${request.encode}: --layer writes ProRes 4444 with alpha, which needs a .mov file.`);
    }
    const encode = await resolveReal(request.encode);
    if (encode === source.sourcePath || (sourceFolder && isSameOrInside(encode, sourceFolder))) {
      throw new InputError(`--encode ${request.encode} would write into the source; choose a path outside ${request.frames}.`);
    }
    for (const input of inputs) {
      if ((await resolveReal(input.file)) === encode) {
        throw new InputError(`--encode ${request.encode} is ${input.label}; choose another file name.`);
      }
    }
    const encodeStat = await fs.stat(encode).catch(() => null);
    if (encodeStat?.isDirectory()) throw new InputError(`--encode ${request.encode} is a folder; give a file name.`);
    if (source.kind === 'folder' && request.fps === undefined) {
      warnings.push('--encode without --fps: the clip is encoded at 25 fps.');
    }
  }
  return { warnings, anchorImages, maskImages };
}

/** Opens `request.frames` and validates the request against it; the source is disposed again if validation fails. */
export async function openValidatedSource(
  request: PropagateRequest,
  options: { workDir: string; signal?: AbortSignal },
): Promise<Validation & { source: FrameSource }> {
  const source = await openFrameSource(request.frames, options);
  try {
    return { source, ...(await validateRequest(request, source)) };
  } catch (error) {
    await source.dispose();
    throw error;
  }
}
