/**
 * Entry point of the capture thread (started by pipeline/capture.ts): decodes frames, brings them to flow
 * resolution, and runs the neighbour searches of each walk ahead of the pipeline. Requests and replies are
 * CaptureRequest / CaptureReply; a failed request answers with its error (kind kept), and a `close` stops the
 * thread after the model run in progress.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { readFrame } from '../io/frames';
import type { FlowGrid } from '../pipeline/anchor-model';
import type { CapturedFrame, CaptureReply, CaptureRequest, CaptureWorkerInput } from '../pipeline/capture';
import { neighbourMotion } from '../pipeline/correspondence';
import { resampleArea } from '../pipeline/raster';
import { StageTimer } from '../pipeline/timing';
import { openModels, type SessionSet } from './models';
import { movableBuffers, postMoving } from './stage-worker';
import { toWire } from './wire-errors';

/** Flow-resolution frames kept (they are small) so a walk need not decode its anchor frame again. */
const RECENT_LOWS = 4;

interface Walk {
  credit: number;
  stopped: boolean;
  wake: (() => void) | null;
}

class CaptureWorker {
  private models: Promise<SessionSet<'correspondence_search'>> | null = null;
  private readonly walks = new Map<number, Walk>();
  private readonly timer = new StageTimer();
  private readonly recentLows = new Map<number, Float32Array>();
  private readonly frameReplies = new Set<Promise<void>>();

  constructor(private readonly port: NonNullable<typeof parentPort>, private readonly input: CaptureWorkerInput) {}

  private get grid(): FlowGrid {
    return this.input.grid;
  }

  handle(request: CaptureRequest): void {
    switch (request.type) {
      case 'open':
        // Creating a session blocks this thread for ~0.4 s: frames already asked for (the anchors, which the
        // pipeline is waiting on) are answered first.
        this.models = Promise.allSettled(this.frameReplies).then(() => openModels(request.device, { only: ['correspondence_search'], threads: request.threads }));
        this.models.catch((error: unknown) => this.port.postMessage({ id: -1, ...toWire(error) } satisfies CaptureReply));
        break;
      case 'frame': {
        const reply = this.load(request.index).then(
          (frame) => this.post({ type: 'frame', id: request.id, frame }),
          (error: unknown) => this.post({ id: request.id, ...toWire(error) }),
        );
        this.frameReplies.add(reply);
        void reply.finally(() => this.frameReplies.delete(reply));
        break;
      }
      case 'walk': {
        const walk: Walk = { credit: request.ahead, stopped: false, wake: null };
        this.walks.set(request.id, walk);
        this.walk(request, walk).then(
          () => this.post({ type: 'end', id: request.id }),
          (error: unknown) => this.post({ id: request.id, ...toWire(error) }),
        ).finally(() => this.walks.delete(request.id));
        break;
      }
      case 'credit':
        this.grant(request.id, (walk) => walk.credit++);
        break;
      case 'stop':
        this.grant(request.id, (walk) => (walk.stopped = true));
        break;
      case 'close':
        for (const walk of this.walks.values()) walk.stopped = true;
        this.walks.forEach((walk) => walk.wake?.());
        this.post({ type: 'closed', stageMs: this.timer.summary() });
        this.port.close();
        void this.models?.then((models) => models.release()).catch(() => undefined);
        break;
    }
  }

  private grant(id: number, change: (walk: Walk) => void): void {
    const walk = this.walks.get(id);
    if (!walk) return;
    change(walk);
    const wake = walk.wake;
    walk.wake = null;
    wake?.();
  }

  private async load(index: number): Promise<CapturedFrame> {
    const { width, height, grid } = this.input;
    const full = await this.timer.time('capture', () => readFrame(this.input.files, index, { width, height }));
    const low = await this.timer.time('capture', () => resampleArea(full.data, 3, width, height, grid.width, grid.height));
    this.recentLows.delete(index);
    this.recentLows.set(index, low);
    if (this.recentLows.size > RECENT_LOWS) this.recentLows.delete(this.recentLows.keys().next().value as number);
    return { index, full, low };
  }

  /** Frame `index` at flow resolution: a walk starts from its anchor, usually just decoded for the pipeline. */
  private async lowOf(index: number): Promise<Float32Array> {
    return this.recentLows.get(index) ?? (await this.load(index)).low;
  }

  private async walk(request: Extract<CaptureRequest, { type: 'walk' }>, walk: Walk): Promise<void> {
    const { direction, end } = request;
    if (!this.models) throw new Error('capture thread: a walk was asked for before the search model was opened');
    const models = await this.models;
    const beyondEnd = (t: number) => (direction > 0 ? t > end : t < end);
    let previousLow = await this.lowOf(request.from);
    let guess: Float32Array = new Float32Array(2 * this.grid.width * this.grid.height);
    let next: Promise<CapturedFrame> | null = null;
    for (let t = request.from + direction; !beyondEnd(t); t += direction) {
      while (walk.credit <= 0 && !walk.stopped) await new Promise<void>((resolve) => (walk.wake = resolve));
      if (walk.stopped) return;
      const frame = await (next ?? this.load(t));
      // The next frame decodes (libvips threads) while this one's searches run.
      next = beyondEnd(t + direction) ? null : this.load(t + direction);
      next?.catch(() => undefined); // its error surfaces when it is awaited
      const motion = await this.timer.time('neighbour motion', () => neighbourMotion(models, this.grid, frame.low, previousLow, guess));
      if (walk.stopped) return;
      previousLow = frame.low;
      guess = motion.toPrevious;
      walk.credit--;
      this.post({ type: 'link', id: request.id, link: { frame, motion } });
    }
  }

  /** Posts a reply, handing over the big frame buffers rather than copying them where the engine allows it. */
  private post(reply: CaptureReply): void {
    const frame = reply.type === 'frame' ? reply.frame : reply.type === 'link' ? reply.link.frame : null;
    // Only the full-resolution planes move; the flow-resolution data is small and this thread still needs it.
    postMoving(this.port, reply, frame ? movableBuffers(frame.full.data, frame.full.fileSamples) : []);
  }
}

if (isMainThread || !parentPort) {
  throw new Error('client/engine/runtime/capture-worker runs only as a worker thread; use pipeline/capture.ts.');
}
const worker = new CaptureWorker(parentPort, workerData as CaptureWorkerInput);
parentPort.on('message', (request: CaptureRequest) => worker.handle(request));
