/**
 * Zero stage: carries the anchor's edit to a frame along its correspondence (model: models/src/transfer.ts).
 * Only the region the carried edit mask can reach is processed: its box is found at flow resolution, and a frame
 * the edit does not reach costs nothing here.
 */
import type { RgbImage } from '../io/image-types';
import type { SessionSet } from '../runtime/models';
import type { AnchorModel, ChainAnchor, FlowGrid } from './anchor-model';
import type { Rect } from './composite';
import { claimedInAnchor, type ChainState } from './correspondence';
import { applyColourVeto, completeAtBoundary, membershipFill } from './membership';
import { cropPlanes, sampleBilinear, warpPlane } from './raster';
import { snapStrayPaint } from './rigid-snap';
import { runModel, ScratchPlanes } from './tensors';
import { CONFIDENT } from './tracked-edit';

export interface TransferResult {
  rect: Rect;
  /** The frame cropped to `rect` (3 planes), for the restore stage. */
  frameCrop: Float32Array;
  colour: Float32Array;
  content: Float32Array;
  explained: Float32Array;
  alpha: Float32Array;
}

/** Confidence under which the transfer model gives no alpha (its trust ramp starts there), and where it is full. */
const NO_TRUST = 0.15;
const FULL_TRUST = 0.5;

/**
 * How sure a chain's correspondence is at a full-resolution pixel, 0..1: its confidence (`chainConf`, a state's),
 * upsampled as the transfer model upsamples it, on the model's trust ramp (for blending several anchors,
 * composite.ts `blendLayers`).
 */
export function certaintyOf(grid: FlowGrid, chainConf: Float32Array): (x: number, y: number) => number {
  return (x, y) => {
    const conf = sampleBilinear(chainConf, grid.width, grid.height, (x + 0.5) / grid.scaleX - 0.5, (y + 0.5) / grid.scaleY - 0.5);
    return Math.min(1, Math.max(0, (conf - NO_TRUST) / (FULL_TRUST - NO_TRUST)));
  };
}

/**
 * How far the transfer may take the chain's word, per flow-resolution pixel: its confidence, except that a pixel the
 * chain is unsure of (under CONFIDENT) which lands on anchor content that confidently tracked pixels claim gets none.
 * That is background revealed behind a moving edited object: it lands on the object in the anchor, where the object
 * covered it, and the object's own visible pixels claim that spot (measured: keep-region +4.8 dB on the recoloured
 * object crossed by an occluder, +2.8 dB on a real walking camel).
 */
export function transferConfidence(grid: FlowGrid, state: ChainState): Float32Array {
  const { width: w, height: h } = grid;
  const pixels = w * h;
  const claimed = claimedInAnchor(state.flow, state.conf, w, h);
  return state.conf.map((conf, i) => {
    if (conf >= CONFIDENT) return conf;
    const x = (i % w) + state.flow[i];
    const y = Math.floor(i / w) + state.flow[pixels + i];
    return conf * (1 - sampleBilinear(claimed, w, h, x, y));
  });
}

/** Flow-resolution planes of where the edit reaches in a frame (editReachLow). */
export interface EditReach {
  conf: Float32Array;
  warpedMask: Float32Array;
  fill: Float32Array;
}

/**
 * Where the edit reaches in this frame, at flow resolution: how far the correspondence is trusted there (conf,
 * transferConfidence), the anchor's carried mask seen through it (warpedMask), and for pixels it is unsure of the
 * fill: colour membership (pipeline/membership.ts) or, at the edges of a colour edit, the boundary completion.
 */
export function editReachLow(grid: FlowGrid, anchor: ChainAnchor, state: ChainState, frameLow: Float32Array): EditReach {
  const { width: w, height: h } = grid;
  const conf = transferConfidence(grid, state);
  const warpedMask = warpPlane(anchor.maskLow, state.flow, w, h);
  const fill = membershipFill(anchor.likelihood, frameLow, warpedMask, conf, w, h);
  const warpedExplained = warpPlane(anchor.explainedLow, state.flow, w, h);
  const colourEdit = warpedMask.map((m, i) => m * warpedExplained[i]);
  const completed = completeAtBoundary(frameLow, colourEdit, conf, w, h);
  for (let i = 0; i < fill.length; i++) fill[i] = Math.max(fill[i], completed[i]);
  return { conf, warpedMask, fill };
}

/**
 * The full-resolution box of the pixels the edit reaches (carried mask with some trust, or membership fill), grown
 * by two flow-resolution pixels for the bilinear reach of the upsampled fields; null when empty.
 */
export function reachOfEdit(grid: FlowGrid, reach: EditReach, width: number, height: number): Rect | null {
  const { width: w, height: h } = grid;
  const { conf } = reach;
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const reached = (conf[i] > NO_TRUST && reach.warpedMask[i] > 0) || reach.fill[i] > 0;
      if (!reached) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  const margin = 2;
  const left = Math.max(0, Math.floor((x0 - margin) * grid.scaleX));
  const top = Math.max(0, Math.floor((y0 - margin) * grid.scaleY));
  const right = Math.min(width, Math.ceil((x1 + 1 + margin) * grid.scaleX));
  const bottom = Math.min(height, Math.ceil((y1 + 1 + margin) * grid.scaleY));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The flow-resolution box the transfer model needs for a full-resolution crop: the cells bilinear upsampling reads,
 * plus the re-lighting gain's box-filter radius (2) and one more, clamped to the grid. Over this box the model's
 * results are those it would give on whole fields.
 */
export function flowBoxOf(rect: Rect, grid: FlowGrid): Rect {
  const margin = 4;
  const x0 = Math.max(0, Math.floor((rect.x + 0.5) / grid.scaleX - 0.5) - margin);
  const y0 = Math.max(0, Math.floor((rect.y + 0.5) / grid.scaleY - 0.5) - margin);
  const x1 = Math.min(grid.width, Math.ceil((rect.x + rect.width - 0.5) / grid.scaleX - 0.5) + 1 + margin);
  const y1 = Math.min(grid.height, Math.ceil((rect.y + rect.height - 0.5) / grid.scaleY - 0.5) + 1 + margin);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * A frame's transfer from one anchor, as the transfer model takes it: its flow to the anchor, the correspondence's
 * trust and the membership fill (all at flow resolution, editReachLow), and the full-resolution box the edit reaches.
 */
export interface TransferPlan {
  flow: Float32Array;
  conf: Float32Array;
  fill: Float32Array;
  rect: Rect;
}

/**
 * The plan of a frame's transfer from `anchor`, carried along the state's flow with stray paint snapped to the
 * edit's consensus motion (rigid-snap.ts); null when the edit reaches no pixel of the frame.
 */
export function planTransfer(grid: FlowGrid, anchor: ChainAnchor, state: ChainState, frameLow: Float32Array, width: number, height: number): TransferPlan | null {
  const carried = { ...state, flow: snapStrayPaint(grid, anchor, state) };
  const reach = editReachLow(grid, anchor, carried, frameLow);
  const rect = reachOfEdit(grid, reach, width, height);
  // The warped mask served only to find the box: the plan goes to the render thread without it.
  return rect ? { flow: carried.flow, conf: reach.conf, fill: reach.fill, rect } : null;
}

/**
 * The transfer over `window`, a box of the frame (a large edit is carried in bands of rows, render.ts): one model
 * run, whose results over the window are those of a run over the whole frame up to the float rounding of the
 * upsampling's crop coordinates. Alpha is vetoed by colour (membership.ts applyColourVeto). The crop and the results
 * are planes of `scratch`, valid until its next use.
 */
export async function transferWindow(
  models: SessionSet<'transfer'>,
  grid: FlowGrid,
  frame: RgbImage,
  frameLow: Float32Array,
  anchor: AnchorModel,
  plan: TransferPlan,
  window: Rect,
  scratch = new ScratchPlanes(),
): Promise<TransferResult> {
  const { width, height } = frame;
  const low = (channels: number) => [1, channels, grid.height, grid.width];
  const box = flowBoxOf(window, grid);
  const inBox = (data: Float32Array, channels: number) => ({
    data: cropPlanes(data, channels, grid.width, grid.height, box),
    dims: [1, channels, box.height, box.width],
  });
  const pixels = window.width * window.height;
  const frameCrop = cropPlanes(frame.data, 3, width, height, window, scratch.take('frame', 3 * pixels));
  const output = (name: string, channels: number) => ({ data: scratch.take(name, channels * pixels), dims: [1, channels, window.height, window.width] });
  const out = await runModel(models, 'transfer', {
    frame: { data: frameCrop, dims: [1, 3, window.height, window.width] },
    anchor_stack: { data: anchor.stack, dims: [1, 5, height, width] },
    flow: inBox(plan.flow, 2),
    flow_scale: { data: Float32Array.of(grid.scaleX, grid.scaleY), dims: [1, 2, 1, 1] },
    origin: { data: Float32Array.of(window.x, window.y), dims: [1, 2, 1, 1] },
    low_origin: { data: Float32Array.of(box.x, box.y), dims: [1, 2, 1, 1] },
    confidence: inBox(plan.conf, 1),
    coeffs: { data: anchor.coeffs, dims: low(12) },
    anchor_low: { data: anchor.low, dims: low(3) },
    frame_low: inBox(frameLow, 3),
    fill: inBox(plan.fill, 1),
  }, { colour: output('colour', 3), content: output('content', 3), explained: output('explained', 1), alpha: output('alpha', 1) });
  const result: TransferResult = { rect: window, frameCrop, colour: out.colour, content: out.content, explained: out.explained, alpha: out.alpha };
  applyColourVeto(anchor.odds, frameCrop, result.alpha, pixels);
  return result;
}
