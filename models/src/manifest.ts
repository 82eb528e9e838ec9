/** Builds every model and its manifest entry in memory (deterministic: same code → same bytes → same hash). */
import { createHash } from 'crypto';
import { buildModel, Manifest, ManifestEntry, MODEL_NAMES, ModelName, OPSET, STAGE_OF } from './registry';

export interface BuiltModel {
  entry: ManifestEntry;
  bytes: Uint8Array;
}

export function buildAllModels(): BuiltModel[] {
  return MODEL_NAMES.map((name: ModelName) => {
    const graph = buildModel(name);
    const bytes = graph.toBytes();
    const entry: ManifestEntry = {
      name,
      stage: STAGE_OF[name],
      file: `${name}.onnx`,
      description: graph.docString,
      opset: OPSET,
      inputs: graph.inputs.map((v) => ({ name: v.name, shape: v.shape })),
      outputs: graph.outputs.map((v) => ({ name: v.name, shape: v.shape })),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
    };
    return { entry, bytes };
  });
}

export function manifestOf(models: BuiltModel[]): Manifest {
  return { format: 'anchorflow-models/1', opset: OPSET, models: models.map((m) => m.entry) };
}
