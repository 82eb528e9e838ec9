/** Hero stage: repairs blur, colour range and seams of the transferred edit (model: models/src/restore.ts). */
import type { ModelSet } from '../runtime/models';
import type { AnchorModel } from './anchor-model';
import type { EditLayer } from './composite';
import { runModel } from './tensors';
import type { TransferResult } from './transfer';

export async function restoreEdit(models: ModelSet, frameWidth: number, frameHeight: number, transferred: TransferResult, anchor: AnchorModel): Promise<EditLayer> {
  const { rect } = transferred;
  const crop = (channels: number) => [1, channels, rect.height, rect.width];
  const out = await runModel(models, 'restore', {
    frame: { data: transferred.frameCrop, dims: crop(3) },
    colour: { data: transferred.colour, dims: crop(3) },
    content: { data: transferred.content, dims: crop(3) },
    explained: { data: transferred.explained, dims: crop(1) },
    alpha: { data: transferred.alpha, dims: crop(1) },
    edit_low: { data: Float32Array.from(anchor.editLow), dims: [1, 3, 1, 1] },
    edit_high: { data: Float32Array.from(anchor.editHigh), dims: [1, 3, 1, 1] },
  });
  return { frameWidth, frameHeight, rect, rgb: out.layer, alpha: out.layer_alpha };
}
