/**
 * Starting the engine's worker threads from either the compiled build or the TypeScript sources.
 *
 * From TypeScript sources (tsx, vitest) a Worker cannot load a .ts entry by itself, and on Node 20
 * `execArgv: ['--import', 'tsx']` does not help either (measured with tsx 4.23: the worker still fails with
 * "Unknown file extension .ts"). So from sources a worker is started from a two-line eval shim that registers tsx's
 * CommonJS hook (`tsx/cjs/api`) and then requires the .ts entry. From the compiled build (bin/anchorflow.js) the
 * worker loads the .js entry directly and needs no tsx.
 */
import { existsSync } from 'fs';
import * as path from 'path';
import { disableOrtTelemetry } from './ort-telemetry';

export interface WorkerEntry {
  /** A file path, or source code when `evalCode` is set. */
  script: string;
  evalCode: boolean;
}

/** The entry of the worker `baseName` (a file of this folder, without extension), compiled or from sources. */
export function workerEntry(baseName: string): WorkerEntry {
  const fromSources = path.extname(__filename) === '.ts';
  const entry = path.join(__dirname, `${baseName}${fromSources ? '.ts' : '.js'}`);
  if (!existsSync(entry)) throw new Error(`The engine worker ${entry} is missing; rebuild with \`npm run build:engine\`.`);
  if (!fromSources) return { script: entry, evalCode: false };
  let tsxApi: string;
  try {
    tsxApi = require.resolve('tsx/cjs/api');
  } catch {
    throw new Error('Running the engine from its TypeScript sources needs tsx (a dev dependency); run `npm ci`, or use the build via `npm run build:engine`.');
  }
  return { script: `require(${JSON.stringify(tsxApi)}).register();\nrequire(${JSON.stringify(entry)});\n`, evalCode: true };
}

/**
 * Called by the thread that starts workers, before it starts them. sharp's shared libraries must stay loaded by it:
 * on glibc, a worker that loaded them last would unload them on exit while libvips threads may still run (sharp's
 * documented worker-thread rule). And the workers load onnxruntime, which reads its telemetry switch from the
 * environment only this thread can set (ort-telemetry.ts).
 */
export function prepareNativeLibraries(): void {
  disableOrtTelemetry();
  require('sharp');
}
