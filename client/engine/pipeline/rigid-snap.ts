/**
 * Painted edits on surfaces that move as one piece. Lettering on a sign, a logo on a card, a decal on a car door: over
 * the edit, the surface moves rigidly in most shots (what a compositor's planar tracker assumes). Where most of the
 * tracked edit agrees on one affine motion, a pixel whose correspondence strays from it onto painted content is
 * carried by that motion instead. A correspondence that slid along a low-texture surface, or one re-acquired after
 * an occluder hid the edit, otherwise smears the paint or breaks it apart (measured on a sign whose lettering a
 * passer-by hides: edit region 18.5 → 21.0 dB, keep region 39.8 → 45.1 dB).
 *
 * Only painted edits are snapped, and only on their painted content. A colour edit needs membership, not position:
 * its coefficients are smooth, and background revealed behind a moving object is graded through whatever part of the
 * edit its correspondence finds (snapping that to the camera's motion lands it under the object, outside the edit:
 * measured −5 dB on a background grade). An edit that does not move as one piece (cloth, a walking animal, two
 * objects), or whose paint moves otherwise than the rest of it, finds no consensus and is left alone. Only the flow
 * the transfer uses changes; the chain's own state goes on as it was. Pure functions.
 */
import type { ChainAnchor, FlowGrid } from './anchor-model';
import type { ChainState } from './correspondence';
import { sampleBilinear } from './raster';
import { affineAt, fitAffine, landsIn, SCALE_SAMPLES, strayFrom, trackedEditPixels, type AffineMotionField } from './tracked-edit';

/** Flow-resolution distance within which a pixel's correspondence agrees with the consensus motion. */
const AGREES = 1;
/** Share of the tracked edit that must agree on one motion before it is trusted over the pixels that disagree. */
const CONSENSUS = 0.7;
/** Random three-pixel hypotheses tried; with a 70% consensus, 64 all miss it with a chance of ~1e-12. */
const HYPOTHESES = 64;
/** Tracked pixels the consensus is measured on (evenly spread): enough to measure a share, cheap on a large edit. */
const SCORED = 2000;
/** `explained` under which the anchor's edit at a point is painted content, not a colour change. */
const PAINTED = 0.5;
/**
 * Tracked painted pixels needed to tell whether the paint moves with the edit's consensus, and the share of them that
 * must. Half, not CONSENSUS: the strays are mostly paint (a re-acquired sign's lettering agreed 64% on one frame
 * whose edit agreed 73%), while paint that moves otherwise (a logo on a passing car) agrees hardly at all.
 */
const PAINT_CHECKED = 10;
const PAINT_AGREES = 0.5;

/**
 * Share of the edit that must be paint for the edit to count as painted. A colour edit leaves a residue of cells its
 * local colour model does not explain (measured: 1–10% on the real clips' recolours and keyed tints, under 0.5% on
 * grades), which is left alone; decals and lettering are most of their edit.
 */
const PAINTED_EDIT = 0.25;

const paintOfAnchor = new WeakMap<ChainAnchor, Float32Array | null>();

/** 1 where the anchor's edit is painted content, else 0 (flow resolution); null unless the edit is painted. Made once. */
function paintOf(anchor: ChainAnchor): Float32Array | null {
  if (paintOfAnchor.has(anchor)) return paintOfAnchor.get(anchor)!;
  let paint: Float32Array | null = new Float32Array(anchor.maskLow.length);
  let [edited, painted] = [0, 0];
  for (let i = 0; i < paint.length; i++) {
    if (anchor.maskLow[i] <= 0) continue;
    edited++;
    if (anchor.explainedLow[i] < PAINTED) [paint[i], painted] = [1, painted + 1];
  }
  if (painted === 0 || painted < PAINTED_EDIT * edited) paint = null;
  paintOfAnchor.set(anchor, paint);
  return paint;
}

/** The affine field through three pixels' flow exactly; null when they (nearly) lie on a line. */
function throughThree(flow: Float32Array, a: number, b: number, c: number, width: number, pixels: number): AffineMotionField | null {
  const [ax, ay, bx, by, cx, cy] = [a % width, Math.floor(a / width), b % width, Math.floor(b / width), c % width, Math.floor(c / width)];
  const det = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
  if (Math.abs(det) < 1) return null;
  const solve = (offset: number): [number, number, number] => {
    const [fa, fb, fc] = [flow[offset + a], flow[offset + b], flow[offset + c]];
    const gx = ((fb - fa) * (cy - ay) - (fc - fa) * (by - ay)) / det;
    const gy = ((fc - fa) * (bx - ax) - (fb - fa) * (cx - ax)) / det;
    return [fa - gx * ax - gy * ay, gx, gy];
  };
  return { x: solve(0), y: solve(pixels) };
}

/** How many of pixels `indices` have a flow within AGREES of what `field` gives them. */
function countAgreeing(field: AffineMotionField, flow: Float32Array, indices: Int32Array, width: number, pixels: number): number {
  let count = 0;
  for (let k = 0; k < indices.length; k++) if (strayFrom(field, flow, indices[k], width, pixels) <= AGREES) count++;
  return count;
}

/**
 * The affine motion most of the tracked part of `zone` (confidently chained pixels that land on it) agrees on
 * (RANSAC: three-pixel hypotheses, then least squares over the tracked pixels that agree with the best), and the
 * share of the tracked pixels that agree with it. A large edit is measured on an even spread of SCORED of its tracked
 * pixels (a background grade tracks ~70 000). Null with fewer than SCALE_SAMPLES tracked pixels. Deterministic.
 */
export function consensusMotion(flow: Float32Array, conf: Float32Array, zone: Float32Array, width: number, height: number): { field: AffineMotionField; share: number } | null {
  const pixels = width * height;
  const tracked = trackedEditPixels(flow, conf, zone, width, height);
  if (tracked.length < SCALE_SAMPLES) return null;
  const stride = Math.max(1, Math.floor(tracked.length / SCORED));
  const sample = stride === 1 ? tracked : tracked.filter((_, k) => k % stride === 0);
  let seed = 0x2545f491;
  const pick = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return sample[Math.floor((seed / 2 ** 32) * sample.length)];
  };
  let best: AffineMotionField | null = null;
  let bestVotes = -1;
  for (let h = 0; h < HYPOTHESES; h++) {
    const field = throughThree(flow, pick(), pick(), pick(), width, pixels);
    const votes = field ? countAgreeing(field, flow, sample, width, pixels) : -1;
    if (votes > bestVotes) [best, bestVotes] = [field, votes];
  }
  if (!best) return null;
  const agreeing = sample.filter((i) => strayFrom(best!, flow, i, width, pixels) <= AGREES);
  const field = fitAffine(flow, agreeing, width, height) ?? best;
  return { field, share: countAgreeing(field, flow, sample, width, pixels) / sample.length };
}

/**
 * The flow to carry the anchor's edit with: the state's own, except that where the tracked edit, and its painted part
 * too, moves as one piece (consensusMotion, CONSENSUS), a pixel whose correspondence lands on the edit but strays from
 * that motion, by its own landing or the motion's on painted content, takes the motion's flow. The state's flow
 * itself when nothing is snapped.
 */
export function snapStrayPaint(grid: FlowGrid, anchor: ChainAnchor, state: ChainState): Float32Array {
  const { width, height } = grid;
  const pixels = width * height;
  const paint = paintOf(anchor);
  if (!paint) return state.flow;
  const consensus = consensusMotion(state.flow, state.conf, anchor.maskLow, width, height);
  if (!consensus || consensus.share < CONSENSUS) return state.flow;
  const { field } = consensus;
  // The tracked paint must mostly move with the edit's consensus too: a logo painted on a car, in an edit that also
  // grades the street, moves with the car.
  const trackedPaint = trackedEditPixels(state.flow, state.conf, paint, width, height);
  const paintAgrees = countAgreeing(field, state.flow, trackedPaint, width, pixels);
  if (trackedPaint.length < PAINT_CHECKED || paintAgrees < PAINT_AGREES * trackedPaint.length) return state.flow;
  const paintAt = (x: number, y: number) => sampleBilinear(anchor.explainedLow, width, height, x, y) < PAINTED;
  let snapped: Float32Array | null = null;
  for (let i = 0; i < pixels; i++) {
    if (!landsIn(anchor.maskLow, state.flow, i, width, height) || strayFrom(field, state.flow, i, width, pixels) <= AGREES) continue;
    const x = i % width;
    const y = Math.floor(i / width);
    const [u, v] = affineAt(field, x, y);
    if (!paintAt(x + state.flow[i], y + state.flow[pixels + i]) && !paintAt(x + u, y + v)) continue;
    snapped ??= state.flow.slice();
    snapped[i] = u;
    snapped[pixels + i] = v;
  }
  return snapped ?? state.flow;
}
