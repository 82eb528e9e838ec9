/**
 * Chooses how `propagate` runs for the CLI, `serve` and the demo. By default the pipeline runs in a worker thread
 * (runtime/worker-host) so that progress, Ctrl-C and serve's commands stay live while onnxruntime computes.
 * ANCHORFLOW_NO_WORKER=1 runs it in-thread instead, for debugging (breakpoints and stacks in one thread).
 * The pipeline is loaded only when a run starts, so `--help`, `--version` and argument errors answer at once.
 */
import type { EngineEvent, PropagateRequest, PropagateResult } from '../../shared/protocol';
// Light to load (worker_threads only): the worker itself loads onnxruntime-node and the pipeline.
import { propagateInWorker } from '../runtime/worker-host';

export interface PropagateOptions {
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

export type PropagateFn = (request: PropagateRequest, options: PropagateOptions) => Promise<PropagateResult>;

/** True when ANCHORFLOW_NO_WORKER asks for the in-thread pipeline. */
export function workerDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.ANCHORFLOW_NO_WORKER;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function loadPropagate(): PropagateFn {
  return workerDisabled() ? loadPropagateInThread() : propagateInWorker;
}

/**
 * The pipeline's own `propagate`, run on the calling thread (blocks its event loop during inference). A dynamic
 * import rather than require() so that it also resolves the .ts sources under vitest, whose require() cannot.
 */
export function loadPropagateInThread(): PropagateFn {
  return async (request, options) => (await importPipeline())(request, options);
}

async function importPipeline(): Promise<PropagateFn> {
  let pipeline: { propagate?: PropagateFn };
  try {
    pipeline = (await import('../pipeline/propagate')) as { propagate?: PropagateFn };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes('pipeline/propagate')) {
      throw new Error('The engine pipeline (client/engine/pipeline/propagate) is missing; rebuild with `npm run build:engine`.');
    }
    throw error;
  }
  if (typeof pipeline.propagate !== 'function') {
    throw new Error('client/engine/pipeline/propagate does not export propagate(); rebuild with `npm run build:engine`.');
  }
  return pipeline.propagate;
}
