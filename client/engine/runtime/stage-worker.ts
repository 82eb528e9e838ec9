/**
 * The pipeline's side of a stage that runs on a worker thread of its own (capture, render): starts the thread,
 * routes its replies, turns its exit or crash into one failure, and adds its stage times to the pipeline's timer
 * when it closes. A worker answers `{ type: 'close' }` with `{ type: 'closed', stageMs }` and then stops.
 */
import { Worker, type MessagePort } from 'worker_threads';
import type { StageTimer } from '../pipeline/timing';
import { prepareNativeLibraries, workerEntry } from './thread-entry';

/** The buffers under `views`, once each, for a transfer list (only plain ArrayBuffers can move). */
export function movableBuffers(...views: Array<ArrayBufferView | undefined>): ArrayBuffer[] {
  const buffers = new Set(views.map((view) => view?.buffer));
  return [...buffers].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
}

/**
 * Posts `message` to the other thread, moving the `movable` buffers there rather than copying them where the engine
 * allows it; where it does not (e.g. a buffer sharp allocated), the whole message is copied.
 */
export function postMoving(target: Pick<MessagePort, 'postMessage'>, message: unknown, movable: ArrayBuffer[]): void {
  try {
    target.postMessage(message, movable);
  } catch {
    target.postMessage(message);
  }
}

/** A stage worker's last message. */
export interface StageClosed {
  type: 'closed';
  stageMs: Record<string, number>;
}

export interface StageWorkerHandlers<Reply> {
  /** Every reply but the last. */
  reply: (reply: Reply) => void;
  /** The thread failed (the first failure only): whatever waits on it must fail with `error`. */
  fail: (error: Error) => void;
}

export class StageWorker<Request extends { type: string }, Reply> {
  private readonly worker: Worker;
  private readonly stopped: Promise<Record<string, number>>;
  private closing: Promise<void> | null = null;
  /** Why the thread can no longer answer, once it cannot. */
  failure: Error | null = null;

  /** Starts `runtime/<baseName>` with `workerData`; `label` names the thread in errors ("capture"). */
  constructor(baseName: string, label: string, workerData: unknown, private readonly timer: StageTimer, private readonly handlers: StageWorkerHandlers<Reply>) {
    const entry = workerEntry(baseName);
    prepareNativeLibraries();
    this.worker = new Worker(entry.script, { eval: entry.evalCode, workerData });
    let stageMs: Record<string, number> = {};
    this.stopped = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.fail(new Error(`The ${label} thread stopped unexpectedly (exit code ${code}).`));
        resolve(stageMs);
      });
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('message', (message: Reply | StageClosed) => {
      if ((message as { type?: unknown }).type === 'closed') stageMs = (message as StageClosed).stageMs;
      else handlers.reply(message as Reply);
    });
  }

  /** Marks the thread failed (the first failure is kept) and tells the handlers. */
  fail(error: Error): void {
    this.failure ??= error;
    this.handlers.fail(this.failure);
  }

  /** Sends a request, moving the `movable` buffers to the thread (postMoving). Only `close` goes to a failed thread. */
  post(request: Request, movable: ArrayBuffer[] = []): void {
    if (this.failure && request.type !== 'close') return;
    postMoving(this.worker, request, movable);
  }

  /**
   * Stops the thread (it finishes what it is on first) and adds its stage times to the timer. Safe to call again:
   * later calls wait for the same stop.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.post({ type: 'close' } as Request);
      const stageMs = await this.stopped;
      for (const [stage, ms] of Object.entries(stageMs)) this.timer.add(stage, ms);
    })();
    return this.closing;
  }
}
