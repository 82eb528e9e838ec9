/** `npm run build:models`: writes models/dist/*.onnx and models/dist/manifest.json (atomically, file by file). */
import { mkdirSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { buildAllModels, manifestOf } from './src/manifest';

function writeAtomic(path: string, data: Uint8Array | string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

const outDir = join(__dirname, 'dist');
mkdirSync(outDir, { recursive: true });
const models = buildAllModels();
for (const model of models) writeAtomic(join(outDir, model.entry.file), model.bytes);
writeAtomic(join(outDir, 'manifest.json'), JSON.stringify(manifestOf(models), null, 2) + '\n');
console.log(`models: wrote ${models.length} graphs (opset ${models[0].entry.opset}) to ${outDir}`);
