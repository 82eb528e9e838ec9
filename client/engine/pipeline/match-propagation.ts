/**
 * PatchMatch-style propagation of good correspondences into doubtful ones (part of the correspondence stage).
 *
 * Near a motion edge, windowed matching and smoothing give the pixels of one layer the other layer's motion, and a
 * chain of neighbour flows passes that error on while its forward–backward check stays consistent (both directions
 * err the same way). Each doubtful pixel therefore tries the motion of its neighbours — extended by their local
 * affine motion, so a rotating or scaling surface is followed — and keeps whichever candidate makes its patch look
 * most like the anchor. Good motion spreads from a layer's interior to its edge and stops where the other layer's
 * own motion matches better.
 */
import type { Rect } from './composite';
import { boundsOf } from './raster';

/** Patch taps: a 5×5 patch at flow resolution sampled every second pixel (3×3 taps). */
const PATCH_OFFSETS = [-2, 0, 2];
const TAPS = PATCH_OFFSETS.length ** 2;
/** A candidate must lower the cost by this factor to replace the current motion (no churn on noise). */
const IMPROVEMENT = 0.9;
/** Weight of the difference in patch mean colour next to the zero-mean structure difference. */
const MEAN_WEIGHT = 0.25;
/** Candidates closer than this to the current motion (flow px, and per px of offset for the Jacobian) are skipped. */
const SAME_MOTION = 0.05;
/**
 * Besides the adjacent neighbours, the neighbours this far back along the scan (flow-resolution pixels) are tried
 * too: motion can then reach a surface's part across an occluder a few tens of pixels wide, or across a strip that
 * was re-acquired wrongly as a whole.
 */
const JUMPS = [8, 24];

/** Local affine motion: flow (fx, fy) and its Jacobian (∂fx/∂x, ∂fx/∂y, ∂fy/∂x, ∂fy/∂y). */
export interface AffineMotion {
  fx: number;
  fy: number;
  jxx: number;
  jxy: number;
  jyx: number;
  jyy: number;
}

/**
 * Jacobian of a flow field (2 planes) over `box`: planes ∂fx/∂x, ∂fx/∂y, ∂fy/∂x, ∂fy/∂y. Each is the smaller of the
 * forward and backward differences (zero where they disagree in sign: the minmod limiter), so a pixel next to a
 * motion edge gets the slope of its own side, not the jump. Zero outside `box`.
 */
export function flowJacobian(flow: Float32Array, width: number, height: number, box: Rect): Float32Array[] {
  const pixels = width * height;
  const planes = [new Float32Array(pixels), new Float32Array(pixels), new Float32Array(pixels), new Float32Array(pixels)];
  for (let c = 0; c < 2; c++) {
    const f = c * pixels;
    const alongX = planes[2 * c];
    const alongY = planes[2 * c + 1];
    for (let y = box.y; y < box.y + box.height; y++) {
      const row = f + y * width;
      const up = y > 0 ? row - width : -1;
      const down = y < height - 1 ? row + width : -1;
      for (let x = box.x; x < box.x + box.width; x++) {
        const here = flow[row + x];
        const back = x > 0 ? here - flow[row + x - 1] : NaN;
        const ahead = x < width - 1 ? flow[row + x + 1] - here : NaN;
        alongX[y * width + x] = minmod(back, ahead);
        alongY[y * width + x] = minmod(up >= 0 ? here - flow[up + x] : NaN, down >= 0 ? flow[down + x] - here : NaN);
      }
    }
  }
  return planes;
}

/** The smaller in magnitude of two slopes of one sign, 0 if their signs differ; NaN (no neighbour) defers to the other. */
function minmod(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : b;
  if (Number.isNaN(b)) return a;
  if (a * b <= 0) return 0;
  return Math.abs(a) < Math.abs(b) ? a : b;
}

/**
 * Patch cost of matching pixel (x, y) of `frame` to the anchor under `motion` (both 3-plane images at the same
 * size), with the anchor's samples scaled by `gain` (the frame's brightness over the anchor's, tracked-edit.ts
 * editBrightnessGain): per channel, the variance of the patch difference (structure) plus MEAN_WEIGHT × its squared
 * mean (colour), averaged over channels. Bilinear anchor samples, clamped to the border.
 */
export function patchCost(frame: Float32Array, anchor: Float32Array, width: number, height: number, x: number, y: number, motion: AffineMotion, gain = 1): number {
  const pixels = width * height;
  let sumR = 0, sumG = 0, sumB = 0, squares = 0;
  for (const dy of PATCH_OFFSETS) {
    const py = Math.min(height - 1, Math.max(0, y + dy));
    for (const dx of PATCH_OFFSETS) {
      const px = Math.min(width - 1, Math.max(0, x + dx));
      // raster.sampleBilinear inlined: one set of taps and weights serves all three planes (the hot loop here).
      const ax = Math.min(Math.max(x + dx + motion.fx + motion.jxx * dx + motion.jxy * dy, 0), width - 1);
      const ay = Math.min(Math.max(y + dy + motion.fy + motion.jyx * dx + motion.jyy * dy, 0), height - 1);
      const x0 = Math.floor(ax);
      const y0 = Math.floor(ay);
      const x1 = Math.min(x0 + 1, width - 1);
      const y1 = Math.min(y0 + 1, height - 1);
      const wx = ax - x0;
      const wy = ay - y0;
      const w00 = gain * (1 - wx) * (1 - wy), w01 = gain * wx * (1 - wy), w10 = gain * (1 - wx) * wy, w11 = gain * wx * wy;
      const i00 = y0 * width + x0, i01 = y0 * width + x1, i10 = y1 * width + x0, i11 = y1 * width + x1;
      const f = py * width + px;
      const dR = frame[f] - (anchor[i00] * w00 + anchor[i01] * w01 + anchor[i10] * w10 + anchor[i11] * w11);
      const dG = frame[pixels + f] - (anchor[pixels + i00] * w00 + anchor[pixels + i01] * w01 + anchor[pixels + i10] * w10 + anchor[pixels + i11] * w11);
      const q = 2 * pixels;
      const dB = frame[q + f] - (anchor[q + i00] * w00 + anchor[q + i01] * w01 + anchor[q + i10] * w10 + anchor[q + i11] * w11);
      sumR += dR;
      sumG += dG;
      sumB += dB;
      squares += dR * dR + dG * dG + dB * dB;
    }
  }
  // Σ (d − mean)² / n = Σ d² / n − mean²; the colour term adds MEAN_WEIGHT × mean².
  const meanSquares = ((sumR / TAPS) ** 2 + (sumG / TAPS) ** 2 + (sumB / TAPS) ** 2);
  return (squares / TAPS - (1 - MEAN_WEIGHT) * meanSquares) / 3;
}

/**
 * Improves `flow` (frame → anchor, 2 planes, flow-resolution pixels) in place at the pixels where `doubtful` is
 * non-zero: two scan passes (down-right, then up-left), each pixel trying the affine motion of its two
 * already-visited neighbours and of the pixels JUMPS further back along the same row and column. Returns how many
 * pixels took a neighbour's motion.
 */
export function propagateMatches(frameLow: Float32Array, anchorLow: Float32Array, flow: Float32Array, doubtful: Uint8Array, width: number, height: number, gain = 1): number {
  const pixels = width * height;
  const box = boundsOf(doubtful, width, height, 0);
  if (!box) return 0;
  // Every pixel a candidate comes from needs its Jacobian: up to the farthest jump beyond the doubtful ones.
  const [jxx, jxy, jyx, jyy] = flowJacobian(flow, width, height, boundsOf(doubtful, width, height, Math.max(1, ...JUMPS))!);
  const cost = new Float32Array(pixels).fill(-1);
  const adopted = new Uint8Array(pixels);
  const own: AffineMotion = { fx: 0, fy: 0, jxx: 0, jxy: 0, jyx: 0, jyy: 0 };
  const candidate: AffineMotion = { fx: 0, fy: 0, jxx: 0, jxy: 0, jyx: 0, jyy: 0 };
  const load = (motion: AffineMotion, i: number) => {
    motion.fx = flow[i];
    motion.fy = flow[pixels + i];
    motion.jxx = jxx[i];
    motion.jxy = jxy[i];
    motion.jyx = jyx[i];
    motion.jyy = jyy[i];
  };
  const store = (motion: AffineMotion, i: number) => {
    flow[i] = motion.fx;
    flow[pixels + i] = motion.fy;
    jxx[i] = motion.jxx;
    jxy[i] = motion.jxy;
    jyx[i] = motion.jyx;
    jyy[i] = motion.jyy;
  };
  /** Tries the motion of neighbour (nx, ny), carried to (x, y) along its affine field. */
  const tryNeighbour = (x: number, y: number, nx: number, ny: number) => {
    if (nx < 0 || ny < 0 || nx >= width || ny >= height) return;
    const i = y * width + x;
    load(candidate, ny * width + nx);
    const ox = x - nx;
    const oy = y - ny;
    candidate.fx += candidate.jxx * ox + candidate.jxy * oy;
    candidate.fy += candidate.jyx * ox + candidate.jyy * oy;
    load(own, i);
    if (sameMotion(candidate, own)) return;
    const candidateCost = patchCost(frameLow, anchorLow, width, height, x, y, candidate, gain);
    if (candidateCost >= cost[i] * IMPROVEMENT) return;
    cost[i] = candidateCost;
    store(candidate, i);
    adopted[i] = 1;
  };
  const visit = (x: number, y: number, step: number) => {
    const i = y * width + x;
    if (!doubtful[i]) return;
    if (cost[i] < 0) {
      load(own, i);
      cost[i] = patchCost(frameLow, anchorLow, width, height, x, y, own, gain);
    }
    tryNeighbour(x, y, x - step, y);
    tryNeighbour(x, y, x, y - step);
    for (const jump of JUMPS) {
      tryNeighbour(x, y, x - step * jump, y);
      tryNeighbour(x, y, x, y - step * jump);
    }
  };
  const [x0, y0, x1, y1] = [box.x, box.y, box.x + box.width - 1, box.y + box.height - 1];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) visit(x, y, 1);
  for (let y = y1; y >= y0; y--) for (let x = x1; x >= x0; x--) visit(x, y, -1);
  return adopted.reduce((sum, a) => sum + a, 0);
}

function sameMotion(a: AffineMotion, b: AffineMotion): boolean {
  return (
    Math.abs(a.fx - b.fx) < SAME_MOTION &&
    Math.abs(a.fy - b.fy) < SAME_MOTION &&
    Math.abs(a.jxx - b.jxx) + Math.abs(a.jxy - b.jxy) + Math.abs(a.jyx - b.jyx) + Math.abs(a.jyy - b.jyy) < SAME_MOTION
  );
}
