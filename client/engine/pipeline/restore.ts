/** Hero stage: repairs blur, colour range and seams of the transferred edit (model: models/src/restore.ts). */
import type { ModelSet } from '../runtime/models';
import type { AnchorModel } from './anchor-model';
import type { EditLayer } from './composite';
import { copyRows, cropPlanes, rowBands } from './raster';
import { runModel } from './tensors';
import type { TransferResult } from './transfer';

/** Pixels per restore-model run (a whole 1080p frame in one run held ~0.45 GB of intermediates, measured). */
const BAND_PIXELS = 1 << 19;
/**
 * Rows each band reads beyond its own on either side: the model's filters reach 7 rows (the content's box, the guided
 * filter's two radius-3 boxes, the feather's box), so a band's own rows come out as in a whole run.
 */
const BAND_HALO = 8;

export async function restoreEdit(
  models: ModelSet,
  frameWidth: number,
  frameHeight: number,
  transferred: TransferResult,
  anchor: AnchorModel,
  bandPixels = BAND_PIXELS,
): Promise<EditLayer> {
  const { rect } = transferred;
  const pixels = rect.width * rect.height;
  const rgb = new Float32Array(3 * pixels);
  const alpha = new Float32Array(pixels);
  const whole = { x: 0, y: 0, width: rect.width, height: rect.height };
  const editRange = {
    edit_low: { data: Float32Array.from(anchor.editLow), dims: [1, 3, 1, 1] },
    edit_high: { data: Float32Array.from(anchor.editHigh), dims: [1, 3, 1, 1] },
  };
  for (const band of rowBands(whole, bandPixels)) {
    const top = Math.max(0, band.y - BAND_HALO);
    const read = { x: 0, y: top, width: rect.width, height: Math.min(rect.height, band.y + band.height + BAND_HALO) - top };
    const crop = (data: Float32Array, channels: number) => ({
      data: cropPlanes(data, channels, rect.width, rect.height, read),
      dims: [1, channels, read.height, read.width],
    });
    const out = await runModel(models, 'restore', {
      frame: crop(transferred.frameCrop, 3),
      colour: crop(transferred.colour, 3),
      content: crop(transferred.content, 3),
      explained: crop(transferred.explained, 1),
      alpha: crop(transferred.alpha, 1),
      ...editRange,
    });
    copyRows(out.layer, read.height, band.y - top, band.height, rgb, rect.height, band.y, rect.width);
    copyRows(out.layer_alpha, read.height, band.y - top, band.height, alpha, rect.height, band.y, rect.width);
  }
  return { frameWidth, frameHeight, rect, rgb, alpha };
}
