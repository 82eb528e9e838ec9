/**
 * Correspondence stage: the motion estimate everything else is guided by (VideoJAM's point).
 *
 * A chain walks from an anchor one frame at a time. Each link measures the neighbour flows both ways (large motion
 * is easy between neighbours), composes them with the neighbour's flow to the anchor, then refines the frame
 * directly against the anchor around that composition (which removes the drift a long chain accumulates), unless
 * the edit is seen at a scale too far from the anchor's for patches to match (refineTrust). Where
 * that direct match stays poor, pixels try their neighbours' motion (PatchMatch-style propagation,
 * match-propagation.ts), which stops the other layer's motion creeping in at motion edges. When pixels are lost, a
 * full search against the anchor finds content again after an occlusion: from the camera's motion, and from the
 * motion of the edit's still-tracked part (tracked-edit.ts) for an object that comes out from behind an occluder.
 * The chain remembers the camera's motion and whether the edit moves with it, so an edit wholly hidden for a while
 * (a sign behind a passer-by) is searched for where the camera puts it.
 * Confidence = the better of the chain's forward–backward consistency and the direct match quality, so content
 * that was occluded for a while is picked up again when it reappears.
 */
import type { FlowGrid } from './anchor-model';
import type { SessionSet } from '../runtime/models';
import { propagateMatches } from './match-propagation';
import { boxMean, dilate, sampleBilinear, warpPlane } from './raster';
import { affineAt, affineFlow, CONFIDENT, editBrightnessGain, editLogScale, landsIn, stepAffine, trackedEditAffine, type AffineMotionField, type TrackedEditMotion } from './tracked-edit';
import { runModel } from './tensors';

/** Where frame `index` sits in the anchor: flow (2 planes, flow-resolution pixels) and confidence (0..1). */
export interface ChainState {
  index: number;
  flow: Float32Array;
  conf: Float32Array;
  /**
   * What the chain remembers for the next link (not stored with saved states): the camera's frame-to-anchor motion,
   * carried by the median neighbour step, and whether the edit was last seen moving with it.
   */
  memory?: ChainMemory;
}

export interface ChainMemory {
  camera: AffineMotionField;
  editMovesWithCamera: boolean;
}

/** An anchor's memory: the camera has not moved, and the edit is not known to move with it. */
function freshMemory(): ChainMemory {
  return { camera: { x: [0, 0, 0], y: [0, 0, 0] }, editMovesWithCamera: false };
}

/** The motion between two consecutive frames of a chain, estimated both ways apart. */
export interface NeighbourMotion {
  /** Flow from this frame to the previous frame of the chain. */
  toPrevious: Float32Array;
  /** Flow from the previous frame of the chain to this one. */
  fromPrevious: Float32Array;
}

/**
 * The neighbour flows of a link. They depend on the two frames only, never on the chain, so the capture thread
 * computes them ahead (capture.ts). `guess` (the previous link's `toPrevious`, or zeros) seeds the search for
 * fast, steady motion.
 */
export async function neighbourMotion(models: SessionSet<'correspondence_search'>, grid: FlowGrid, frameLow: Float32Array, previousLow: Float32Array, guess: Float32Array): Promise<NeighbourMotion> {
  const search = (source: Float32Array, target: Float32Array, init: Float32Array) =>
    runModel(models, 'correspondence_search', {
      source: { data: source, dims: [1, 3, grid.height, grid.width] },
      target: { data: target, dims: [1, 3, grid.height, grid.width] },
      init_flow: { data: init, dims: [1, 2, grid.height, grid.width] },
    });
  const step = await search(frameLow, previousLow, guess);
  // An independent search back: only two estimates made apart can vouch for each other (a backward flow refined
  // from the step's inverse agrees with it too readily; measured: keep-region PSNR fell by up to 4 dB).
  const back = await search(previousLow, frameLow, step.flow.map((v) => -v));
  return { toPrevious: step.flow, fromPrevious: back.flow };
}

export interface ChainLink extends NeighbourMotion {
  state: ChainState;
}

/** Structure residual ≲0.15 and colour residual ~0.02 for a true match; ≳0.4 and ~0.2 for a wrong one. */
export function matchQuality(residual: Float32Array, pixels: number): Float32Array {
  const quality = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const s = residual[i] / 0.5;
    const c = residual[pixels + i] / 0.15;
    quality[i] = Math.exp(-(s * s) - c * c);
  }
  return quality;
}

/**
 * Appearance alone may only vouch for a correspondence the chain cannot (after an occlusion) when the match is
 * clearly good: similar textures score middling qualities by chance, and background revealed behind a moving object
 * must not take the edit of whatever covered it in the anchor.
 */
export function strongEvidence(quality: number): number {
  return Math.min(1, Math.max(0, (quality - 0.5) / 0.4));
}

/**
 * How far a chain's own word can be taken: a consistent chain is believed unless the colours it pairs are grossly
 * different (tolerant enough for lighting changes, not for an object mapped onto its background).
 */
export function colourPlausibility(residual: Float32Array, pixels: number): Float32Array {
  const plausible = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const c = residual[pixels + i] / 0.3;
    plausible[i] = Math.exp(-c * c);
  }
  return plausible;
}

/** Confidence under which a pixel counts as lost, and the share of lost pixels that triggers a direct search. */
const LOST = 0.3;
const REACQUIRE_FRACTION = 0.01;
/** The share of pixels, lost where the edit would be if they moved with its tracked part, that warrants a search. */
const UNMATCHED_FRACTION = 0.0025;
/** Direct match quality under which a pixel tries its neighbours' motion (a true match scores ~0.97). */
const DOUBTFUL_QUALITY = 0.9;
/** Flow-resolution pixels around the anchor's edit within which lost content is worth re-acquiring. */
const EDIT_ZONE_RADIUS = 16;
/**
 * Area ratio (frame over anchor) of the tracked edit from which the direct refinement against the anchor gives way to
 * the chain's own composition, and at which it has given way entirely (either way round: nearer or farther).
 */
const REFINE_SCALE_FROM = 1.3;
const REFINE_SCALE_TO = 2;

/**
 * How far the direct refinement against the anchor is trusted when the edit is seen at `logScale` (editLogScale):
 * fully up to an area ratio of REFINE_SCALE_FROM, not at all from REFINE_SCALE_TO, log-linear between. The refinement
 * compares small patches of the frame with the anchor's at the anchor's scale; seen much nearer or farther, they no
 * longer match, and it pulls an object's edge onto its background (measured on a real clip of an object approaching
 * the camera: the tracked edit's overlap with the object fell to 0.41 after 39 frames, against 0.65 for the plain
 * chain). Unknown scale: trusted.
 */
export function refineTrust(logScale: number | null): number {
  if (logScale === null) return 1;
  const from = Math.log(REFINE_SCALE_FROM);
  const to = Math.log(REFINE_SCALE_TO);
  return 1 - Math.min(1, Math.max(0, (Math.abs(logScale) - from) / (to - from)));
}

/**
 * The refinement's answer moved towards the flow it started from, by 1 − `trust`, in place: flow and residual
 * (the residual blended as well, so that the confidence read from it describes the flow kept).
 */
export function fallBackOnInit(refined: { flow: Float32Array; residual: Float32Array }, initFlow: Float32Array, initResidual: Float32Array, trust: number): void {
  const back = 1 - trust;
  for (let k = 0; k < refined.flow.length; k++) refined.flow[k] += back * (initFlow[k] - refined.flow[k]);
  for (let k = 0; k < refined.residual.length; k++) refined.residual[k] += back * (initResidual[k] - refined.residual[k]);
}

/** Median flow over confidently chained pixels (over all pixels when `conf` is null): the motion most of the frame shares. */
export function dominantMotion(flow: Float32Array, conf: Float32Array | null, pixels: number): [number, number] {
  const xs: number[] = [];
  const ys: number[] = [];
  const stride = Math.max(1, Math.floor(pixels / 4096));
  for (let i = 0; i < pixels; i += stride) {
    if (conf && conf[i] < 0.8) continue;
    xs.push(flow[i]);
    ys.push(flow[pixels + i]);
  }
  if (xs.length === 0) return [0, 0];
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return [median(xs), median(ys)];
}

/** A flow field that moves every pixel by `motion`. */
function uniformFlow(motion: [number, number], pixels: number): Float32Array {
  const flow = new Float32Array(2 * pixels);
  flow.fill(motion[0], 0, pixels);
  flow.fill(motion[1], pixels);
  return flow;
}

/** Motions closer than this (flow-resolution pixels) count as one for the re-acquisition searches. */
const SAME_MOTION_PX = 2;

/** 1 for a motion error (ex, ey) within ~3 px (+10% of `motion`'s length), falling off beyond (motionSupport's scale). */
export function motionAgreement(ex: number, ey: number, motion: [number, number]): number {
  return agreementWith(ex, ey, motion[0], motion[1]);
}

/** motionAgreement with the motion as two numbers (motionSupport's inner loop allocates no pair). */
function agreementWith(ex: number, ey: number, mx: number, my: number): number {
  const tolerance = 3 + 0.1 * Math.hypot(mx, my);
  return Math.exp(-(ex * ex + ey * ey) / (2 * tolerance * tolerance));
}

/**
 * Which anchor content is already accounted for: every confidently chained pixel of the frame splats its weight
 * where its correspondence lands in the anchor (bilinear splat). A pixel whose chain broke
 * may re-acquire only anchor content nobody claims: content that reappears after an occlusion is unclaimed, while
 * background revealed behind a moving object would "match" the object's anchor pixels, which the object's own
 * visible pixels claim.
 */
export function claimedInAnchor(flow: Float32Array, chainConf: Float32Array, width: number, height: number): Float32Array {
  const claims = splat(flow, chainConf.map((c) => (c >= CONFIDENT ? c : 0)), width, height);
  // A neighbour's bilinear splat spills up to half a pixel onto adjacent anchor points: only more counts as a claim.
  return claims.map((v) => Math.min(1, Math.max(0, (v - 0.5) / 0.4)));
}

/**
 * Whether some confidently chained pixel near pixel `i` (within 8 px, sampled every 2 px) moves like the candidate
 * correspondence (dx, dy): 1 for a match within ~3 px (+10% of the motion), falling off beyond; 1 as well when no
 * neighbour is confident (no evidence either way). Content that reappears belongs to a surface still tracked
 * around it; a chance match in repetitive texture or on another layer moves like nothing nearby.
 */
export function motionSupport(dx: number, dy: number, i: number, flow: Float32Array, chainConf: Float32Array, width: number, height: number): number {
  const pixels = width * height;
  const x0 = i % width;
  const y0 = Math.floor(i / width);
  let best = 0;
  let anyConfident = false;
  for (let y = Math.max(0, y0 - 8); y <= Math.min(height - 1, y0 + 8); y += 2) {
    for (let x = Math.max(0, x0 - 8); x <= Math.min(width - 1, x0 + 8); x += 2) {
      const j = y * width + x;
      if (chainConf[j] < CONFIDENT) continue;
      anyConfident = true;
      best = Math.max(best, agreementWith(dx - flow[j], dy - flow[pixels + j], flow[j], flow[pixels + j]));
    }
  }
  return anyConfident ? best : 1;
}

/**
 * How much of the previous frame lands on each pixel of this one, moving along `fromPrevious` (bilinear splat,
 * smoothed over 3×3): ≥ 0.7 counts as covered, ≤ 0.3 as newly revealed (disocclusion), linear between. Flow is
 * smooth across motion edges, so a revealed strip still receives stray partial splats: hence the steep ramp.
 */
export function coverageOf(fromPrevious: Float32Array, width: number, height: number): Float32Array {
  const hits = splat(fromPrevious, null, width, height);
  return boxMean(hits, width, height, 1).map((v) => Math.min(1, Math.max(0, (v - 0.3) / 0.4)));
}

/** Forward bilinear splat: each pixel adds its weight (1 when `weights` is null) where `flow` moves it to. */
export function splat(flow: Float32Array, weights: Float32Array | null, width: number, height: number): Float32Array {
  const pixels = width * height;
  const hits = new Float32Array(pixels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const w = weights ? weights[i] : 1;
      if (w <= 0) continue;
      const tx = x + flow[i];
      const ty = y + flow[pixels + i];
      const x0 = Math.floor(tx);
      const y0 = Math.floor(ty);
      const fx = tx - x0;
      const fy = ty - y0;
      // The four taps written out: a per-pixel array of taps cost 6× the time (this runs twice per link).
      const inX0 = x0 >= 0 && x0 < width;
      const inX1 = x0 + 1 >= 0 && x0 + 1 < width;
      if (y0 >= 0 && y0 < height) {
        const row = y0 * width;
        if (inX0) hits[row + x0] += w * ((1 - fx) * (1 - fy));
        if (inX1) hits[row + x0 + 1] += w * (fx * (1 - fy));
      }
      if (y0 + 1 >= 0 && y0 + 1 < height) {
        const row = (y0 + 1) * width;
        if (inX0) hits[row + x0] += w * ((1 - fx) * fy);
        if (inX1) hits[row + x0 + 1] += w * (fx * fy);
      }
    }
  }
  return hits;
}

/** The models the chains run (the pipeline thread's; transfer and restore run on the render thread). */
export const CHAIN_MODELS = ['correspondence_search', 'correspondence_refine', 'correspondence_score', 'chain', 'temporal'] as const;
export type ChainModels = SessionSet<(typeof CHAIN_MODELS)[number]>;

export class CorrespondenceStage {
  private readonly dims2: number[];
  private readonly dims1: number[];
  private readonly dims3: number[];
  private readonly pixels: number;
  private readonly editZones = new WeakMap<Float32Array, Float32Array>();
  private readonly editSizes = new WeakMap<Float32Array, number>();

  constructor(private readonly models: ChainModels, readonly grid: FlowGrid) {
    this.dims1 = [1, 1, grid.height, grid.width];
    this.dims2 = [1, 2, grid.height, grid.width];
    this.dims3 = [1, 3, grid.height, grid.width];
    this.pixels = grid.width * grid.height;
  }

  /** The anchor's own state: identity correspondence, full confidence. */
  anchorState(index: number): ChainState {
    return { index, flow: new Float32Array(2 * this.pixels), conf: new Float32Array(this.pixels).fill(1), memory: freshMemory() };
  }

  /** Pixels within 16 flow-resolution pixels of where confidently chained pixels carry the edit mask. */
  private nearEditReach(flow: Float32Array, chainConf: Float32Array, anchorMaskLow: Float32Array): Float32Array {
    const { width, height } = this.grid;
    const carried = warpPlane(anchorMaskLow, flow, width, height);
    const reach = carried.map((m, i) => (chainConf[i] >= CONFIDENT && m > 0 ? 1 : 0));
    return dilate(reach, width, height, 16);
  }

  /** Pixels of the anchor's edit at flow resolution (once per anchor). */
  private editSize(anchorMaskLow: Float32Array): number {
    let size = this.editSizes.get(anchorMaskLow);
    if (size === undefined) this.editSizes.set(anchorMaskLow, (size = anchorMaskLow.reduce((n, m) => n + (m > 0.5 ? 1 : 0), 0)));
    return size;
  }

  /**
   * The chain's memory after this link: the camera carried by the median neighbour step over the whole frame (a
   * passer-by covers less than half of it), and whether the edit moves with it, judged only from a fit to most of
   * the edit (`seenEdit`; a fit to a sliver left beside an occluder is not believed).
   */
  private remember(previous: ChainMemory | undefined, motion: NeighbourMotion, seenEdit: TrackedEditMotion | null): ChainMemory {
    const start = previous ?? freshMemory();
    const camera = stepAffine(start.camera, dominantMotion(motion.toPrevious, null, this.pixels));
    if (!seenEdit) return { camera, editMovesWithCamera: start.editMovesWithCamera };
    const [ex, ey] = affineAt(seenEdit, ...seenEdit.centre);
    const [cx, cy] = affineAt(camera, ...seenEdit.centre);
    return { camera, editMovesWithCamera: motionAgreement(ex - cx, ey - cy, [cx, cy]) > 0.5 };
  }

  /** The anchor's edit mask at flow resolution, grown by EDIT_ZONE_RADIUS (once per anchor). */
  private editZone(anchorMaskLow: Float32Array): Float32Array {
    let zone = this.editZones.get(anchorMaskLow);
    if (!zone) {
      zone = dilate(anchorMaskLow.map((m) => (m > 0 ? 1 : 0)), this.grid.width, this.grid.height, EDIT_ZONE_RADIUS);
      this.editZones.set(anchorMaskLow, zone);
    }
    return zone;
  }

  private async flow(model: 'correspondence_search' | 'correspondence_refine', source: Float32Array, target: Float32Array, init: Float32Array) {
    return runModel(this.models, model, {
      source: { data: source, dims: this.dims3 },
      target: { data: target, dims: this.dims3 },
      init_flow: { data: init, dims: this.dims2 },
    });
  }

  /**
   * Advance the chain from `previous` to frame `index` (`frameLow`), moving with `motion` (neighbourMotion).
   * `anchorMaskLow` (the anchor's carried edit mask at flow resolution) limits the re-acquisition search to frames
   * where lost pixels lie near where the edit reaches, and to matches near the edit: elsewhere no result depends on
   * them.
   */
  async link(previous: ChainState, index: number, frameLow: Float32Array, anchorLow: Float32Array, motion: NeighbourMotion, anchorMaskLow: Float32Array): Promise<ChainLink> {
    const chained = await runModel(this.models, 'chain', {
      step_flow: { data: motion.toPrevious, dims: this.dims2 },
      back_flow: { data: motion.fromPrevious, dims: this.dims2 },
      chain_flow: { data: previous.flow, dims: this.dims2 },
      chain_conf: { data: previous.conf, dims: this.dims1 },
      coverage: { data: coverageOf(motion.fromPrevious, this.grid.width, this.grid.height), dims: this.dims1 },
    });
    // Local match against the anchor around the chain's answer: removes the drift a long chain accumulates, unless
    // the edit is seen at a scale too far from the anchor's for patches to match (refineTrust).
    const refined = await this.flow('correspondence_refine', frameLow, anchorLow, chained.flow);
    const trust = refineTrust(editLogScale(chained.flow, chained.conf, anchorMaskLow, this.grid.width, this.grid.height));
    if (trust < 1) {
      const chainedScore = await runModel(this.models, 'correspondence_score', {
        source: { data: frameLow, dims: this.dims3 },
        target: { data: anchorLow, dims: this.dims3 },
        flow: { data: chained.flow, dims: this.dims2 },
      });
      fallBackOnInit({ flow: refined.flow, residual: refined.residual }, chained.flow, chainedScore.residual, trust);
    }
    const refinedQuality = matchQuality(refined.residual, this.pixels);
    const plausible = colourPlausibility(refined.residual, this.pixels);
    const flow = refined.flow;
    const nearEdit = this.nearEditReach(refined.flow, chained.conf, anchorMaskLow);
    // A chain can be consistent and still wrong: near a motion edge both neighbour flows take the other layer's
    // motion. Where the direct match says so (poor quality) the pixel tries its neighbours' motion instead.
    // Only where the edit can reach (elsewhere no output depends on it), and only for chained pixels: lost ones are
    // left to re-acquisition, whose evidence is measured for the flow it keeps.
    const doubtful = new Uint8Array(this.pixels);
    for (let i = 0; i < this.pixels; i++) doubtful[i] = nearEdit[i] > 0 && chained.conf[i] >= CONFIDENT && refinedQuality[i] < DOUBTFUL_QUALITY ? 1 : 0;
    if (doubtful.includes(1)) {
      const gain = editBrightnessGain(frameLow, anchorLow, chained.flow, chained.conf, anchorMaskLow, this.grid.width, this.grid.height);
      propagateMatches(frameLow, anchorLow, flow, doubtful, this.grid.width, this.grid.height, gain);
    }
    const conf = new Float32Array(this.pixels);
    const claimed = claimedInAnchor(refined.flow, chained.conf, this.grid.width, this.grid.height);
    const unclaimed = (flowField: Float32Array, i: number) => {
      const x = (i % this.grid.width) + flowField[i];
      const y = Math.floor(i / this.grid.width) + flowField[this.pixels + i];
      return 1 - sampleBilinear(claimed, this.grid.width, this.grid.height, x, y);
    };
    const agreesWithNeighbours = (flowField: Float32Array, i: number) =>
      motionSupport(flowField[i], flowField[this.pixels + i], i, refined.flow, chained.conf, this.grid.width, this.grid.height);
    const lost: number[] = [];
    for (let i = 0; i < this.pixels; i++) {
      const chainWord = Math.min(chained.conf[i], plausible[i]);
      // Appearance may vouch for a pixel the chain does not, but only for anchor content no tracked pixel claims.
      const appearance = strongEvidence(refinedQuality[i]) * (chained.conf[i] < CONFIDENT ? unclaimed(flow, i) : 1);
      conf[i] = Math.max(chainWord, appearance);
      if (chained.conf[i] < LOST) lost.push(i);
    }
    // The dominant motion is needed only on links that search; found once there.
    let dominantFound: [number, number] | null = null;
    const dominant = () => (dominantFound ??= dominantMotion(chained.flow, chained.conf, this.pixels));
    const editZone = this.editZone(anchorMaskLow);
    // An edit seen moving with the camera (a sign on a wall) is where the camera's motion puts it even while a
    // passer-by hides all of it: lost pixels there count as near the edit. Otherwise no tracked part is left to
    // reach from, and the edit never came back (measured: 9.9 dB). An edit on an object of its own is not predicted
    // (carried with the camera, a decal on a banner sliding out of view brought on chance matches: -9 dB).
    const trackedEdit = trackedEditAffine(refined.flow, chained.conf, anchorMaskLow, this.grid.width, this.grid.height);
    const mostlySeen = trackedEdit !== null && trackedEdit.count >= this.editSize(anchorMaskLow) / 2;
    const memory = this.remember(previous.memory, motion, mostlySeen ? trackedEdit : null);
    const cameraFlow = memory.editMovesWithCamera && !mostlySeen ? affineFlow(memory.camera, this.grid.width, this.grid.height) : null;
    const lostNearEdit = lost.filter((i) => nearEdit[i] > 0 || (cameraFlow !== null && landsIn(editZone, cameraFlow, i, this.grid.width, this.grid.height))).length;
    const reacquire = (searchedFlow: Float32Array, searchedQuality: Float32Array, support: (i: number) => number) => {
      // Only content whose match lands near the anchor's edit is re-acquired. Elsewhere the edit layer does not
      // depend on it, and a chance match (repetitive texture, content the anchor never saw) would do harm: it
      // claims anchor content and vouches for its neighbours' motion in the links that follow (measured on the
      // benchmark: +2 dB edit on fast motion, +1 to +2 dB keep-region with two anchors and occluders).
      for (const i of lost) {
        if (searchedQuality[i] <= refinedQuality[i] || !landsIn(editZone, searchedFlow, i, this.grid.width, this.grid.height)) continue;
        const evidence = strongEvidence(searchedQuality[i]) * unclaimed(searchedFlow, i) * support(i);
        if (evidence <= conf[i]) continue;
        flow[i] = searchedFlow[i];
        flow[this.pixels + i] = searchedFlow[this.pixels + i];
        conf[i] = evidence;
      }
    };
    if (lostNearEdit > this.pixels * REACQUIRE_FRACTION) {
      // Where the chain broke (occlusion, disocclusion, content entering), its composed flow says nothing. Search
      // the anchor afresh from the dominant motion (usually the camera's) and keep whichever answer matches better.
      // (Searching only every second link halves this cost but measured 1.8 dB worse around occluders.)
      const searched = await this.flow('correspondence_search', frameLow, anchorLow, uniformFlow(dominant(), this.pixels));
      reacquire(searched.flow, matchQuality(searched.residual, this.pixels), (i) => agreesWithNeighbours(searched.flow, i));
    }
    // An edited object that comes out from behind an occluder has moved far from where the camera's motion takes
    // it: the search above cannot reach it, and what surrounds it (the occluder, the background) moves otherwise.
    // Where lost pixels lie where the edit would be if they moved with its still-tracked part (an affine motion
    // fitted to it, so a turning object is followed too), search again from that motion, and accept matches that
    // move like it.
    // (Those pixels are among the lost ones: with few lost, no search.)
    const editAffine = lost.length > this.pixels * UNMATCHED_FRACTION ? trackedEdit : null;
    if (editAffine) {
      const predicted = affineFlow(editAffine, this.grid.width, this.grid.height);
      const [dominantX, dominantY] = dominant();
      const movesOtherwise = (i: number) => Math.hypot(predicted[i] - dominantX, predicted[this.pixels + i] - dominantY) > SAME_MOTION_PX;
      const unexplained = lost.filter((i) => conf[i] < CONFIDENT && movesOtherwise(i) && landsIn(anchorMaskLow, predicted, i, this.grid.width, this.grid.height)).length;
      if (unexplained > this.pixels * UNMATCHED_FRACTION) {
        const searched = await this.flow('correspondence_search', frameLow, anchorLow, predicted);
        reacquire(searched.flow, matchQuality(searched.residual, this.pixels), (i) => {
          const expected: [number, number] = [predicted[i], predicted[this.pixels + i]];
          return Math.max(agreesWithNeighbours(searched.flow, i), motionAgreement(searched.flow[i] - expected[0], searched.flow[this.pixels + i] - expected[1], expected));
        });
      }
    }
    return { state: { index, flow, conf, memory }, toPrevious: motion.toPrevious, fromPrevious: motion.fromPrevious };
  }
}
