/** Small helpers between Float32Array planes and onnxruntime tensors. */
import type { ModelSet, Session } from '../runtime/models';

export type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

/** Runs one model; returns each output's data by name. */
export async function runModel(models: Pick<ModelSet, 'ort'>, session: Session, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const tensors: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const [name, { data, dims }] of Object.entries(feeds)) tensors[name] = new models.ort.Tensor('float32', data, dims);
  const results = await session.run(tensors);
  const out: Record<string, Float32Array> = {};
  for (const [name, tensor] of Object.entries(results)) out[name] = tensor.data as Float32Array;
  return out;
}
