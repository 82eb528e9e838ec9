/** Small helpers between Float32Array planes and onnxruntime tensors. */
import type { ModelName } from '../../../models/src/registry';
import type { SessionSet } from '../runtime/models';

export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

/**
 * Runs model `model` of `models`; returns each output's data by name. Outputs named in `into` are written into the
 * planes given there (preallocated, shaped as given) instead of into fresh ones.
 */
export async function runModel<N extends ModelName>(models: SessionSet<N>, model: N, feeds: Feeds, into: Feeds = {}): Promise<Record<string, Float32Array>> {
  const session = await models.session(model);
  const tensor = ({ data, dims }: Feeds[string]) => new models.ort.Tensor('float32', data, dims);
  const tensors: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) tensors[name] = tensor(feed);
  const fetches: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const [name, plane] of Object.entries(into)) fetches[name] = tensor(plane);
  const results = Object.keys(fetches).length ? await session.run(tensors, fetches) : await session.run(tensors);
  const out: Record<string, Float32Array> = {};
  for (const [name, result] of Object.entries(results)) out[name] = into[name]?.data ?? (result.data as Float32Array);
  return out;
}

/**
 * Planes reused from one model run to the next (the render thread's bands): fresh planes of a 1080p band cost a page
 * fault per 4 KiB on first touch, which came to several percent of a background grade's CPU time. A plane taken is
 * valid until the same name is taken again; its old contents are not cleared.
 */
export class ScratchPlanes {
  private readonly buffers = new Map<string, Float32Array>();

  take(name: string, length: number): Float32Array {
    let buffer = this.buffers.get(name);
    if (!buffer || buffer.length < length) this.buffers.set(name, (buffer = new Float32Array(length)));
    return buffer.subarray(0, length);
  }
}
