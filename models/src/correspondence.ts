/**
 * Correspondence model: dense flow from `source` to `target` (source(x) ≈ target(x + flow(x))), coarse to fine.
 *
 * At each pyramid level the target's features are warped by the current flow, a local correlation volume is built
 * over a (2r+1)² window (wide at the coarsest level, narrow above it — volumes only at low resolution), and a
 * soft-argmax turns it into a sub-pixel update. Updates are smoothed with weights from how peaked each pixel's
 * match is, so textureless areas take the motion of their textured neighbours.
 *
 * Inputs are at "flow resolution" (the pipeline picks it, sides multiples of 2^(levels-1)).
 */
import { Graph } from './onnx/graph';
import { downsample2, FEATURE_CHANNELS, matchingFeatures, median3, padEdge, shifted, upsample2, warpGrid, warpOn, type WarpGrid } from './ops';

export interface CorrespondenceConfig {
  name: string;
  levels: number;
  coarseRadius: number;
  fineRadius: number;
  /** Soft-argmax sharpness on correlations of normalised features. */
  sharpness: number;
  featureRadius: number;
  /** Radius over which each shift's matching cost is summed (patch size). The coarsest level decides between
   * similar-looking candidates (periodic texture), so it gets more context. */
  coarseAggregate: number;
  fineAggregate: number;
  /** Cost per squared pixel of moving away from the current estimate, in units of the per-channel match cost. */
  motionPrior: number;
  /**
   * Certainty-weighted smoothing radius after each update at the finest level (flat areas take their textured
   * neighbours' motion); it shrinks by one per coarser level, down to 1, so a small object's motion is not averaged
   * away with its background's where one pixel covers a lot of the frame.
   */
  smoothRadius: number;
  iterationsPerLevel: number;
}

export const FLOW_SEARCH: CorrespondenceConfig = {
  name: 'correspondence_search',
  levels: 4,
  coarseRadius: 4,
  fineRadius: 1,
  sharpness: 40,
  featureRadius: 2,
  motionPrior: 0.1,
  coarseAggregate: 3,
  fineAggregate: 2,
  smoothRadius: 3,
  iterationsPerLevel: 2,
};

/** Drift correction of an already good estimate (a composed chain of neighbour flows). */
export const FLOW_REFINE: CorrespondenceConfig = {
  name: 'correspondence_refine',
  levels: 2,
  coarseRadius: 2,
  fineRadius: 1,
  sharpness: 40,
  featureRadius: 2,
  motionPrior: 0.1,
  coarseAggregate: 3,
  fineAggregate: 2,
  smoothRadius: 3,
  iterationsPerLevel: 1,
};

/**
 * Squared feature distance for every shift of a (2r+1)² window: volume(k, p) = |src(p) − tgt(p + d_k)|².
 * All shifted copies of the target come from ONE depthwise convolution with one-hot kernels (a few large ops
 * instead of hundreds of small ones: faster to run and to load), then one 5-D difference and a channel sum.
 */
function costVolume(g: Graph, source: string, target: string, radius: number): string {
  const side = 2 * radius + 1;
  const shifts = side * side;
  const weights = new Array(FEATURE_CHANNELS * shifts * side * side).fill(0);
  for (let c = 0; c < FEATURE_CHANNELS; c++) {
    for (let k = 0; k < shifts; k++) weights[(c * shifts + k) * side * side + k] = 1; // tap k of kernel k
  }
  const kernel = g.constant(weights, [FEATURE_CHANNELS * shifts, 1, side, side]);
  const shiftedCopies = g.op('Conv', [padEdge(g, target, radius), kernel], { group: FEATURE_CHANNELS });
  const spatial = g.op('Shape', [source], { start: 2, end: 4 });
  const flatShifted = g.op('Reshape', [shiftedCopies, g.ints([1, FEATURE_CHANNELS, shifts, -1])]);
  const flatSource = g.op('Reshape', [source, g.ints([1, FEATURE_CHANNELS, 1, -1])]);
  const difference = g.sub(flatSource, flatShifted);
  const ssd = g.op('ReduceSum', [g.mul(difference, difference), g.ints([1])], { keepdims: 0 });
  const volumeShape = g.concat([g.ints([1, shifts]), spatial], 0);
  return g.op('Reshape', [ssd, volumeShape]);
}

/**
 * The same volume built shift by shift: for windows up to 5×5 on large images, slices are cheaper than the
 * convolution's 5-D intermediate (measured at 384×216).
 */
function costVolumeBySlices(g: Graph, source: string, target: string, radius: number): string {
  const padded = padEdge(g, target, radius);
  const slices: string[] = [];
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const difference = g.sub(source, shifted(g, padded, radius, dx, dy));
      slices.push(g.sumChannels(g.mul(difference, difference)));
    }
  }
  return g.concat(slices);
}

function refineLevel(
  g: Graph,
  config: CorrespondenceConfig,
  grid: WarpGrid,
  sourceFeatures: string,
  targetFeatures: string,
  flow: string,
  radius: number,
  aggregateRadius: number,
  smoothRadius: number,
): string {
  const warped = warpOn(g, grid, targetFeatures, flow);
  const offsetsX: number[] = [];
  const offsetsY: number[] = [];
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      offsetsX.push(dx);
      offsetsY.push(dy);
    }
  }
  const ssd = radius > 2 ? costVolume(g, sourceFeatures, warped, radius) : costVolumeBySlices(g, sourceFeatures, warped, radius);
  const shifts = offsetsX.length;
  // Aggregate each shift's cost over a patch, add a mild cost for moving away from the current estimate (a motion
  // prior: a good initialisation is not traded for a similar-looking far match), and turn costs into scores at a
  // temperature (the negative scale).
  const prior = g.constant(offsetsX.map((dx, k) => config.motionPrior * (dx * dx + offsetsY[k] * offsetsY[k])), [1, shifts, 1, 1]);
  const volume = g.mul(g.add(g.box(ssd, aggregateRadius), prior), g.scalar(-config.sharpness / FEATURE_CHANNELS));
  const peak = g.op('ReduceMax', [volume], { axes: [1], keepdims: 1 });
  const weights = g.exp(g.sub(volume, peak));
  // Soft-argmax as one 1×1 conv: [Σ w·dx, Σ w·dy, Σ w] (faster than Softmax over the shift axis).
  const kernel = g.constant([...offsetsX, ...offsetsY, ...new Array(shifts).fill(1)], [3, shifts, 1, 1]);
  const moments = g.op('Conv', [weights, kernel]);
  const total = g.channels(moments, 2, 3);
  const update = g.div(g.channels(moments, 0, 2), total);
  // 1/Σw is 1 for a single clear peak and 1/shifts for a flat volume: a per-pixel certainty.
  const certainty = g.op('Reciprocal', [total]);
  const updated = g.add(flow, update);
  const r = smoothRadius;
  return g.div(g.box(g.mul(updated, certainty), r), g.box(certainty, r));
}

/**
 * One Lucas-Kanade step on the features: solves the 2×2 normal equations over a window for the sub-pixel
 * update that soft-argmax (which snaps towards integer shifts) cannot give. Clamped to ±1 px per step.
 */
function lucasKanadeStep(g: Graph, grid: WarpGrid, sourceFeatures: string, targetFeatures: string, flow: string, channels: number): string {
  const warped = warpOn(g, grid, targetFeatures, flow);
  const dxKernel = g.constant(new Array(channels).fill([-0.5, 0, 0.5]).flat(), [channels, 1, 1, 3]);
  const dyKernel = g.constant(new Array(channels).fill([-0.5, 0, 0.5]).flat(), [channels, 1, 3, 1]);
  const gx = g.op('Conv', [warped, dxKernel], { group: channels, pads: [0, 1, 0, 1] });
  const gy = g.op('Conv', [warped, dyKernel], { group: channels, pads: [1, 0, 1, 0] });
  const it = g.sub(warped, sourceFeatures);
  const sums = g.box(
    g.concat([
      g.sumChannels(g.mul(gx, gx)),
      g.sumChannels(g.mul(gx, gy)),
      g.sumChannels(g.mul(gy, gy)),
      g.sumChannels(g.mul(gx, it)),
      g.sumChannels(g.mul(gy, it)),
    ]),
    2,
  );
  const [sxx, sxy, syy, sxt, syt] = [0, 1, 2, 3, 4].map((c) => g.channels(sums, c, c + 1));
  const det = g.add(g.sub(g.mul(sxx, syy), g.mul(sxy, sxy)), g.scalar(1e-3));
  const du = g.div(g.sub(g.mul(sxy, syt), g.mul(syy, sxt)), det);
  const dv = g.div(g.sub(g.mul(sxy, sxt), g.mul(sxx, syt)), det);
  return g.add(flow, g.clip(g.concat([du, dv]), -1, 1));
}

/**
 * Residuals of `flow` for confidence: structure (normalised features, 3×3 mean) and colour (3×3 local means), as
 * two planes. One warp carries the target's structure channels and local mean colour together.
 */
function residualOf(g: Graph, grid: WarpGrid, source: string, target: string, sourceFeatures: string, targetFeatures: string, flow: string): string {
  const structureOf = (features: string) => g.channels(features, 0, 3);
  const aligned = warpOn(g, grid, g.concat([structureOf(targetFeatures), g.box(target, 1)]), flow);
  const structure = g.box(g.op('ReduceMean', [g.abs(g.sub(structureOf(sourceFeatures), g.channels(aligned, 0, 3)))], { axes: [1], keepdims: 1 }), 1);
  const colour = g.op('ReduceMean', [g.abs(g.sub(g.box(source, 1), g.channels(aligned, 3, 6)))], { axes: [1], keepdims: 1 });
  return g.concat([structure, colour]);
}

/**
 * The residual of a given flow, as correspondence_refine reports it for its own answer: lets the pipeline keep a flow
 * other than the refinement's (pipeline/correspondence.ts refineTrust) with a confidence that describes it. Run only
 * then, so the refinement itself does not pay for it.
 */
export function buildFlowScore(config: CorrespondenceConfig): Graph {
  const g = new Graph('correspondence_score', 'Match residuals (structure, colour) of a given flow from source to target.');
  const source = g.input('source', [1, 3, 'H', 'W']);
  const target = g.input('target', [1, 3, 'H', 'W']);
  const flow = g.input('flow', [1, 2, 'H', 'W']);
  const sourceFeatures = matchingFeatures(g, source, config.featureRadius);
  const targetFeatures = matchingFeatures(g, target, config.featureRadius);
  g.output('residual', residualOf(g, warpGrid(g, source), source, target, sourceFeatures, targetFeatures, flow), [1, 2, 'H', 'W']);
  return g;
}

export function buildCorrespondence(config: CorrespondenceConfig): Graph {
  const g = new Graph(config.name, 'Coarse-to-fine correlation flow from source to target (flow-resolution pixels).');
  const source = g.input('source', [1, 3, 'H', 'W']);
  const target = g.input('target', [1, 3, 'H', 'W']);
  const initFlow = g.input('init_flow', [1, 2, 'H', 'W']);

  const sourcePyramid = [source];
  const targetPyramid = [target];
  const initPyramid = [initFlow];
  for (let level = 1; level < config.levels; level++) {
    sourcePyramid.push(downsample2(g, sourcePyramid[level - 1]));
    targetPyramid.push(downsample2(g, targetPyramid[level - 1]));
    initPyramid.push(g.mul(downsample2(g, initPyramid[level - 1]), g.scalar(0.5)));
  }

  let flow = initPyramid[config.levels - 1];
  let sourceFeatures = '';
  let targetFeatures = '';
  let grid: WarpGrid | null = null;
  for (let level = config.levels - 1; level >= 0; level--) {
    if (level < config.levels - 1) flow = g.mul(upsample2(g, flow), g.scalar(2));
    grid = warpGrid(g, sourcePyramid[level]);
    sourceFeatures = matchingFeatures(g, sourcePyramid[level], config.featureRadius);
    targetFeatures = matchingFeatures(g, targetPyramid[level], config.featureRadius);
    const radius = level === config.levels - 1 ? config.coarseRadius : config.fineRadius;
    // The finest level is the costliest and starts from a good estimate: one correlation pass there.
    const iterations = level === 0 ? 1 : config.iterationsPerLevel;
    for (let it = 0; it < iterations; it++) {
      const aggregate = level === config.levels - 1 ? config.coarseAggregate : config.fineAggregate;
      const smooth = Math.max(1, config.smoothRadius - level);
      flow = refineLevel(g, config, grid, sourceFeatures, targetFeatures, flow, radius, aggregate, smooth);
    }
    // One median per level removes isolated wrong matches and keeps motion edges.
    flow = median3(g, flow, 2);
    flow = lucasKanadeStep(g, grid, sourceFeatures, targetFeatures, flow, FEATURE_CHANNELS);

  }

  g.output('flow', flow, [1, 2, 'H', 'W']);
  g.output('residual', residualOf(g, grid!, source, target, sourceFeatures, targetFeatures, flow), [1, 2, 'H', 'W']);
  return g;
}
