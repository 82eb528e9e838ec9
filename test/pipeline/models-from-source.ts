/**
 * Engine tests run the models built from models/src (into a temp folder that ANCHORFLOW_MODELS points at), so they
 * check the current graph code, not whatever models/dist last held.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { buildAllModels, manifestOf } from '../../models/src/manifest';

/** Builds every model into `dir` and points ANCHORFLOW_MODELS at it; returns what restores the previous value. */
export async function useModelsFromSource(dir: string): Promise<() => void> {
  await fs.mkdir(dir, { recursive: true });
  const models = buildAllModels();
  for (const m of models) await fs.writeFile(path.join(dir, m.entry.file), m.bytes);
  await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifestOf(models)));
  const saved = process.env.ANCHORFLOW_MODELS;
  process.env.ANCHORFLOW_MODELS = dir;
  return () => {
    if (saved === undefined) delete process.env.ANCHORFLOW_MODELS;
    else process.env.ANCHORFLOW_MODELS = saved;
  };
}
