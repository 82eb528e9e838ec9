/** Small helpers between Float32Array planes and onnxruntime tensors. */
import type { ModelName } from '../../../models/src/registry';
import type { SessionSet } from '../runtime/models';

export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

/** Runs model `model` of `models`; returns each output's data by name. */
export async function runModel<N extends ModelName>(models: SessionSet<N>, model: N, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const session = await models.session(model);
  const tensors: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const [name, { data, dims }] of Object.entries(feeds)) tensors[name] = new models.ort.Tensor('float32', data, dims);
  const results = await session.run(tensors);
  const out: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(results)) out[name] = tensor.data as Float32Array;
  return out;
}
