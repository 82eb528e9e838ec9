/**
 * Correspondence stage: the motion estimate everything else is guided by (VideoJAM's point).
 *
 * A chain walks from an anchor one frame at a time. Each link measures the neighbour flows both ways (large motion
 * is easy between neighbours), composes them with the neighbour's flow to the anchor, then refines the frame
 * directly against the anchor around that composition (which removes the drift a long chain accumulates). When
 * pixels are lost, a full search against the anchor finds content again after an occlusion.
 * Confidence = the better of the chain's forward–backward consistency and the direct match quality, so content
 * that was occluded for a while is picked up again when it reappears.
 */
import type { FlowGrid } from './anchor-model';
import type { ModelSet } from '../runtime/models';
import { runModel } from './tensors';

/** Where frame `index` sits in the anchor: flow (2 planes, flow-resolution pixels) and confidence (0..1). */
export interface ChainState {
  index: number;
  flow: Float32Array;
  conf: Float32Array;
}

export interface ChainLink {
  state: ChainState;
  /** Flow from this frame to the previous frame of the chain. */
  toPrevious: Float32Array;
  /** Flow from the previous frame of the chain to this one. */
  fromPrevious: Float32Array;
}

/** Structure residual ~0.3 and colour residual ~0.02 for a true match; ≥1 and ~0.2 for a wrong one. */
export function matchQuality(residual: Float32Array, pixels: number): Float32Array {
  const quality = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const s = residual[i] / 0.8;
    const c = residual[pixels + i] / 0.15;
    quality[i] = Math.exp(-(s * s) - c * c);
  }
  return quality;
}

/** Confidence under which a pixel counts as lost, and the share of lost pixels that triggers a direct search. */
const LOST = 0.3;
const REACQUIRE_FRACTION = 0.01;

export class CorrespondenceStage {
  private readonly dims2: number[];
  private readonly dims1: number[];
  private readonly dims3: number[];
  private readonly pixels: number;

  constructor(private readonly models: ModelSet, readonly grid: FlowGrid) {
    this.dims1 = [1, 1, grid.height, grid.width];
    this.dims2 = [1, 2, grid.height, grid.width];
    this.dims3 = [1, 3, grid.height, grid.width];
    this.pixels = grid.width * grid.height;
  }

  /** The anchor's own state: identity correspondence, full confidence. */
  anchorState(index: number): ChainState {
    return { index, flow: new Float32Array(2 * this.pixels), conf: new Float32Array(this.pixels).fill(1) };
  }

  private async flow(model: 'correspondence_search' | 'correspondence_refine', source: Float32Array, target: Float32Array, init: Float32Array) {
    return runModel(this.models, this.models.sessions[model], {
      source: { data: source, dims: this.dims3 },
      target: { data: target, dims: this.dims3 },
      init_flow: { data: init, dims: this.dims2 },
    });
  }

  /**
   * Advance the chain from `previous` (frame `previousLow`) to frame `index` (`frameLow`).
   * `motionGuess` (the last link's step, or zeros) seeds the neighbour search for fast, steady motion.
   */
  async link(previous: ChainState, previousLow: Float32Array, index: number, frameLow: Float32Array, anchorLow: Float32Array, motionGuess: Float32Array): Promise<ChainLink> {
    const step = await this.flow('correspondence_search', frameLow, previousLow, motionGuess);
    // An independent search back: only two estimates made apart can vouch for each other.
    const back = await this.flow('correspondence_search', previousLow, frameLow, step.flow.map((v) => -v));
    const chained = await runModel(this.models, this.models.sessions.chain, {
      step_flow: { data: step.flow, dims: this.dims2 },
      back_flow: { data: back.flow, dims: this.dims2 },
      chain_flow: { data: previous.flow, dims: this.dims2 },
      chain_conf: { data: previous.conf, dims: this.dims1 },
    });
    // Local match against the anchor around the chain's answer: removes the drift a long chain accumulates.
    const refined = await this.flow('correspondence_refine', frameLow, anchorLow, chained.flow);
    const refinedQuality = matchQuality(refined.residual, this.pixels);
    const flow = refined.flow;
    const conf = new Float32Array(this.pixels);
    let lost = 0;
    for (let i = 0; i < this.pixels; i++) {
      conf[i] = Math.max(chained.conf[i], refinedQuality[i]);
      if (conf[i] < LOST) lost++;
    }
    if (lost > this.pixels * REACQUIRE_FRACTION) {
      // Content the chain lost (behind an occluder, or never seen by it) may be visible again: search the anchor
      // coarse to fine and take that answer wherever it matches clearly better than the chain's.
      const searched = await this.flow('correspondence_search', frameLow, anchorLow, chained.flow);
      const searchedQuality = matchQuality(searched.residual, this.pixels);
      for (let i = 0; i < this.pixels; i++) {
        if (conf[i] < LOST && searchedQuality[i] > refinedQuality[i] + 0.2) {
          flow[i] = searched.flow[i];
          flow[this.pixels + i] = searched.flow[this.pixels + i];
          conf[i] = Math.max(conf[i], searchedQuality[i]);
        }
      }
    }
    return { state: { index, flow, conf }, toPrevious: step.flow, fromPrevious: back.flow };
  }
}
