/** Hero stage: repairs blur, colour range and seams of the transferred edit (model: models/src/restore.ts). */
import type { ModelSet } from '../runtime/models';
import type { AnchorModel } from './anchor-model';
import { runModel } from './tensors';
import type { TransferResult } from './transfer';

export interface EditLayer {
  /** Edited colours, 3 planes. Meaningful where alpha > 0. */
  rgb: Float32Array;
  /** Edit opacity, 1 plane; exactly 0 wherever the frame must stay as it is. */
  alpha: Float32Array;
}

export async function restoreEdit(models: ModelSet, width: number, height: number, transferred: TransferResult, anchor: AnchorModel): Promise<EditLayer> {
  const full = (channels: number) => [1, channels, height, width];
  const out = await runModel(models, models.sessions.restore, {
    colour: { data: transferred.colour, dims: full(3) },
    content: { data: transferred.content, dims: full(3) },
    explained: { data: transferred.explained, dims: full(1) },
    alpha: { data: transferred.alpha, dims: full(1) },
    edit_low: { data: Float32Array.from(anchor.editLow), dims: [1, 3, 1, 1] },
    edit_high: { data: Float32Array.from(anchor.editHigh), dims: [1, 3, 1, 1] },
  });
  return { rgb: out.layer, alpha: out.layer_alpha };
}
