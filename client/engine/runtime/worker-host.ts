/**
 * Runs the pipeline in a worker thread. onnxruntime's `session.run()` blocks the thread that calls it for the whole
 * inference, so run in-thread the CLI's Ctrl-C, `serve`'s ping/cancel and progress would all wait for it; in a
 * worker the main event loop stays free. Same contract as pipeline/propagate's `propagate`: EngineEvents are relayed
 * as they come, aborting the signal cancels, and errors keep their kind (InputError, CancelledError, other) with the
 * original one-line message.
 * The worker is started as thread-entry.ts says (compiled build or TypeScript sources).
 */
import { Worker } from 'worker_threads';
import type { EngineEvent, PropagateRequest, PropagateResult } from '../../shared/protocol';
import { CancelledError } from '../errors';
import type { PropagateOptions } from '../pipeline/propagate';
import { prepareNativeLibraries, workerEntry, type WorkerEntry } from './thread-entry';
import { reviveError, type WireError } from './wire-errors';

export { reviveError } from './wire-errors';

/** What the worker gets as `workerData`. */
export interface WorkerInput {
  request: PropagateRequest;
}

/** Host → worker. */
export type HostMessage = { type: 'cancel' };

/** Worker → host: any number of events, then exactly one `result` or `error`. */
export type WorkerMessage =
  | { type: 'event'; event: EngineEvent }
  | { type: 'result'; result: PropagateResult }
  | WireError;

export interface WorkerRunOptions extends PropagateOptions {
  /**
   * How long a cancelled worker may take to stop before the cancel is reported anyway (default 10 s). The worker is
   * never terminated mid-run: ending a thread inside onnxruntime aborts the whole process (seen in tests); it is
   * left, unreferenced, to stop at its next frame boundary.
   */
  cancelGraceMs?: number;
}

export const DEFAULT_CANCEL_GRACE_MS = 10_000;
/** After its final message the worker should exit at once; if something native holds it, stop it. */
const EXIT_GRACE_MS = 5_000;

/** Worker threads started here that have not exited yet. */
const liveWorkers = new Set<Worker>();

/** How many pipeline workers are still running (0 once every run has settled): for tests and diagnostics. */
export function liveWorkerCount(): number {
  return liveWorkers.size;
}

type Outcome = { ok: true; result: PropagateResult } | { ok: false; error: Error };

function unexpectedExit(code: number): Error {
  return new Error(`The engine worker stopped unexpectedly (exit code ${code}); rerun with ANCHORFLOW_NO_WORKER=1 to run in-thread and see more.`);
}

function workerFailure(error: Error): Error {
  const first = error.message.split('\n')[0];
  if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || first.startsWith('Cannot find module')) {
    return new Error(`The engine worker could not load the pipeline (${first}); rebuild with \`npm run build:engine\`.`);
  }
  const failure = new Error(first);
  failure.name = error.name;
  failure.stack = error.stack;
  return failure;
}

export function propagateInWorker(request: PropagateRequest, options: WorkerRunOptions = {}): Promise<PropagateResult> {
  const { onEvent, signal } = options;
  const graceMs = options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  let entry: WorkerEntry;
  try {
    entry = workerEntry('pipeline-worker');
    prepareNativeLibraries();
  } catch (error) {
    return Promise.reject(error);
  }

  return new Promise<PropagateResult>((resolve, reject) => {
    const input: WorkerInput = { request };
    // execArgv is inherited (default): per-process flags such as --max-old-space-size may not be passed explicitly.
    const worker = new Worker(entry.script, { eval: entry.evalCode, workerData: input });
    liveWorkers.add(worker);
    let outcome: Outcome | null = null;
    let settled = false;
    let cancelTimer: NodeJS.Timeout | undefined;
    let exitTimer: NodeJS.Timeout | undefined;
    const settle = (result: Outcome): void => {
      if (settled) return;
      settled = true;
      if (result.ok) resolve(result.result);
      else reject(result.error);
    };

    // The first outcome wins; the promise settles on 'exit', so a caller never sees one while the thread exists.
    const finish = (result: Outcome): void => {
      outcome ??= result;
    };
    /** Asks the worker to stop at its next frame boundary (cleaning up as it goes); reports it if that is slow. */
    const requestStop = (): void => {
      if (cancelTimer) return;
      worker.postMessage({ type: 'cancel' } satisfies HostMessage);
      cancelTimer = setTimeout(() => {
        const grace = graceMs >= 1000 ? `${graceMs / 1000} s` : `${graceMs} ms`;
        finish({ ok: false, error: new CancelledError(`Cancelled; the engine did not stop within ${grace} and stops at its next frame. Earlier results were left untouched.`) });
        settle(outcome!);
        worker.unref();
      }, graceMs);
    };
    const onAbort = (): void => requestStop();
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: WorkerMessage) => {
      // After its final message the worker has nothing left to do; if something native holds it, end it.
      if (message.type !== 'event') exitTimer ??= setTimeout(() => void worker.terminate(), EXIT_GRACE_MS);
      if (outcome) return;
      if (message.type === 'event') {
        try {
          onEvent?.(message.event);
        } catch (error) {
          // In-thread, a throwing onEvent would fail the run: do the same here.
          finish({ ok: false, error: error instanceof Error ? error : new Error(String(error)) });
          requestStop();
        }
      } else if (message.type === 'result') {
        finish({ ok: true, result: message.result });
      } else {
        finish({ ok: false, error: reviveError(message) });
      }
    });
    worker.on('error', (error) => finish({ ok: false, error: workerFailure(error) }));
    worker.on('exit', (code) => {
      liveWorkers.delete(worker);
      clearTimeout(cancelTimer);
      clearTimeout(exitTimer);
      signal?.removeEventListener('abort', onAbort);
      settle(outcome ?? { ok: false, error: signal?.aborted ? new CancelledError() : unexpectedExit(code) });
    });
  });
}
