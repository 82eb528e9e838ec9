/**
 * Blending of several anchors' layers and the final composite. Pure functions.
 *
 * LoRA-Edit's mask rule: wherever the combined alpha is zero the output IS the source pixel (bit-exact after
 * quantisation), so the keep region never changes.
 */
import type { RgbImage } from '../io/image-types';
import type { EditLayer } from './restore';

/** Alpha below half a code value is treated as no edit, so the keep region stays bit-exact. */
const ALPHA_FLOOR = 0.5 / 255;

export interface WeightedLayer {
  layer: EditLayer;
  /** Temporal weight of this anchor for the frame (nearer anchors weigh more). */
  weight: number;
}

/** Per pixel: alpha = the strongest anchor's alpha; colour = alpha·weight-weighted mean of the anchors' colours. */
export function blendLayers(layers: WeightedLayer[], pixels: number): EditLayer {
  if (layers.length === 1) return layers[0].layer;
  const rgb = new Float32Array(3 * pixels);
  const alpha = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let total = 0;
    let best = 0;
    let r = 0;
    let g = 0;
    let b = 0;
    for (const { layer, weight } of layers) {
      const a = layer.alpha[i];
      if (a > best) best = a;
      const w = a * weight;
      total += w;
      r += w * layer.rgb[i];
      g += w * layer.rgb[pixels + i];
      b += w * layer.rgb[2 * pixels + i];
    }
    alpha[i] = best;
    if (total > 0) {
      rgb[i] = r / total;
      rgb[pixels + i] = g / total;
      rgb[2 * pixels + i] = b / total;
    }
  }
  return { rgb, alpha };
}

/** Zeroes alpha below the floor; returns the cleaned layer. */
export function cleanAlpha(layer: EditLayer): EditLayer {
  const alpha = layer.alpha.map((a) => (a < ALPHA_FLOOR ? 0 : Math.min(1, a)));
  return { rgb: layer.rgb, alpha };
}

/** source·(1 − alpha) + layer·alpha; pixels with alpha 0 are copied, not recomputed. */
export function composite(source: RgbImage, layer: EditLayer): RgbImage {
  const pixels = source.width * source.height;
  const data = new Float32Array(source.data);
  for (let i = 0; i < pixels; i++) {
    const a = layer.alpha[i];
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) {
      const k = c * pixels + i;
      data[k] = source.data[k] + (layer.rgb[k] - source.data[k]) * a;
    }
  }
  return { ...source, data };
}

/** The anchor frame itself: the designer's pixels inside the mask, the source outside. */
export function anchorLayer(anchorStack: Float32Array, mask: Float32Array, pixels: number): EditLayer {
  return { rgb: anchorStack.subarray(0, 3 * pixels), alpha: mask };
}

export interface LayerStats {
  coverage: number;
  confidence: number;
}

export function layerStats(layer: EditLayer, pixels: number): LayerStats {
  let covered = 0;
  let alphaSum = 0;
  let touched = 0;
  for (let i = 0; i < pixels; i++) {
    const a = layer.alpha[i];
    if (a >= 0.5) covered++;
    if (a > 0) {
      touched++;
      alphaSum += a;
    }
  }
  return { coverage: covered / pixels, confidence: touched ? alphaSum / touched : 0 };
}
