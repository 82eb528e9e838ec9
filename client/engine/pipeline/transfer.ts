/** Zero stage: carries the anchor's edit to a frame along its correspondence (model: models/src/transfer.ts). */
import type { RgbImage } from '../io/image-types';
import type { ModelSet } from '../runtime/models';
import type { AnchorModel, FlowGrid } from './anchor-model';
import type { ChainState } from './correspondence';
import { runModel } from './tensors';

export interface TransferResult {
  colour: Float32Array;
  content: Float32Array;
  explained: Float32Array;
  alpha: Float32Array;
}

export async function transferEdit(models: ModelSet, grid: FlowGrid, frame: RgbImage, frameLow: Float32Array, anchor: AnchorModel, state: ChainState): Promise<TransferResult> {
  const { width, height } = frame;
  const low = (channels: number) => [1, channels, grid.height, grid.width];
  const out = await runModel(models, models.sessions.transfer, {
    frame: { data: frame.data, dims: [1, 3, height, width] },
    anchor_stack: { data: anchor.stack, dims: [1, 5, height, width] },
    flow: { data: state.flow, dims: low(2) },
    flow_scale: { data: Float32Array.of(grid.scaleX, grid.scaleY), dims: [1, 2, 1, 1] },
    confidence: { data: state.conf, dims: low(1) },
    coeffs: { data: anchor.coeffs, dims: low(12) },
    anchor_low: { data: anchor.low, dims: low(3) },
    frame_low: { data: frameLow, dims: low(3) },
  });
  return { colour: out.colour, content: out.content, explained: out.explained, alpha: out.alpha };
}
