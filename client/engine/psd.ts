/**
 * The Photoshop round trip, engine side (Node >= 18.17: uses sharp and ag-psd).
 *
 * - `writeAnchorPsd`: the anchor frame as a layered PSD: a locked "Original" layer (the frame) below an empty,
 *   transparent "Edit" layer, plus the merged composite so every reader (Finder/Explorer previews, Bridge, us) sees it.
 * - `readAnchor`: a designer's file back: for a PSD the composite is the edited anchor and the "Edit" layer's alpha
 *   is the mask (white = may change); for a PNG/TIFF/JPEG export, just the image.
 *
 * ag-psd runs without a canvas here: we read and write raw RGBA `imageData` only. Its reader still calls
 * `createImageData` for 8-bit RGBA buffers, which by default needs a canvas, so we install a canvas-free
 * `createImageData` (a plain `{ width, height, data }`) and a `createCanvas` that throws (never reached: we ask for
 * no thumbnails and pass `useImageData`).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { initializeCanvas, readPsd, writePsdBuffer } from 'ag-psd';
import type { Layer, Psd } from 'ag-psd';
import { InputError } from './errors';

export const ORIGINAL_LAYER_NAME = 'Original';
export const EDIT_LAYER_NAME = 'Edit';

export interface AnchorReadResult {
  /** Edited anchor (PNG, frame-sized, opaque RGB). */
  image: string;
  /** Edit mask (PNG, frame-sized, grey: white = may change); only for a PSD whose "Edit" layer holds pixels. */
  mask?: string;
  /** One-line notes for the user. */
  warnings: string[];
}

/** An 8-bit straight-alpha RGBA raster. */
interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

type CreateImageData = NonNullable<Parameters<typeof initializeCanvas>[1]>;

let canvasFreeAgPsd = false;
function useCanvasFreeAgPsd(): void {
  if (canvasFreeAgPsd) return;
  initializeCanvas(
    () => {
      throw new Error('ag-psd asked for a canvas; AnchorFlow reads and writes raw imageData only');
    },
    // ImageData is a DOM type (absent from the engine's lib): describe the plain object through ag-psd's own signature.
    ((width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) })) as unknown as CreateImageData,
  );
  canvasFreeAgPsd = true;
}

/** Write the anchor frame as a layered PSD (atomically: temp file, then rename). */
export async function writeAnchorPsd(framePng: string, psdPath: string): Promise<{ psd: string }> {
  useCanvasFreeAgPsd();
  const frame = await readRgba(framePng, 'frame');
  opaque(frame);
  const editPixels: Rgba = { width: frame.width, height: frame.height, data: new Uint8ClampedArray(frame.data.length) };
  const document: Psd = {
    width: frame.width,
    height: frame.height,
    // The merged image: what Photoshop writes with "Maximize Compatibility" on.
    imageData: frame,
    imageResources: {
      versionInfo: { hasRealMergedData: true, writerName: 'AnchorFlow', readerName: 'Adobe Photoshop', fileVersion: 1 },
    },
    children: [
      {
        name: ORIGINAL_LAYER_NAME,
        imageData: frame,
        // Lock transparency, pixels and position so the designer cannot damage the reference by accident.
        protected: { transparency: true, composite: true, position: true },
      },
      { name: EDIT_LAYER_NAME, imageData: editPixels },
    ],
  };
  // noBackground: keep "Original" a named, lockable layer instead of Photoshop's special Background layer.
  const bytes = writePsdBuffer(document, { noBackground: true, generateThumbnail: false });
  await writeAtomic(psdPath, bytes);
  return { psd: psdPath };
}

/** Read a designer's PSD/PNG/TIFF/JPEG back into `outImage` (and `outMask` for a PSD with strokes on "Edit"). */
export async function readAnchor(file: string, framePng: string, outImage: string, outMask: string): Promise<AnchorReadResult> {
  const frame = await readRgba(framePng, 'frame');
  opaque(frame);
  const isPsd = /\.ps[db]$/i.test(file) || (await startsWithPsdSignature(file));
  if (isPsd) return readAnchorPsd(file, frame, outImage, outMask);
  return readAnchorImage(file, frame, outImage);
}

async function readAnchorImage(file: string, frame: Rgba, outImage: string): Promise<AnchorReadResult> {
  const warnings: string[] = [];
  const image = await readRgba(file, 'anchor image');
  checkSameSize(image, frame, file);
  if (hasTransparency(image)) {
    // An export of the edit alone (transparent elsewhere): put it over the frame it was made for.
    overComposite(image, frame);
    warnings.push(`${path.basename(file)} has transparent pixels: placed it over the original frame.`);
  }
  await writePngAtomic(outImage, image, 3);
  return { image: outImage, warnings };
}

async function readAnchorPsd(file: string, frame: Rgba, outImage: string, outMask: string): Promise<AnchorReadResult> {
  useCanvasFreeAgPsd();
  const name = path.basename(file);
  const bytes = await readFileOrExplain(file, 'PSD');
  let document: Psd;
  try {
    document = readPsd(bytes, { useImageData: true, skipThumbnail: true, skipLinkedFilesData: true });
  } catch (error) {
    throw new InputError(`${name} is not a PSD we can read (${(error as Error).message}); save it again from Photoshop as .psd.`);
  }
  if (document.colorMode !== undefined && document.colorMode !== 3 /* RGB */) {
    throw new InputError(`${name} is not in RGB mode; in Photoshop choose Image > Mode > RGB Color, then save again.`);
  }
  if (document.width !== frame.width || document.height !== frame.height) {
    throw new InputError(
      `${name} is ${document.width}x${document.height} but the frame is ${frame.width}x${frame.height}; keep the canvas size unchanged (undo any Image/Canvas Size change) and save again.`,
    );
  }
  const warnings: string[] = [];
  const layers = flattenPixelLayers(document.children ?? [], true, 1);

  let composite = document.imageData ? toRgba8(document.imageData, document.width, document.height) : null;
  const claimsNoMerged = document.imageResources?.versionInfo?.hasRealMergedData === false;
  if (!composite || claimsNoMerged || (isUniform(composite) && layers.length > 0)) {
    const own = compositeLayers(layers, document.width, document.height, warnings);
    if (!composite || claimsNoMerged || !isUniform(own)) {
      composite = own;
      warnings.unshift(
        `${name} was saved without a composite image: AnchorFlow composited the layers itself (normal blending only); to avoid this, turn on Preferences > File Handling > Maximize PSD Compatibility: Always, then save again.`,
      );
    }
  }
  if (hasTransparency(composite)) overComposite(composite, frame);
  await writePngAtomic(outImage, composite, 3);

  const edit = findEditLayer(layers);
  if (!edit) {
    warnings.push(`${name} has no "${EDIT_LAYER_NAME}" layer: no mask written; the engine derives the edit region from the original frame.`);
    return { image: outImage, warnings };
  }
  if (edit.hidden) warnings.push(`The "${EDIT_LAYER_NAME}" layer in ${name} is hidden: its strokes still define the mask.`);
  const mask = layerCoverage(edit.layer, document.width, document.height);
  if (!mask.some((value) => value > 0)) {
    warnings.push(`The "${EDIT_LAYER_NAME}" layer in ${name} is empty: no mask written; the engine derives the edit region from the original frame.`);
    return { image: outImage, warnings };
  }
  await writeGreyPngAtomic(outMask, mask, document.width, document.height);
  return { image: outImage, mask: outMask, warnings };
}

/** A pixel layer with the visibility and opacity it inherits from its groups. */
interface PixelLayer {
  layer: Layer;
  hidden: boolean;
  opacity: number;
}

/** Pixel layers bottom to top (ag-psd lists children bottom first), groups flattened. */
function flattenPixelLayers(children: Layer[], parentVisible: boolean, parentOpacity: number): PixelLayer[] {
  const flat: PixelLayer[] = [];
  for (const layer of children) {
    const visible = parentVisible && !layer.hidden;
    const opacity = parentOpacity * (layer.opacity ?? 1);
    if (layer.children) flat.push(...flattenPixelLayers(layer.children, visible, opacity));
    else flat.push({ layer, hidden: !visible, opacity });
  }
  return flat;
}

function findEditLayer(layers: PixelLayer[]): PixelLayer | undefined {
  const wanted = EDIT_LAYER_NAME.toLowerCase();
  return layers.find((entry) => (entry.layer.name ?? '').trim().toLowerCase() === wanted);
}

/** Normal-blend the visible pixel layers (opacity, layer masks) into a document-sized RGBA raster. */
function compositeLayers(layers: PixelLayer[], width: number, height: number, warnings: string[]): Rgba {
  const out = new Float32Array(width * height * 4); // premultiplied RGBA in [0, 1]
  for (const entry of layers) {
    const { layer } = entry;
    if (entry.hidden || !layer.imageData || entry.opacity <= 0) continue;
    if (layer.blendMode && layer.blendMode !== 'normal' && layer.blendMode !== 'pass through') {
      warnings.push(`Layer "${layer.name ?? ''}" uses blend mode "${layer.blendMode}"; it was composited as Normal.`);
    }
    forEachLayerPixel(layer, width, height, (rgba, src, docIndex, coverage) => {
      const alpha = (coverage / 255) * entry.opacity;
      if (alpha <= 0) return;
      const dst = docIndex * 4;
      const keep = 1 - alpha;
      out[dst] = (rgba[src] / 255) * alpha + out[dst] * keep;
      out[dst + 1] = (rgba[src + 1] / 255) * alpha + out[dst + 1] * keep;
      out[dst + 2] = (rgba[src + 2] / 255) * alpha + out[dst + 2] * keep;
      out[dst + 3] = alpha + out[dst + 3] * keep;
    });
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < out.length; i += 4) {
    const alpha = out[i + 3];
    if (alpha <= 0) continue;
    data[i] = Math.round((out[i] / alpha) * 255);
    data[i + 1] = Math.round((out[i + 1] / alpha) * 255);
    data[i + 2] = Math.round((out[i + 2] / alpha) * 255);
    data[i + 3] = Math.round(alpha * 255);
  }
  return { width, height, data };
}

/** Document-sized coverage of a layer: its pixel alpha times its layer mask (0..255). */
function layerCoverage(layer: Layer, width: number, height: number): Uint8Array {
  const coverage = new Uint8Array(width * height);
  forEachLayerPixel(layer, width, height, (_rgba, _src, docIndex, value) => {
    coverage[docIndex] = value;
  });
  return coverage;
}

/**
 * Visits every pixel of a layer that lands inside the document: `src` indexes its RGBA bytes in `rgba`, `coverage`
 * is its alpha times its layer mask (0..255).
 */
function forEachLayerPixel(
  layer: Layer,
  width: number,
  height: number,
  visit: (rgba: Uint8ClampedArray | Uint8Array, src: number, docIndex: number, coverage: number) => void,
): void {
  if (!layer.imageData) return;
  const pixels = toRgba8(layer.imageData, layer.imageData.width, layer.imageData.height);
  const left = layer.left ?? 0;
  const top = layer.top ?? 0;
  const maskCoverage = layer.mask ? maskValues(layer, width, height) : null;
  for (let y = 0; y < pixels.height; y++) {
    const docY = top + y;
    if (docY < 0 || docY >= height) continue;
    for (let x = 0; x < pixels.width; x++) {
      const docX = left + x;
      if (docX < 0 || docX >= width) continue;
      const docIndex = docY * width + docX;
      const src = (y * pixels.width + x) * 4;
      const alpha = pixels.data[src + 3];
      visit(pixels.data, src, docIndex, maskCoverage ? Math.round((alpha * maskCoverage[docIndex]) / 255) : alpha);
    }
  }
}

/** Document-sized values of a layer's user mask (255 where the mask is disabled or absent). */
function maskValues(layer: Layer, width: number, height: number): Uint8Array {
  const mask = layer.mask;
  const values = new Uint8Array(width * height);
  if (!mask || mask.disabled) return values.fill(255);
  values.fill(mask.defaultColor ?? 0);
  if (!mask.imageData) return values;
  const grey = toRgba8(mask.imageData, mask.imageData.width, mask.imageData.height);
  const left = mask.left ?? 0;
  const top = mask.top ?? 0;
  for (let y = 0; y < grey.height; y++) {
    const docY = top + y;
    if (docY < 0 || docY >= height) continue;
    for (let x = 0; x < grey.width; x++) {
      const docX = left + x;
      if (docX < 0 || docX >= width) continue;
      values[docY * width + docX] = grey.data[(y * grey.width + x) * 4];
    }
  }
  return values;
}

/** ag-psd gives 8-bit data as Uint8ClampedArray and 16-bit as Uint16Array (32-bit as Float32Array): bring to 8 bits. */
function toRgba8(pixels: { data: ArrayLike<number> }, width: number, height: number): Rgba {
  const source = pixels.data;
  if (source instanceof Uint8ClampedArray) return { width, height, data: source };
  const data = new Uint8ClampedArray(width * height * 4);
  const scale = source instanceof Uint16Array ? 255 / 65535 : source instanceof Float32Array ? 255 : 1;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(source[i] * scale);
  return { width, height, data };
}

async function readRgba(file: string, role: string): Promise<Rgba> {
  const bytes = await readFileOrExplain(file, role);
  try {
    const { data, info } = await sharp(bytes).ensureAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new InputError(`The ${role} ${path.basename(file)} is not a readable image (${(error as Error).message}); export it again as PNG or TIFF.`);
  }
}

async function readFileOrExplain(file: string, role: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new InputError(`The ${role} ${file} ${why}; check the path and try again.`);
  }
}

async function startsWithPsdSignature(file: string): Promise<boolean> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.toString('latin1') === '8BPS';
  } finally {
    await handle.close();
  }
}

function checkSameSize(image: Rgba, frame: Rgba, file: string): void {
  if (image.width !== frame.width || image.height !== frame.height) {
    throw new InputError(
      `${path.basename(file)} is ${image.width}x${image.height} but the frame is ${frame.width}x${frame.height}; export it at the frame's size without cropping or scaling.`,
    );
  }
}

function opaque(image: Rgba): void {
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
}

function hasTransparency(image: Rgba): boolean {
  for (let i = 3; i < image.data.length; i += 4) if (image.data[i] < 255) return true;
  return false;
}

function isUniform(image: Rgba): boolean {
  const data = image.data;
  for (let i = 4; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) return false;
  }
  return true;
}

/** `top` over the opaque `base`, in place in `top` (result opaque). */
function overComposite(top: Rgba, base: Rgba): void {
  for (let i = 0; i < top.data.length; i += 4) {
    const alpha = top.data[i + 3] / 255;
    for (let c = 0; c < 3; c++) top.data[i + c] = Math.round(top.data[i + c] * alpha + base.data[i + c] * (1 - alpha));
    top.data[i + 3] = 255;
  }
}

async function writePngAtomic(file: string, image: Rgba, channels: 3 | 4): Promise<void> {
  let pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 4 },
  });
  if (channels === 3) pipeline = pipeline.removeAlpha();
  await writeAtomic(file, await pipeline.png().toBuffer());
}

async function writeGreyPngAtomic(file: string, values: Uint8Array, width: number, height: number): Promise<void> {
  const png = await sharp(Buffer.from(values.buffer, values.byteOffset, values.length), { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  await writeAtomic(file, png);
}

/** Temp file in the same folder, then rename: readers never see a half-written file. */
async function writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(temp, bytes);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
