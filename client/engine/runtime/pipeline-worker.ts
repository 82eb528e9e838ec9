/**
 * Entry point of the worker thread that runs the pipeline (started by worker-host.ts). It runs exactly one
 * propagation: the request comes in `workerData`, EngineEvents go out as they happen, then one final `result` or
 * `error` message. A `cancel` message aborts the run's own AbortController, which the pipeline checks between
 * frames. Once the final message is posted the worker stops listening, so its event loop empties and it exits.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { propagate } from '../pipeline/propagate';
import type { HostMessage, WorkerInput, WorkerMessage } from './worker-host';
import { toWire } from './wire-errors';

async function runOne(port: NonNullable<typeof parentPort>, input: WorkerInput): Promise<void> {
  const controller = new AbortController();
  const onMessage = (message: HostMessage): void => {
    if (message.type === 'cancel') controller.abort();
  };
  port.on('message', onMessage);
  const post = (message: WorkerMessage): void => port.postMessage(message);
  try {
    const result = await propagate(input.request, { signal: controller.signal, onEvent: (event) => post({ type: 'event', event }) });
    post({ type: 'result', result });
  } catch (error) {
    post(toWire(error));
  } finally {
    // With no 'message' listener the port is unref'd: nothing keeps this thread alive any more.
    port.off('message', onMessage);
  }
}

if (isMainThread || !parentPort) {
  throw new Error('client/engine/runtime/pipeline-worker runs only as a worker thread; call propagateInWorker() instead.');
}
void runOne(parentPort, workerData as WorkerInput);
