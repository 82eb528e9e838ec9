/**
 * Capture stage: frames decoded to planar float at full and flow resolution, and the neighbour flows between
 * consecutive frames of a chain, all made on a thread of their own (runtime/capture-worker.ts) while the pipeline
 * thread works on earlier frames.
 *
 * Why a thread: on two cores the pipeline thread was the bottleneck (decoding, converting and both neighbour
 * searches were a good half of its time) while the other core idled a fifth of the run. Neighbour flows depend on
 * the two frames only, never on the chain, so they can be made ahead, exactly as they would be in line.
 *
 * A walk streams the links of a chain (frame + motion from the previous frame) at most AHEAD links ahead of the
 * consumer, so memory stays a few frames deep. Frames asked for by index (anchors, the frame being rendered) come
 * from a small cache of the latest frames, or are decoded on request.
 */
import type { FrameSource } from '../io/frames';
import type { RgbImage } from '../io/image-types';
import { StageWorker, type StageClosed } from '../runtime/stage-worker';
import { reviveError, type WireError } from '../runtime/wire-errors';
import type { FlowGrid } from './anchor-model';
import type { NeighbourMotion } from './correspondence';
import type { StageTimer } from './timing';

export interface CapturedFrame {
  index: number;
  full: RgbImage;
  /** The frame at flow resolution (3 planes). */
  low: Float32Array;
}

export interface CapturedLink {
  frame: CapturedFrame;
  /** Motion between the walk's previous frame and this one. */
  motion: NeighbourMotion;
}

/** What the capture worker gets as `workerData`. */
export interface CaptureWorkerInput {
  files: string[];
  width: number;
  height: number;
  grid: FlowGrid;
}

/** Pipeline → capture worker. */
export type CaptureRequest =
  /** Open the search model (once the pipeline knows its execution provider). */
  | { type: 'open'; device: string; threads?: number }
  | { type: 'frame'; id: number; index: number }
  /** Stream the links from frame `from` to `end`, inclusive. */
  | { type: 'walk'; id: number; from: number; direction: 1 | -1; end: number; ahead: number }
  /** The consumer took one link: one more may be made. */
  | { type: 'credit'; id: number }
  | { type: 'stop'; id: number }
  | { type: 'close' };

/** A walk of the capture thread: its links from frame `from` to `end` (inclusive), one frame per step. */
export interface WalkStart {
  from: number;
  direction: 1 | -1;
  end: number;
}

/** Capture worker → pipeline. `id` -1 is a failure of the thread itself (e.g. the model would not open). */
export type CaptureReply =
  | { type: 'frame'; id: number; frame: CapturedFrame }
  | { type: 'link'; id: number; link: CapturedLink }
  | { type: 'end'; id: number }
  | ({ id: number } & WireError)
  | StageClosed;

/** Links made ahead of the consumer: enough to keep both threads busy, few enough to bound memory. */
const AHEAD = 2;
/** Latest frames kept for rendering (which follows the chain one frame behind). */
const CACHE_FRAMES = 3;

function walkKey(from: number, direction: number, end: number): string {
  return `${from}/${direction}/${end}`;
}

/** One walk's links as they arrive, for one consumer. */
class LinkQueue {
  private readonly links: CapturedLink[] = [];
  private waiter: (() => void) | null = null;
  private failure: Error | null = null;
  ended = false;

  push(link: CapturedLink): void {
    this.links.push(link);
    this.wake();
  }

  end(failure?: Error): void {
    this.ended = true;
    this.failure ??= failure ?? null;
    this.wake();
  }

  /** The next link; null once the walk has ended. */
  async next(): Promise<CapturedLink | null> {
    while (this.links.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
    if (this.failure) throw this.failure;
    return this.links.shift() ?? null;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

export class CaptureThread {
  private readonly thread: StageWorker<CaptureRequest, Exclude<CaptureReply, StageClosed>>;
  private nextId = 0;
  private readonly frameRequests = new Map<number, { resolve: (frame: CapturedFrame) => void; reject: (error: Error) => void }>();
  private readonly walks = new Map<number, LinkQueue>();
  /** Walks started ahead of their consumer (startWalk), by walkKey. */
  private readonly started = new Map<string, { id: number; queue: LinkQueue }>();
  /** Frames by index, newest last (requests in flight included). */
  private readonly cache = new Map<number, Promise<CapturedFrame>>();

  constructor(source: FrameSource, grid: FlowGrid, private readonly timer: StageTimer) {
    const input: CaptureWorkerInput = { files: source.files, width: source.width, height: source.height, grid };
    this.thread = new StageWorker('capture-worker', 'capture', input, timer, {
      reply: (reply) => this.receive(reply),
      // Everything waiting on the thread fails with its failure.
      fail: (error) => {
        for (const request of this.frameRequests.values()) request.reject(error);
        this.frameRequests.clear();
        for (const queue of this.walks.values()) queue.end(error);
      },
    });
  }

  /** Opens the neighbour search on `device` (an execution provider the pipeline has proven). */
  open(device: string, threads?: number): void {
    this.thread.post({ type: 'open', device, threads });
  }

  /** Frame `index`, from the cache or decoded on request. */
  frame(index: number): Promise<CapturedFrame> {
    const cached = this.cache.get(index);
    if (cached) return cached;
    if (this.thread.failure) return Promise.reject(this.thread.failure);
    const id = this.nextId++;
    const requested = new Promise<CapturedFrame>((resolve, reject) => {
      this.frameRequests.set(id, { resolve, reject });
      this.thread.post({ type: 'frame', id, index });
    });
    this.remember(index, requested);
    return requested;
  }

  /**
   * Starts making the links of a walk now, for a walk() with the same arguments later: the first chain's links are
   * made while the pipeline thread is still busy starting up.
   */
  startWalk({ from, direction, end }: WalkStart): void {
    this.started.set(walkKey(from, direction, end), this.request(from, direction, end));
  }

  /**
   * The links of a chain from frame `from` towards `end` (inclusive), one frame per step, each with the motion from
   * the frame before. Leaving the loop early stops the walk. `then`, the walk that will follow, starts when the
   * consumer is AHEAD links from this one's end (the last link is then made or being made): its first links are ready
   * when the consumer turns to it, instead of the capture thread idling while the last links are consumed and the
   * consumer then waiting for new ones.
   */
  async *walk(from: number, direction: 1 | -1, end: number, then?: WalkStart): AsyncGenerator<CapturedLink> {
    const key = walkKey(from, direction, end);
    const { id, queue } = this.started.get(key) ?? this.request(from, direction, end);
    this.started.delete(key);
    let successor = then;
    try {
      for (;;) {
        const link = await this.timer.time('waiting for capture', () => queue.next());
        if (!link) return;
        if (successor && Math.abs(end - link.frame.index) <= AHEAD) {
          this.startWalk(successor);
          successor = undefined;
        }
        this.remember(link.frame.index, Promise.resolve(link.frame));
        this.thread.post({ type: 'credit', id });
        yield link;
      }
    } finally {
      if (!queue.ended) this.thread.post({ type: 'stop', id });
      this.walks.delete(id);
    }
  }

  private request(from: number, direction: 1 | -1, end: number): { id: number; queue: LinkQueue } {
    const id = this.nextId++;
    const queue = new LinkQueue();
    this.walks.set(id, queue);
    if (this.thread.failure) queue.end(this.thread.failure);
    this.thread.post({ type: 'walk', id, from, direction, end, ahead: AHEAD });
    return { id, queue };
  }

  /**
   * Stops the thread (after the model run in progress, if any) and adds its stage times to the timer. Safe to call
   * again.
   */
  close(): Promise<void> {
    return this.thread.close();
  }

  /** Drops frame `index` from the cache (its planes moved to another thread): a later frame() decodes it again. */
  forget(index: number): void {
    this.cache.delete(index);
  }

  private remember(index: number, frame: Promise<CapturedFrame>): void {
    this.cache.delete(index);
    this.cache.set(index, frame);
    if (this.cache.size > CACHE_FRAMES) this.cache.delete(this.cache.keys().next().value as number);
    frame.catch(() => this.cache.delete(index)); // a failed read is not remembered (the error reaches its caller)
  }

  private receive(reply: Exclude<CaptureReply, StageClosed>): void {
    if (reply.type === 'error') {
      const error = reviveError(reply);
      if (reply.id === -1) this.thread.fail(error);
      this.frameRequests.get(reply.id)?.reject(error);
      this.frameRequests.delete(reply.id);
      this.walks.get(reply.id)?.end(error);
    } else if (reply.type === 'frame') {
      this.frameRequests.get(reply.id)?.resolve(reply.frame);
      this.frameRequests.delete(reply.id);
    } else if (reply.type === 'link') {
      this.walks.get(reply.id)?.push(reply.link);
    } else {
      this.walks.get(reply.id)?.end();
    }
  }
}
