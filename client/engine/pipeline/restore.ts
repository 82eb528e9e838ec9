/** Hero stage: repairs blur, colour range and seams of the transferred edit (model: models/src/restore.ts). */
import type { SessionSet } from '../runtime/models';
import type { AnchorModel } from './anchor-model';
import { runModel, ScratchPlanes } from './tensors';
import type { TransferResult } from './transfer';

/**
 * Rows a window must hold beyond the rows taken from it, on either side, for those rows to come out as in a run over
 * the whole edit: the model's filters reach 7 rows (the content's box, the guided filter's two radius-3 boxes, the
 * feather's box).
 */
export const RESTORE_HALO = 8;

/** The restored layer over the transferred window (`transferred.rect`): colour and alpha planes of `scratch`. */
export async function restoreWindow(
  models: SessionSet<'restore'>,
  transferred: TransferResult,
  anchor: AnchorModel,
  scratch = new ScratchPlanes(),
): Promise<{ rgb: Float32Array; alpha: Float32Array }> {
  const { rect } = transferred;
  const plane = (data: Float32Array, channels: number) => ({ data, dims: [1, channels, rect.height, rect.width] });
  const output = (name: string, channels: number) => plane(scratch.take(name, channels * rect.width * rect.height), channels);
  const out = await runModel(models, 'restore', {
    frame: plane(transferred.frameCrop, 3),
    colour: plane(transferred.colour, 3),
    content: plane(transferred.content, 3),
    explained: plane(transferred.explained, 1),
    alpha: plane(transferred.alpha, 1),
    edit_low: { data: Float32Array.from(anchor.editLow), dims: [1, 3, 1, 1] },
    edit_high: { data: Float32Array.from(anchor.editHigh), dims: [1, 3, 1, 1] },
  }, { layer: output('layer', 3), layer_alpha: output('layer_alpha', 1) });
  return { rgb: out.layer, alpha: out.layer_alpha };
}
