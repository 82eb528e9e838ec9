/**
 * What the pipeline knows about one anchor, computed once: where the designer edited (the edit mask), a local
 * colour model of the edit (A·x + b per neighbourhood, fitted between original and edited anchor), how well that
 * model explains each edited pixel, and the range of colours the designer made. Pure functions.
 */
import type { GreyImage, RgbImage } from '../io/image-types';
import { learnColourLikelihood, learnColourOdds, type ColourLikelihood, type ColourOdds } from './membership';
import type { Rect } from './composite';
import { boundsOf, boxMean, cropPlanes, dilate, erode, pastePlane, resampleArea } from './raster';

export interface FlowGrid {
  width: number;
  height: number;
  /** Full-resolution pixels per flow-resolution pixel, per axis. */
  scaleX: number;
  scaleY: number;
}

export interface AnchorModel {
  index: number;
  /**
   * 5 planes at full resolution: edited R, G, B, carried edit mask, explained-by-colour-model (0..1). Where the
   * edit is a colour edit, the carried mask is the edit mask shrunk by about the correspondence's accuracy, so that
   * flow error at an object's border costs a sliver of edit rather than touching pixels that must stay as they are.
   */
  stack: Float32Array;
  /** The designer's edit mask itself (for the anchor frame's own output). */
  mask: Float32Array;
  /** Original anchor at flow resolution (3 planes). */
  low: Float32Array;
  /** Carried edit mask at flow resolution (1 plane): where the edit can reach, for cropping. */
  maskLow: Float32Array;
  /** P(edited | colour) learned from the anchor, for pixels whose correspondence is lost. */
  likelihood: ColourLikelihood;
  /** P(colour | edited) / P(colour | untouched) at the anchor: the colour veto's table. */
  odds: ColourOdds;
  /** Local colour model at flow resolution: 12 planes, A row-major (out × in) then b. */
  coeffs: Float32Array;
  editLow: [number, number, number];
  editHigh: [number, number, number];
  /** Fraction of the frame the edit covers. */
  coverage: number;
  /** The explained plane of `stack` at flow resolution (1 outside the edit). */
  explainedLow: Float32Array;
}

/**
 * An anchor model without its full-resolution planes, which only the render thread needs: what the chains and the
 * transfer's plan (flow resolution) work from.
 */
export type ChainAnchor = Omit<AnchorModel, 'stack' | 'mask'>;

/**
 * Flow resolution: long side 384 px (an exact fifth of 1080p; the correspondence's cost grows with its area), never
 * above the frame's own size; sides multiples of 8 (the correspondence pyramid has 4 levels).
 */
export const FLOW_LONG_SIDE = 384;

export function chooseFlowGrid(width: number, height: number): FlowGrid {
  const scale = Math.min(1, FLOW_LONG_SIDE / Math.max(width, height));
  const fw = Math.max(16, Math.round((width * scale) / 8) * 8);
  const fh = Math.max(16, Math.round((height * scale) / 8) * 8);
  return { width: fw, height: fh, scaleX: width / fw, scaleY: height / fh };
}

/**
 * Any channel changed by more than ~1.5 code values; small holes (colours an edit maps to themselves) closed over
 * `closeRadius` pixels (default: by the image's size).
 */
export function deriveEditMask(original: RgbImage, edited: RgbImage, closeRadius = closingRadiusOf(original.width, original.height)): Float32Array {
  const { width, height } = original;
  return erode(dilate(changedPixels(original, edited), width, height, closeRadius), width, height, closeRadius);
}

/** 1 where any channel of `edited` differs from `original` by more than ~1.5 code values, else 0. */
function changedPixels(original: RgbImage, edited: RgbImage): Float32Array {
  const n = original.width * original.height;
  const changed = new Float32Array(n);
  const threshold = 1.5 / (original.bitDepth === 16 ? 65535 : 255);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs(edited.data[c * n + i] - original.data[c * n + i]) > threshold) {
        changed[i] = 1;
        break;
      }
    }
  }
  return changed;
}

/**
 * Whether the designer changed any pixel of the anchor (inside `mask`, 1 = may change, when one is given): an
 * anchor exported unedited, or edited only outside its mask, carries no edit.
 */
export function carriesEdit(original: RgbImage, edited: RgbImage, mask: GreyImage | null): boolean {
  const changed = changedPixels(original, edited);
  return changed.some((v, i) => v > 0 && (!mask || mask.data[i] >= 0.5));
}

function closingRadiusOf(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 270));
}

interface Stats {
  meanF: number[];
  meanE: number[];
  covFF: number[]; // 3×3 row-major
  covEF: number[]; // 3×3 row-major, E rows × F columns
}

function weightedStats(orig: Float32Array, edit: Float32Array, weight: Float32Array, n: number): Stats {
  let total = 0;
  const sF = [0, 0, 0];
  const sE = [0, 0, 0];
  const sFF = new Array(9).fill(0);
  const sEF = new Array(9).fill(0);
  for (let i = 0; i < n; i++) {
    const w = weight[i];
    if (w <= 0) continue;
    total += w;
    for (let a = 0; a < 3; a++) {
      const fa = orig[a * n + i];
      const ea = edit[a * n + i];
      sF[a] += w * fa;
      sE[a] += w * ea;
      for (let b = 0; b < 3; b++) {
        sFF[a * 3 + b] += w * fa * orig[b * n + i];
        sEF[a * 3 + b] += w * ea * orig[b * n + i];
      }
    }
  }
  const t = Math.max(total, 1e-9);
  const meanF = sF.map((v) => v / t);
  const meanE = sE.map((v) => v / t);
  const covFF = sFF.map((v, k) => v / t - meanF[Math.floor(k / 3)] * meanF[k % 3]);
  const covEF = sEF.map((v, k) => v / t - meanE[Math.floor(k / 3)] * meanF[k % 3]);
  return { meanF, meanE, covFF, covEF };
}

/** Solves A = (covEF + eps·prior)(covFF + eps·I)^-1 — a ridge fit that falls back to `prior` without evidence. */
function solveAffine(covEF: number[], covFF: number[], prior: number[], eps: number, out: Float64Array): void {
  const m = covFF.slice();
  m[0] += eps;
  m[4] += eps;
  m[8] += eps;
  const inv = invert3(m);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      let acc = 0;
      for (let k = 0; k < 3; k++) acc += (covEF[r * 3 + k] + eps * prior[r * 3 + k]) * inv[k * 3 + c];
      out[r * 3 + c] = acc;
    }
  }
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  const s = 1 / (Math.abs(det) < 1e-18 ? 1e-18 : det);
  return [
    A * s, -(b * i - c * h) * s, (b * f - c * e) * s,
    B * s, (a * i - c * g) * s, -(a * f - c * d) * s,
    C * s, -(a * h - b * g) * s, (a * e - b * d) * s,
  ];
}

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/**
 * Local colour model of the edit: per pixel, the affine map from original to edited colours over a window,
 * using only edited pixels (so the background does not dilute it), shrunk towards one global map of the whole edit
 * where a window has little evidence (flat or barely edited areas).
 */
export function fitColourModel(orig: Float32Array, edit: Float32Array, mask: Float32Array, width: number, height: number, radius: number): Float32Array {
  const n = width * height;
  const global = weightedStats(orig, edit, mask, n);
  const globalA = new Float64Array(9);
  solveAffine(global.covEF, global.covFF, IDENTITY, 1e-3, globalA);
  const prior = Array.from(globalA);

  // Box means of the weighted moments: m, m·F (3), m·E (3), m·F·Fᵀ (9), m·E·Fᵀ (9).
  const moments: Float32Array[] = [];
  const push = (f: (i: number) => number) => {
    const plane = new Float32Array(n);
    for (let i = 0; i < n; i++) plane[i] = f(i);
    moments.push(boxMean(plane, width, height, radius));
  };
  push((i) => mask[i]);
  for (let a = 0; a < 3; a++) push((i) => mask[i] * orig[a * n + i]);
  for (let a = 0; a < 3; a++) push((i) => mask[i] * edit[a * n + i]);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) push((i) => mask[i] * orig[a * n + i] * orig[b * n + i]);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) push((i) => mask[i] * edit[a * n + i] * orig[b * n + i]);

  const globalFF = global.covFF.map((v, k) => v + global.meanF[Math.floor(k / 3)] * global.meanF[k % 3]);
  const globalEF = global.covEF.map((v, k) => v + global.meanE[Math.floor(k / 3)] * global.meanF[k % 3]);
  const priorCount = 0.05; // as if 5% of each window held pixels following the global statistics
  const coeffs = new Float32Array(12 * n);
  const A = new Float64Array(9);
  const meanF = [0, 0, 0];
  const meanE = [0, 0, 0];
  const covFF = new Array(9).fill(0);
  const covEF = new Array(9).fill(0);
  for (let i = 0; i < n; i++) {
    const count = moments[0][i] + priorCount;
    for (let a = 0; a < 3; a++) {
      meanF[a] = (moments[1 + a][i] + priorCount * global.meanF[a]) / count;
      meanE[a] = (moments[4 + a][i] + priorCount * global.meanE[a]) / count;
    }
    for (let k = 0; k < 9; k++) {
      const r = Math.floor(k / 3);
      const c = k % 3;
      covFF[k] = (moments[7 + k][i] + priorCount * globalFF[k]) / count - meanF[r] * meanF[c];
      covEF[k] = (moments[16 + k][i] + priorCount * globalEF[k]) / count - meanE[r] * meanF[c];
    }
    solveAffine(covEF, covFF, prior, 1e-3, A);
    for (let k = 0; k < 9; k++) coeffs[k * n + i] = A[k];
    for (let r = 0; r < 3; r++) {
      coeffs[(9 + r) * n + i] = meanE[r] - (A[r * 3] * meanF[0] + A[r * 3 + 1] * meanF[1] + A[r * 3 + 2] * meanF[2]);
    }
  }
  return coeffs;
}

/**
 * sampleBilinear's taps along one axis for full-resolution pixels start … start+count−1 on a grid of `size` cells,
 * each `scale` pixels: the two cells and the second one's weight (clamped to the border as sampleBilinear clamps).
 */
function bilinearTaps(start: number, count: number, scale: number, size: number): { first: Int32Array; second: Int32Array; fraction: Float64Array } {
  const first = new Int32Array(count);
  const second = new Int32Array(count);
  const fraction = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const at = Math.min(Math.max((start + j + 0.5) / scale - 0.5, 0), size - 1);
    first[j] = Math.floor(at);
    second[j] = Math.min(first[j] + 1, size - 1);
    fraction[j] = at - first[j];
  }
  return { first, second, fraction };
}

/**
 * 1 where the local colour model reproduces the designer's edit at the anchor (a colour edit: carry the model),
 * 0 where it cannot (paint, decals: carry the content). Evaluated at full resolution inside the edit mask; computed
 * over `region` only (it must hold the mask with a margin of 2): outside, nothing is edited and the answer is 1.
 */
export function explainedByColourModel(
  original: RgbImage,
  edited: RgbImage,
  mask: Float32Array,
  coeffs: Float32Array,
  grid: FlowGrid,
  region: Rect = { x: 0, y: 0, width: original.width, height: original.height },
): Float32Array {
  const { width, height } = original;
  const n = width * height;
  const fn = grid.width * grid.height;
  const residual = new Float32Array(region.width * region.height);
  const k = new Float64Array(12);
  // The coefficients' bilinear taps (as sampleBilinear takes them) depend on the column or the row alone: worked out
  // once per column and per row, not twelve times per pixel.
  const columns = bilinearTaps(region.x, region.width, grid.scaleX, grid.width);
  const rows = bilinearTaps(region.y, region.height, grid.scaleY, grid.height);
  for (let ry = 0; ry < region.height; ry++) {
    const y = region.y + ry;
    const top = rows.first[ry] * grid.width;
    const bottom = rows.second[ry] * grid.width;
    const fy = rows.fraction[ry];
    for (let rx = 0; rx < region.width; rx++) {
      const x = region.x + rx;
      const i = y * width + x;
      if (mask[i] <= 0) continue;
      const x0 = columns.first[rx];
      const x1 = columns.second[rx];
      const fx = columns.fraction[rx];
      for (let c = 0, base = 0; c < 12; c++, base += fn) {
        const upper = coeffs[base + top + x0] * (1 - fx) + coeffs[base + top + x1] * fx;
        const lower = coeffs[base + bottom + x0] * (1 - fx) + coeffs[base + bottom + x1] * fx;
        k[c] = upper * (1 - fy) + lower * fy;
      }
      let worst = 0;
      for (let r = 0; r < 3; r++) {
        const predicted = k[9 + r] + k[r * 3] * original.data[i] + k[r * 3 + 1] * original.data[n + i] + k[r * 3 + 2] * original.data[2 * n + i];
        worst = Math.max(worst, Math.abs(predicted - edited.data[r * n + i]));
      }
      residual[ry * region.width + rx] = worst;
    }
  }
  const smoothed = boxMean(residual, region.width, region.height, 1);
  const sigma = 0.06;
  const explained = new Float32Array(n).fill(1);
  // Loops, not map() with a closure: full-resolution planes (a whole 1080p frame for a grade).
  for (let i = 0; i < smoothed.length; i++) smoothed[i] = Math.exp(-(smoothed[i] / sigma) * (smoothed[i] / sigma));
  pastePlane(explained, width, smoothed, region);
  return explained;
}

/** 1 where `plane` ≥ 0.5, else 0. */
function binarised(plane: Float32Array): Float32Array {
  const out = new Float32Array(plane.length);
  for (let i = 0; i < plane.length; i++) out[i] = plane[i] >= 0.5 ? 1 : 0;
  return out;
}

export function buildAnchorModel(index: number, original: RgbImage, edited: RgbImage, givenMask: GreyImage | null, grid: FlowGrid): AnchorModel {
  const { width, height } = original;
  const n = width * height;
  const mask = givenMask ? binarised(givenMask.data) : deriveEditMask(original, edited);
  const low = resampleArea(original.data, 3, width, height, grid.width, grid.height);
  const editedLow = resampleArea(edited.data, 3, width, height, grid.width, grid.height);
  const maskLow = resampleArea(mask, 1, width, height, grid.width, grid.height);
  const radius = Math.max(2, Math.round(Math.min(grid.width, grid.height) / 40));
  const coeffs = fitColourModel(low, editedLow, maskLow, grid.width, grid.height, radius);
  // Half a flow-resolution pixel, in full-resolution pixels: about what the correspondence gets wrong at edges
  // (measured: a whole flow pixel costs decals their borders, 3–4 dB, for no keep-region gain).
  const shrink = Math.round(Math.max(grid.scaleX, grid.scaleY) / 2);
  // Full-resolution work only around the edit (a decal is a few % of the frame): outside this rect nothing is edited.
  // Its margin covers the reach of every filter below (erosion, the residual's box, the closing and its fringe).
  const closing = closingRadiusOf(width, height);
  const region = boundsOf(mask, width, height, Math.max(shrink, 2 * closing + 1) + 2) ?? { x: 0, y: 0, width: 0, height: 0 };
  const explained = explainedByColourModel(original, edited, mask, coeffs, grid, region);
  const maskInRegion = cropPlanes(mask, 1, width, height, region);
  const erodedInRegion = shrink > 0 ? erode(maskInRegion, region.width, region.height, shrink) : maskInRegion;
  // A painted edit is carried only where the designer changed pixels, and a pixel of antialiased fringe: inside a
  // generous mask, untouched pixels must stay the frame's own, not become resampled, re-lit anchor pixels.
  const inRegion = (image: RgbImage): RgbImage => ({ width: region.width, height: region.height, bitDepth: image.bitDepth, data: cropPlanes(image.data, 3, width, height, region) });
  const changedInRegion = givenMask
    ? dilate(deriveEditMask(inRegion(original), inRegion(edited), closing), region.width, region.height, 1)
    : maskInRegion; // a derived mask is the changed pixels already

  const stack = new Float32Array(5 * n);
  stack.set(edited.data, 0);
  // Only colour edits are shrunk: their border is an object's edge, where the correspondence is least sure. A painted
  // decal's border is its own shape, carried whole (shrinking a small decal costs it most of its area).
  const carried = new Float32Array(n);
  const editLow: [number, number, number] = [1, 1, 1];
  const editHigh: [number, number, number] = [0, 0, 0];
  let covered = 0;
  for (let ry = 0; ry < region.height; ry++) {
    for (let rx = 0; rx < region.width; rx++) {
      const i = (region.y + ry) * width + region.x + rx;
      const m = mask[i];
      const r = ry * region.width + rx;
      carried[i] = explained[i] * erodedInRegion[r] + (1 - explained[i]) * Math.min(m, changedInRegion[r]);
      if (m <= 0) continue;
      covered++;
      for (let c = 0; c < 3; c++) {
        const v = edited.data[c * n + i];
        if (v < editLow[c]) editLow[c] = v;
        if (v > editHigh[c]) editHigh[c] = v;
      }
    }
  }
  stack.set(carried, 3 * n);
  stack.set(explained, 4 * n);
  // Widen a little: lighting in other frames legitimately moves colours past the anchor's extremes.
  const margin = 0.06;
  for (let c = 0; c < 3; c++) {
    editLow[c] = Math.max(0, editLow[c] - margin);
    editHigh[c] = Math.min(1, editHigh[c] + margin);
  }
  const carriedLow = resampleArea(carried, 1, width, height, grid.width, grid.height);
  const likelihood = learnColourLikelihood(low, carriedLow, grid.width * grid.height);
  const odds = learnColourOdds(low, carriedLow, grid.width * grid.height);
  const explainedLow = resampleArea(explained, 1, width, height, grid.width, grid.height);
  return { index, stack, mask, low, maskLow: carriedLow, explainedLow, likelihood, odds, coeffs, editLow, editHigh, coverage: covered / n };
}
