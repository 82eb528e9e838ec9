/**
 * What the still-tracked part of the edit tells a link of the correspondence chain (correspondence.ts): the pixels
 * that carry it, the scale at which it is seen, its affine motion and its brightness against the anchor. "Tracked"
 * means confidently chained pixels whose correspondence lands on the anchor's edit.
 */
import { medianOf } from './order-statistics';
import { boxMean, sampleBilinear, warpPlane } from './raster';

/** Chain confidence from which a pixel's correspondence counts as established (it claims its anchor content). */
export const CONFIDENT = 0.5;
/** Tracked edit pixels needed before what they say (scale, motion, brightness) is believed. */
export const SCALE_SAMPLES = 50;

/** Whether pixel `i`, moved by `flow`, lands on a non-zero point of `zone` (nearest grid point). */
export function landsIn(zone: Float32Array, flow: Float32Array, i: number, width: number, height: number): boolean {
  const x = Math.round((i % width) + flow[i]);
  const y = Math.round(Math.floor(i / width) + flow[width * height + i]);
  return x >= 0 && y >= 0 && x < width && y < height && zone[y * width + x] > 0;
}

/** The confidently chained pixels of a frame whose correspondence lands on `zone` (the anchor's edit, or part of it). */
export function trackedEditPixels(flow: Float32Array, conf: Float32Array, zone: Float32Array, width: number, height: number): Int32Array {
  const tracked = new Int32Array(width * height);
  let count = 0;
  for (let i = 0; i < width * height; i++) if (conf[i] >= CONFIDENT && landsIn(zone, flow, i, width, height)) tracked[count++] = i;
  return tracked.subarray(0, count);
}

/**
 * The median log area ratio, frame over anchor, at which the edit is seen: from the Jacobian of the frame→anchor
 * flow over confidently chained pixels that land on the anchor's edit, each with its four neighbours too (so motion
 * edges, where the flow jumps, do not count). Null with fewer than SCALE_SAMPLES such pixels.
 */
export function editLogScale(flow: Float32Array, conf: Float32Array, anchorMaskLow: Float32Array, width: number, height: number): number | null {
  const pixels = width * height;
  const carried = warpPlane(anchorMaskLow, flow, width, height);
  const tracked = carried.map((m, i) => (conf[i] >= CONFIDENT && m > 0.5 ? 1 : 0));
  const logs = new Float64Array(pixels);
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      if (!tracked[i] || !tracked[i - 1] || !tracked[i + 1] || !tracked[i - width] || !tracked[i + width]) continue;
      const dxu = (flow[i + 1] - flow[i - 1]) / 2;
      const dxv = (flow[pixels + i + 1] - flow[pixels + i - 1]) / 2;
      const dyu = (flow[i + width] - flow[i - width]) / 2;
      const dyv = (flow[pixels + i + width] - flow[pixels + i - width]) / 2;
      // det of d(anchor position)/d(frame position): anchor area per frame area.
      const det = (1 + dxu) * (1 + dyv) - dxv * dyu;
      logs[count++] = Math.log(Math.max(1e-3, Math.abs(det)));
    }
  }
  if (count < SCALE_SAMPLES) return null;
  return -medianOf(logs.subarray(0, count));
}

/**
 * A change of light (clouds, a turn towards a lamp, auto-exposure) scales the edited surface's brightness between the
 * anchor and a frame; compared in raw colours, a wrong patch of the right brightness then beats the true one
 * (measured: a ±15% light change on a tracked object took the moving decal on it from 25 to 12 dB). The propagation
 * of matches therefore compares patches at the tracked edit's brightness ratio, within MAX_GAIN either way. One
 * ratio per link, not one per region: a regional ratio read through a wrong flow at a motion edge misleads the very
 * pixels in doubt there (measured: keep-region −3.6 dB on fast motion).
 */
const MAX_GAIN = 1.5;

/** 3×3 mean of r + g + b. */
function localBrightness(rgb: Float32Array, width: number, height: number): Float32Array {
  const pixels = width * height;
  const sum = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) sum[i] = rgb[i] + rgb[pixels + i] + rgb[2 * pixels + i];
  return boxMean(sum, width, height, 1);
}

/** Each anchor's localBrightness, made once (every link of its chains compares against it). */
const anchorBrightnessCache = new WeakMap<Float32Array, Float32Array>();

/**
 * The frame's brightness over the anchor's on the tracked edit: the median ratio of 3×3 mean brightness over
 * confidently chained pixels that land on the anchor's edit, clamped to MAX_GAIN either way; 1 with fewer than
 * SCALE_SAMPLES such pixels.
 */
export function editBrightnessGain(frameLow: Float32Array, anchorLow: Float32Array, flow: Float32Array, conf: Float32Array, anchorMaskLow: Float32Array, width: number, height: number): number {
  const pixels = width * height;
  const frameBrightness = localBrightness(frameLow, width, height);
  let anchorBrightness = anchorBrightnessCache.get(anchorLow);
  if (!anchorBrightness) anchorBrightnessCache.set(anchorLow, (anchorBrightness = localBrightness(anchorLow, width, height)));
  const tracked = trackedEditPixels(flow, conf, anchorMaskLow, width, height);
  if (tracked.length < SCALE_SAMPLES) return 1;
  const ratios = new Float64Array(tracked.length);
  for (let k = 0; k < tracked.length; k++) {
    const i = tracked[k];
    const seen = sampleBilinear(anchorBrightness, width, height, (i % width) + flow[i], Math.floor(i / width) + flow[pixels + i]);
    ratios[k] = (frameBrightness[i] + 1e-3) / (seen + 1e-3);
  }
  const median = medianOf(ratios);
  return Math.min(MAX_GAIN, Math.max(1 / MAX_GAIN, median));
}

/** An affine motion field: flow(x, y) = (x[0] + x[1]·x + x[2]·y, y[0] + y[1]·x + y[2]·y). */
export interface AffineMotionField {
  x: [number, number, number];
  y: [number, number, number];
}

/** The tracked edit's affine motion, with the mean position and the number of its tracked pixels (outliers of the motion included). */
export interface TrackedEditMotion extends AffineMotionField {
  centre: [number, number];
  count: number;
}

/** Solves the 3×3 system m·v = r (Cramer's rule); null when singular. */
function solve3(m: number[], r: number[]): [number, number, number] | null {
  const det = (a: number[]) => a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6]);
  const d = det(m);
  if (Math.abs(d) < 1e-9) return null;
  const column = (k: number) => m.map((v, i) => (i % 3 === k ? r[Math.floor(i / 3)] : v));
  return [det(column(0)) / d, det(column(1)) / d, det(column(2)) / d];
}

/**
 * The least-squares affine field through the flow of pixels `indices` (basis 1, x, y), with their mean position and
 * count; null when they are degenerate (fewer than three, or all on a line).
 */
export function fitAffine(flow: Float32Array, indices: Int32Array, width: number, height: number): TrackedEditMotion | null {
  const pixels = width * height;
  // The normal equations, summed in scalars (per-pixel arrays cost ~10× the time at 1080p).
  let [n, sx, sy, sxx, sxy, syy] = [0, 0, 0, 0, 0, 0];
  let [u, ux, uy, v, vx, vy] = [0, 0, 0, 0, 0, 0];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const x = i % width;
    const y = Math.floor(i / width);
    const fu = flow[i];
    const fv = flow[pixels + i];
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    u += fu;
    ux += x * fu;
    uy += y * fu;
    v += fv;
    vx += x * fv;
    vy += y * fv;
  }
  const m = [n, sx, sy, sx, sxx, sxy, sy, sxy, syy];
  const x = solve3(m, [u, ux, uy]);
  const y = solve3(m, [v, vx, vy]);
  return x && y ? { x, y, centre: [sx / n, sy / n], count: n } : null;
}

/**
 * The affine motion of the tracked edit: least squares over confidently chained pixels that land on the anchor's
 * edit, refitted once without the pixels whose residual exceeds twice the median (or 1 px). Null with fewer than
 * SCALE_SAMPLES such pixels.
 */
export function trackedEditAffine(flow: Float32Array, conf: Float32Array, anchorMaskLow: Float32Array, width: number, height: number): TrackedEditMotion | null {
  const pixels = width * height;
  let tracked = trackedEditPixels(flow, conf, anchorMaskLow, width, height);
  const fit = (indices: Int32Array) => fitAffine(flow, indices, width, height);
  if (tracked.length < SCALE_SAMPLES) return null;
  const first = fit(tracked);
  if (!first) return null;
  const residuals = new Float64Array(tracked.length);
  for (let k = 0; k < tracked.length; k++) residuals[k] = strayFrom(first, flow, tracked[k], width, pixels);
  const limit = Math.max(1, 2 * medianOf(residuals.slice()));
  let kept = 0;
  for (let k = 0; k < tracked.length; k++) if (residuals[k] <= limit) tracked[kept++] = tracked[k];
  tracked = tracked.subarray(0, kept);
  const refitted = tracked.length < SCALE_SAMPLES ? first : (fit(tracked) ?? first);
  // Where and how much of the edit is tracked: all of its tracked pixels, outliers of the motion included.
  return { x: refitted.x, y: refitted.y, centre: first.centre, count: first.count };
}

/** How far pixel `i`'s flow is from what `field` gives it (affineAt written out: no pair allocated per pixel). */
export function strayFrom(field: AffineMotionField, flow: Float32Array, i: number, width: number, pixels: number): number {
  const x = i % width;
  const y = Math.floor(i / width);
  return Math.hypot(flow[i] - (field.x[0] + field.x[1] * x + field.x[2] * y), flow[pixels + i] - (field.y[0] + field.y[1] * x + field.y[2] * y));
}

/** The flow an affine field gives pixel (x, y). */
export function affineAt(field: AffineMotionField, x: number, y: number): [number, number] {
  return [field.x[0] + field.x[1] * x + field.x[2] * y, field.y[0] + field.y[1] * x + field.y[2] * y];
}

/**
 * The frame-to-anchor affine field of the next frame of a chain, for content that moved by `step` (next frame to
 * this one, uniform): f'(p) = step + f(p + step).
 */
export function stepAffine(field: AffineMotionField, step: [number, number]): AffineMotionField {
  const [sx, sy] = step;
  return {
    x: [field.x[0] + sx + field.x[1] * sx + field.x[2] * sy, field.x[1], field.x[2]],
    y: [field.y[0] + sy + field.y[1] * sx + field.y[2] * sy, field.y[1], field.y[2]],
  };
}

/** An affine field as a flow field over the whole grid. */
export function affineFlow(field: AffineMotionField, width: number, height: number): Float32Array {
  const pixels = width * height;
  const flow = new Float32Array(2 * pixels);
  const [ax, ay] = [field.x, field.y];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      flow[y * width + x] = ax[0] + ax[1] * x + ax[2] * y;
      flow[pixels + y * width + x] = ay[0] + ay[1] * x + ay[2] * y;
    }
  }
  return flow;
}
