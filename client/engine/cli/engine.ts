/**
 * Loads the pipeline's `propagate` on first use. Lazy so that `--help`, `--version` and argument errors answer at
 * once without loading onnxruntime-node and the models.
 */
import type { EngineEvent, PropagateRequest, PropagateResult } from '../../shared/protocol';

export interface PropagateOptions {
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

export type PropagateFn = (request: PropagateRequest, options: PropagateOptions) => Promise<PropagateResult>;

export function loadPropagate(): PropagateFn {
  let pipeline: { propagate?: PropagateFn };
  try {
    pipeline = require('../pipeline/propagate') as { propagate?: PropagateFn };
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
