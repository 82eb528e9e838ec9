/**
 * Still-image I/O through sharp: anchors, masks and frames in; PNG frames out.
 *
 * Input policy (documented in docs/cli.md, "Input formats"):
 * - PNG, JPEG, TIFF and WebP; 8-bit and 16-bit. 16-bit stays 16-bit (RgbImage.bitDepth), so outputs keep it.
 * - Greyscale is expanded to RGB.
 * - CMYK is REFUSED: converting it to sRGB shifts every pixel, so an anchor's untouched area would no longer match
 *   its frame and the whole frame would look edited. The message says how to convert it in Photoshop.
 * - Alpha on an anchor (`alpha: 'refuse'`): a fully opaque alpha channel is dropped silently; any transparent pixel
 *   is REFUSED. Flattening over black/white invents colours, and compositing over the frame would change what the
 *   designer handed over; the designer's transparent edit layer belongs in `--mask` instead.
 * - Alpha on a frame (`alpha: 'ignore'`): dropped (rendered footage often carries it); the frame source warns once.
 * - Masks: see `readMask`.
 */
import { promises as fs, constants as fsConstants } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { InputError } from '../errors';
import { writeFileAtomic } from './atomic';
import type { GreyImage, InterleavedImage, RgbImage } from './image-types';

export interface ImageSize {
  width: number;
  height: number;
}

export interface ImageReadOptions {
  /** How the image is named in errors, e.g. "anchor 3 (edit.png)". */
  label: string;
  /** Refuse the image unless it has exactly this size. */
  expect?: ImageSize;
  /** What to do with transparent pixels in an RGB read (default 'refuse'). */
  alpha?: 'refuse' | 'ignore';
  onWarning?: (message: string) => void;
}

export interface ImageHeader extends ImageSize {
  format: string;
  bitDepth: 8 | 16;
  hasAlpha: boolean;
  channels: number;
}

const READABLE_FORMATS = new Set(['png', 'jpeg', 'tiff', 'webp']);

/**
 * PNG settings measured at 1080p (8-bit, 2-core box, a real frame): stored (level 0) writes in ~12 ms CPU; level 1
 * without filtering took ~80 ms for a file only 8% smaller, level 1 with adaptive filtering ~210 ms for 35% smaller.
 * Speed wins: outputs are intermediates, and writing them was a tenth of a run's CPU time.
 */
const PNG_OPTIONS = { compressionLevel: 0, adaptiveFiltering: false } as const;

/** 'truncated' rather than the default 'warning': harmless JPEG warnings (extra bytes before a marker, common in
 * camera files) pass, a cut-off file fails. */
const DECODE_OPTIONS = { failOn: 'truncated' } as const;

/** Checks that `file` exists, is a readable image file, in a format and colour model we accept, of the expected size. */
export async function readImageHeader(file: string, options: ImageReadOptions): Promise<ImageHeader> {
  const { label } = options;
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError(`${label} was not found at ${file}; check the path.`);
    throw new InputError(`${label} cannot be opened (${code ?? String(error)}): ${file}.`);
  }
  if (stat.isDirectory()) throw new InputError(`${label} is a folder, not an image file: ${file}.`);
  try {
    await fs.access(file, fsConstants.R_OK);
  } catch {
    throw new InputError(`${label} cannot be read (permission denied): ${file}; check its permissions.`);
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(file, DECODE_OPTIONS).metadata();
  } catch (error) {
    throw new InputError(`${label} is not a readable image (${firstLine(error)}); use a PNG, JPEG, TIFF or WebP file.`);
  }
  if (!meta.format || !READABLE_FORMATS.has(meta.format)) {
    throw new InputError(`${label} is a ${meta.format ?? 'unknown'} file; use a PNG, JPEG, TIFF or WebP file.`);
  }
  if (meta.space === 'cmyk') {
    throw new InputError(
      `${label} is CMYK; convert it to RGB (Photoshop: Image > Mode > RGB Color) and export it again.`,
    );
  }
  if (meta.depth !== 'uchar' && meta.depth !== 'ushort') {
    throw new InputError(`${label} has ${meta.depth ?? 'unknown'} samples; export it as 8-bit or 16-bit.`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (options.expect && (width !== options.expect.width || height !== options.expect.height)) {
    throw new InputError(
      `${label} is ${width}x${height} but the frames are ${options.expect.width}x${options.expect.height}; ` +
        `export it at the frame size (no crop, no scale).`,
    );
  }
  return {
    width,
    height,
    format: meta.format,
    bitDepth: meta.depth === 'ushort' ? 16 : 8,
    hasAlpha: meta.hasAlpha === true,
    channels: meta.channels ?? 3,
  };
}

interface DecodedPixels {
  width: number;
  height: number;
  channels: 3 | 4;
  bitDepth: 8 | 16;
  /** interleaved samples, 0..255 or 0..65535 */
  samples: Uint8Array | Uint16Array;
}

async function decodeInterleaved(file: string, header: ImageHeader, label: string): Promise<DecodedPixels> {
  const wide = header.bitDepth === 16;
  try {
    const { data, info } = await sharp(file, DECODE_OPTIONS)
      .toColourspace(wide ? 'rgb16' : 'srgb')
      .raw({ depth: wide ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const samples = wide ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : new Uint8Array(data);
    if (info.channels !== 3 && info.channels !== 4) {
      throw new Error(`unexpected ${info.channels} channels after conversion to RGB`);
    }
    return { width: info.width, height: info.height, channels: info.channels, bitDepth: header.bitDepth, samples };
  } catch (error) {
    throw new InputError(`${label} is truncated or corrupt (${firstLine(error)}); export it again.`);
  }
}

/** Reads an RGB image as planar float32 in [0, 1]; see the policy at the top of this file. */
export async function readRgbImage(file: string, options: ImageReadOptions): Promise<RgbImage> {
  const header = await readImageHeader(file, options);
  const pixels = await decodeInterleaved(file, header, options.label);
  const { width, height, channels, samples } = pixels;
  const scale = pixels.bitDepth === 16 ? 1 / 65535 : 1 / 255;
  if (channels === 4 && (options.alpha ?? 'refuse') === 'refuse') {
    const transparent = countTransparent(samples, channels, pixels.bitDepth === 16 ? 65535 : 255);
    if (transparent > 0) {
      throw new InputError(
        `${options.label} has ${transparent} transparent pixels; export it flattened (no transparency), ` +
          `and give the edit layer's transparency as --mask if you want to limit the edit.`,
      );
    }
  }
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let i = 0, s = 0; i < plane; i++, s += channels) {
    data[i] = samples[s] * scale;
    data[plane + i] = samples[s + 1] * scale;
    data[2 * plane + i] = samples[s + 2] * scale;
  }
  return { width, height, data, bitDepth: pixels.bitDepth, ...(channels === 3 ? { fileSamples: samples } : {}) };
}

/**
 * Reads an edit mask as float32 in [0, 1] (1 = may change). Which channel carries the mask:
 * - no alpha (grey or RGB): the Rec. 709 luma of the colour;
 * - alpha and a uniform colour (a Photoshop layer exported alone: one paint colour, shape in the alpha): the alpha;
 * - alpha over varying colour: luma × alpha (transparent = not editable).
 */
export async function readMask(file: string, options: ImageReadOptions): Promise<GreyImage> {
  const header = await readImageHeader(file, options);
  const pixels = await decodeInterleaved(file, header, options.label);
  const { width, height, channels, samples } = pixels;
  const scale = pixels.bitDepth === 16 ? 1 / 65535 : 1 / 255;
  const plane = width * height;
  const data = new Float32Array(plane);
  const alphaOnly = channels === 4 && colourIsUniform(samples, channels);
  for (let i = 0, s = 0; i < plane; i++, s += channels) {
    const alpha = channels === 4 ? samples[s + 3] * scale : 1;
    if (alphaOnly) {
      data[i] = alpha;
    } else {
      const luma = (0.2126 * samples[s] + 0.7152 * samples[s + 1] + 0.0722 * samples[s + 2]) * scale;
      data[i] = Math.min(1, luma * alpha);
    }
  }
  let maxValue = 0;
  for (let i = 0; i < plane; i++) if (data[i] > maxValue) maxValue = data[i];
  if (maxValue === 0) {
    options.onWarning?.(`${options.label} is empty (all black or transparent): nothing may change at that frame.`);
  }
  return { width, height, data };
}

function countTransparent(samples: Uint8Array | Uint16Array, channels: number, opaque: number): number {
  let transparent = 0;
  for (let s = 3; s < samples.length; s += channels) if (samples[s] !== opaque) transparent++;
  return transparent;
}

function colourIsUniform(samples: Uint8Array | Uint16Array, channels: number): boolean {
  const [r, g, b] = [samples[0], samples[1], samples[2]];
  for (let s = channels; s < samples.length; s += channels) {
    if (samples[s] !== r || samples[s + 1] !== g || samples[s + 2] !== b) return false;
  }
  return true;
}

export type PngSource = RgbImage | { rgb: RgbImage; alpha: GreyImage } | InterleavedImage;

/** Interleaves planar float [0, 1] into 8- or 16-bit samples (rounded, clamped), with alpha when given. */
export function interleave(source: RgbImage | { rgb: RgbImage; alpha: GreyImage }, bitDepth: 8 | 16): { samples: Uint8Array | Uint16Array; channels: 3 | 4 } {
  const rgb = 'rgb' in source ? source.rgb : source;
  const alpha = 'rgb' in source ? source.alpha : undefined;
  const plane = rgb.width * rgb.height;
  if (rgb.data.length !== 3 * plane) throw new Error(`RGB data holds ${rgb.data.length} values, expected ${3 * plane}`);
  if (alpha && (alpha.width !== rgb.width || alpha.height !== rgb.height)) {
    throw new Error(`alpha is ${alpha.width}x${alpha.height}, colour is ${rgb.width}x${rgb.height}`);
  }
  const channels = alpha ? 4 : 3;
  const max = bitDepth === 16 ? 65535 : 255;
  const samples = bitDepth === 16 ? new Uint16Array(plane * channels) : new Uint8Array(plane * channels);
  // One tight loop per channel (this runs on every output frame: ~4× faster than a per-sample closure at 1080p).
  // (v + 0.5) | 0 is Math.round for the non-negative values that reach it.
  const planes = [rgb.data.subarray(0, plane), rgb.data.subarray(plane, 2 * plane), rgb.data.subarray(2 * plane, 3 * plane)];
  if (alpha) planes.push(alpha.data);
  for (let c = 0; c < channels; c++) {
    const values = planes[c];
    for (let i = 0, s = c; i < plane; i++, s += channels) {
      const v = values[i] * max;
      samples[s] = v <= 0 ? 0 : v >= max ? max : (v + 0.5) | 0;
    }
  }
  return { samples, channels };
}

/** Encodes a PNG in memory (8- or 16-bit, RGB or RGBA). */
export async function encodePng(source: PngSource, bitDepth: 8 | 16): Promise<Buffer> {
  const { width, height, samples, channels } = 'samples' in source ? source : { ...sizeOf(source), ...interleave(source, bitDepth) };
  if (samples.length !== width * height * channels || (bitDepth === 16) !== samples instanceof Uint16Array) {
    throw new Error(`${samples.length} samples do not make a ${width}x${height}x${channels} ${bitDepth}-bit image`);
  }
  // A Uint16Array (not a Buffer over it) plus raw depth 'ushort' is what makes sharp take the samples as 16-bit.
  // sharp's typings omit `depth` on raw input although libvips honours it (round trip checked in test/io).
  const raw = { width, height, channels, ...(bitDepth === 16 ? { depth: 'ushort' } : {}) };
  const image =
    bitDepth === 16
      ? sharp(samples as Uint16Array, { raw: raw as sharp.CreateRaw }).toColourspace('rgb16')
      : sharp(samples as Uint8Array, { raw });
  return image.png(PNG_OPTIONS).toBuffer();
}

function sizeOf(source: RgbImage | { rgb: RgbImage }): { width: number; height: number } {
  const rgb = 'rgb' in source ? source.rgb : source;
  return { width: rgb.width, height: rgb.height };
}

/** Writes a PNG atomically: the final name appears only once the file is complete. */
export async function writePng(file: string, source: PngSource, bitDepth: 8 | 16): Promise<void> {
  const encoded = await encodePng(source, bitDepth);
  await writeFileAtomic(file, encoded);
}

/** A small JPEG of an image file (thumbnails, previews), `height` pixels tall. */
export async function jpegThumbnail(file: string, height: number, quality = 70): Promise<Buffer> {
  return sharp(file, DECODE_OPTIONS)
    .resize({ height: Math.max(1, Math.round(height)) })
    .flatten({ background: '#000000' })
    .toColourspace('srgb')
    .jpeg({ quality })
    .toBuffer();
}

/** "anchor 3 (edit.png)" */
export function describeInput(kind: string, index: number | undefined, file: string): string {
  return `${kind}${index === undefined ? '' : ` ${index}`} (${path.basename(file)})`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim();
}
