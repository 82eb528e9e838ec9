/**
 * Edit layers, the blending of several anchors' layers, and the final composite. Pure functions.
 *
 * A layer covers a rectangle of the frame (the region the edit can reach); outside it nothing changes. LoRA-Edit's
 * mask rule: wherever alpha is zero the output IS the source pixel (bit-exact after quantisation).
 */
import type { InterleavedImage, RgbImage } from '../io/image-types';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EditLayer {
  /** Frame size. */
  frameWidth: number;
  frameHeight: number;
  rect: Rect;
  /** Edited colours over `rect`, 3 planes. Meaningful where alpha > 0. */
  rgb: Float32Array;
  /** Edit opacity over `rect`; exactly 0 wherever the frame must stay as it is. */
  alpha: Float32Array;
}

/** Alpha below half a code value is treated as no edit, so the keep region stays bit-exact. */
const ALPHA_FLOOR = 0.5 / 255;

export function emptyLayer(frameWidth: number, frameHeight: number): EditLayer {
  return { frameWidth, frameHeight, rect: { x: 0, y: 0, width: 0, height: 0 }, rgb: new Float32Array(0), alpha: new Float32Array(0) };
}

export interface WeightedLayer {
  layer: EditLayer;
  /** Temporal weight of this anchor for the frame (nearer anchors weigh more). */
  weight: number;
}

function unionRect(rects: Rect[]): Rect {
  const live = rects.filter((r) => r.width > 0 && r.height > 0);
  if (live.length === 0) return { x: 0, y: 0, width: 0, height: 0 };
  const x0 = Math.min(...live.map((r) => r.x));
  const y0 = Math.min(...live.map((r) => r.y));
  const x1 = Math.max(...live.map((r) => r.x + r.width));
  const y1 = Math.max(...live.map((r) => r.y + r.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Per pixel: alpha = the strongest anchor's alpha; colour = alpha·weight-weighted mean of the anchors' colours. */
export function blendLayers(layers: WeightedLayer[]): EditLayer {
  if (layers.length === 1) return layers[0].layer;
  const { frameWidth, frameHeight } = layers[0].layer;
  const rect = unionRect(layers.map((l) => l.layer.rect));
  const pixels = rect.width * rect.height;
  const rgb = new Float32Array(3 * pixels);
  const alpha = new Float32Array(pixels);
  const total = new Float32Array(pixels);
  for (const { layer, weight } of layers) {
    const r = layer.rect;
    const n = r.width * r.height;
    for (let y = 0; y < r.height; y++) {
      for (let x = 0; x < r.width; x++) {
        const src = y * r.width + x;
        const dst = (r.y + y - rect.y) * rect.width + (r.x + x - rect.x);
        const a = layer.alpha[src];
        if (a > alpha[dst]) alpha[dst] = a;
        const w = a * weight;
        if (w <= 0) continue;
        total[dst] += w;
        for (let c = 0; c < 3; c++) rgb[c * pixels + dst] += w * layer.rgb[c * n + src];
      }
    }
  }
  for (let i = 0; i < pixels; i++) {
    if (total[i] > 0) for (let c = 0; c < 3; c++) rgb[c * pixels + i] /= total[i];
  }
  return { frameWidth, frameHeight, rect, rgb, alpha };
}

/**
 * Final alpha: below the floor → 0, capped at 1, and limited by an optional frame mask (full-frame plane, 1 = may
 * change) given for this frame.
 */
export function finalAlpha(layer: EditLayer, frameMask?: Float32Array): EditLayer {
  const { rect, frameWidth } = layer;
  const alpha = new Float32Array(layer.alpha.length);
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const i = y * rect.width + x;
      const a = layer.alpha[i];
      const allowed = !frameMask || frameMask[(rect.y + y) * frameWidth + rect.x + x] >= 0.5;
      alpha[i] = a < ALPHA_FLOOR || !allowed ? 0 : Math.min(1, a);
    }
  }
  return { ...layer, alpha };
}

/** source·(1 − alpha) + layer·alpha inside the layer's rect; every other pixel is the source's, untouched. */
export function composite(source: RgbImage, layer: EditLayer): RgbImage {
  const pixels = source.width * source.height;
  const data = new Float32Array(source.data);
  const { rect } = layer;
  const n = rect.width * rect.height;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const i = y * rect.width + x;
      const a = layer.alpha[i];
      if (a === 0) continue;
      const p = (rect.y + y) * source.width + rect.x + x;
      for (let c = 0; c < 3; c++) {
        const k = c * pixels + p;
        data[k] = source.data[k] + (layer.rgb[c * n + i] - source.data[k]) * a;
      }
    }
  }
  return { width: source.width, height: source.height, bitDepth: source.bitDepth, data };
}

/**
 * `composite`, written straight into interleaved samples for encoding: a copy of the file's own samples, with only the
 * layer's touched pixels recomputed (the same float32 blend and rounding as composite + interleave, so the output is
 * identical). Null when the image carries no file samples.
 */
export function compositeSamples(source: RgbImage, layer: EditLayer): InterleavedImage | null {
  if (!source.fileSamples) return null;
  const { width, height } = source;
  const pixels = width * height;
  const samples = source.fileSamples.slice();
  const max = source.bitDepth === 16 ? 65535 : 255;
  const { rect } = layer;
  const n = rect.width * rect.height;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const i = y * rect.width + x;
      const a = layer.alpha[i];
      if (a === 0) continue;
      const p = (rect.y + y) * width + rect.x + x;
      for (let c = 0; c < 3; c++) {
        const before = source.data[c * pixels + p];
        const v = Math.fround(before + (layer.rgb[c * n + i] - before) * a) * max;
        samples[3 * p + c] = v <= 0 ? 0 : v >= max ? max : (v + 0.5) | 0;
      }
    }
  }
  return { width, height, channels: 3, samples };
}

/** The layer spread over the whole frame (for writing it as an RGBA image): colour and alpha planes. */
export function fullFrameLayer(layer: EditLayer): { rgb: Float32Array; alpha: Float32Array } {
  const { frameWidth, frameHeight, rect } = layer;
  const pixels = frameWidth * frameHeight;
  const n = rect.width * rect.height;
  const rgb = new Float32Array(3 * pixels);
  const alpha = new Float32Array(pixels);
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const i = y * rect.width + x;
      const p = (rect.y + y) * frameWidth + rect.x + x;
      alpha[p] = layer.alpha[i];
      for (let c = 0; c < 3; c++) rgb[c * pixels + p] = layer.rgb[c * n + i];
    }
  }
  return { rgb, alpha };
}

/** The anchor frame itself: the designer's pixels inside the mask, the source outside. */
export function anchorLayer(anchorStack: Float32Array, mask: Float32Array, width: number, height: number): EditLayer {
  return { frameWidth: width, frameHeight: height, rect: { x: 0, y: 0, width, height }, rgb: anchorStack.subarray(0, 3 * width * height), alpha: mask };
}

export interface LayerStats {
  coverage: number;
  confidence: number;
}

export function layerStats(layer: EditLayer): LayerStats {
  let covered = 0;
  let alphaSum = 0;
  let touched = 0;
  for (const a of layer.alpha) {
    if (a >= 0.5) covered++;
    if (a > 0) {
      touched++;
      alphaSum += a;
    }
  }
  return { coverage: covered / (layer.frameWidth * layer.frameHeight), confidence: touched ? alphaSum / touched : 0 };
}
