/**
 * Render stage: a frame's edit layer from its chain states (transfer → restore → blend of the anchors' layers →
 * final alpha → composite), encoded to its PNG, all on a thread of its own (runtime/render-worker.ts) while the
 * pipeline thread walks the chains on.
 *
 * Why a thread: transfer and restore work at full resolution over the area the edit reaches. For an edit over the
 * whole 1080p frame they were half the pipeline thread's time, and the chain of the next frame waited on them while
 * the capture thread idled three quarters of the run (measured on a background grade, 24 frames). A frame's render
 * depends only on its states and the anchors, never on other frames, so it can run beside the chain, exactly as it
 * would in line.
 */
import type { GreyImage, RgbImage } from '../io/image-types';
import type { PngSource } from '../io/images';
import type { SessionSet } from '../runtime/models';
import { movableBuffers, StageWorker, type StageClosed } from '../runtime/stage-worker';
import { reviveError, type WireError } from '../runtime/wire-errors';
import type { AnchorModel, ChainAnchor, FlowGrid } from './anchor-model';
import { anchorLayer, blendLayers, composite, compositeSamples, emptyLayer, finalAlpha, fullFrameLayer, layerStats, type EditLayer, type LayerStats } from './composite';
import { copyRows, rowBands } from './raster';
import { RESTORE_HALO, restoreWindow } from './restore';
import { temporalWeight } from './schedule';
import type { StageTimer } from './timing';
import { ScratchPlanes } from './tensors';
import { certaintyOf, transferWindow, type TransferPlan } from './transfer';

export type RenderModels = SessionSet<'transfer' | 'restore'>;

/** What renders a frame: the frame itself, and where it sits in each anchor whose edit it takes. */
export type RenderJob =
  /** An anchor frame: the designer's own pixels inside the mask. */
  | { kind: 'anchor'; index: number; file: string; frame: RgbImage }
  | {
      kind: 'frame';
      index: number;
      file: string;
      frame: RgbImage;
      /** The frame at flow resolution (3 planes). */
      frameLow: Float32Array;
      /**
       * Per anchor: its chain's confidence in the frame (for the blend of several anchors) and the frame's transfer
       * plan, which holds the flow (transfer.ts planTransfer, made on the pipeline thread: flow-resolution work that
       * would otherwise wait in line on this, the busiest thread, for an edit over the whole frame).
       */
      sources: Array<{ anchor: number; chainConf: Float32Array; plan: TransferPlan | null }>;
      /** A mask given for this frame (1 = may change). */
      frameMask?: GreyImage;
    };

/** What the render worker gets as `workerData`. */
export interface RenderWorkerInput {
  grid: FlowGrid;
  /** Write the edit layer alone, with alpha (--layer), instead of the composited frame. */
  layer: boolean;
}

/** Pipeline → render worker. */
export type RenderRequest =
  | { type: 'open'; device: string; threads?: number }
  /** Build anchor `index`'s model (anchor-model.ts buildAnchorModel) and keep it. */
  | { type: 'anchor'; id: number; index: number; original: RgbImage; edited: RgbImage; mask: GreyImage | null }
  | { type: 'render'; id: number; job: RenderJob }
  | { type: 'close' };

/** Render worker → pipeline. `id` -1 is a failure of the thread itself (e.g. the models would not open). */
export type RenderReply =
  | { type: 'rendered'; id: number; stats: LayerStats }
  /** An anchor model built: what the chains need of it (the full-resolution planes stay on the render thread). */
  | { type: 'anchor'; id: number; anchor: ChainAnchor }
  | ({ id: number } & WireError)
  | StageClosed;

/**
 * Pixels per band of a large edit: a whole 1080p frame in one run held ~0.9 GB of transfer intermediates and ~0.45 GB
 * of restore's (measured). Eight bands of a 1080p frame (~140 rows each, each with RESTORE_HALO rows either side)
 * ran a background grade a little faster than four or two (smaller planes stay in cache) and with ~80 MB less peak
 * RSS than four; sixteen were no faster (alternating A/Bs, 24 frames).
 */
const BAND_PIXELS = 1 << 18;

/**
 * One anchor's edit carried to the frame: transfer, then restore, over the box the edit can reach, band by band. Each
 * band is transferred with restore's halo of rows around it and restored straight from that, so no intermediate
 * ever spans the whole box (over a whole 1080p frame those were ~160 MB per frame, each allocated and copied). The
 * bands' planes come from `scratch` (the render thread keeps one for its life).
 */
export async function carryEdit(
  models: RenderModels,
  grid: FlowGrid,
  frame: RgbImage,
  frameLow: Float32Array,
  anchor: AnchorModel,
  plan: TransferPlan | null,
  timer: StageTimer,
  { bandPixels = BAND_PIXELS, scratch = new ScratchPlanes() }: { bandPixels?: number; scratch?: ScratchPlanes } = {},
): Promise<EditLayer> {
  if (!plan) return emptyLayer(frame.width, frame.height);
  const { rect } = plan;
  const rgb = new Float32Array(3 * rect.width * rect.height);
  const alpha = new Float32Array(rect.width * rect.height);
  for (const band of rowBands(rect, bandPixels)) {
    const top = Math.max(rect.y, band.y - RESTORE_HALO);
    const bottom = Math.min(rect.y + rect.height, band.y + band.height + RESTORE_HALO);
    const window = { x: rect.x, y: top, width: rect.width, height: bottom - top };
    const transferred = await timer.time('transfer', () => transferWindow(models, grid, frame, frameLow, anchor, plan, window, scratch));
    const restored = await timer.time('restore', () => restoreWindow(models, transferred, anchor, scratch));
    copyRows(restored.rgb, window.height, band.y - top, band.height, rgb, rect.height, band.y - rect.y, rect.width);
    copyRows(restored.alpha, window.height, band.y - top, band.height, alpha, rect.height, band.y - rect.y, rect.width);
  }
  return { frameWidth: frame.width, frameHeight: frame.height, rect, rgb, alpha };
}

/** The frame's edit layer: the anchor's own for an anchor frame, else each anchor's carried edit blended. */
export async function editLayerOf(
  models: RenderModels,
  grid: FlowGrid,
  anchors: ReadonlyMap<number, AnchorModel>,
  job: RenderJob,
  timer: StageTimer,
  scratch = new ScratchPlanes(),
): Promise<EditLayer> {
  const anchorOf = (index: number) => {
    const anchor = anchors.get(index);
    if (!anchor) throw new Error(`render: anchor ${index} was never sent to the render thread`);
    return anchor;
  };
  const { frame } = job;
  if (job.kind === 'anchor') {
    const anchor = anchorOf(job.index);
    return anchorLayer(anchor.stack, anchor.mask, frame.width, frame.height);
  }
  const layers = [];
  for (const { anchor, chainConf, plan } of job.sources) {
    const layer = await carryEdit(models, grid, frame, job.frameLow, anchorOf(anchor), plan, timer, { scratch });
    layers.push({ layer, weight: temporalWeight(job.index, anchor), certainty: certaintyOf(grid, chainConf) });
  }
  return blendLayers(layers);
}

/** The image to write for a frame and its coverage figures: the composite, or the layer alone with alpha. */
export function outputOf(frame: RgbImage, layer: EditLayer, frameMask: GreyImage | undefined, layerOnly: boolean): { image: PngSource; stats: LayerStats } {
  if (!layerOnly) {
    const fromSamples = compositeSamples(frame, layer, frameMask?.data);
    if (fromSamples) return fromSamples;
  }
  const cleaned = finalAlpha(layer, frameMask?.data);
  const stats = layerStats(cleaned);
  if (!layerOnly) return { image: composite(frame, cleaned), stats };
  const full = fullFrameLayer(cleaned);
  const rgb = { width: frame.width, height: frame.height, bitDepth: frame.bitDepth, data: full.rgb };
  return { image: { rgb, alpha: { width: frame.width, height: frame.height, data: full.alpha } }, stats };
}

/**
 * Jobs handed to the render thread and not yet written: one rendering, one being encoded, one waiting, so neither
 * thread waits on the other while memory stays a few frames deep.
 */
const IN_FLIGHT = 3;

export class RenderThread {
  private readonly thread: StageWorker<RenderRequest, Exclude<RenderReply, StageClosed>>;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (stats: LayerStats) => void; reject: (error: Error) => void }>();
  private readonly builds = new Map<number, { resolve: (anchor: ChainAnchor) => void; reject: (error: Error) => void }>();
  private readonly settled = new Set<Promise<unknown>>();
  /** The run's first failure: the thread's own, or a frame's. */
  private failure: Error | null = null;

  constructor(input: RenderWorkerInput, private readonly timer: StageTimer) {
    this.thread = new StageWorker('render-worker', 'render', input, timer, {
      reply: (reply) => this.receive(reply),
      fail: (error) => {
        this.failure ??= error;
        for (const request of [...this.pending.values(), ...this.builds.values()]) request.reject(error);
        this.pending.clear();
        this.builds.clear();
      },
    });
  }

  /** Opens transfer and restore on `device` (an execution provider the pipeline has proven). */
  open(device: string, threads?: number): void {
    this.thread.post({ type: 'open', device, threads });
  }

  /**
   * Builds anchor `index`'s model on the render thread, which keeps it (its full-resolution planes, ~50 MB at 1080p,
   * serve only the render), and answers the rest, for the chains. The render thread has nothing else to do until the
   * first frame comes, so the pipeline thread opens its models meanwhile (at 1080p ~0.6 s and ~0.5 s, which used to
   * run one after the other before any frame could render). `edited` and `mask` move to the thread (they must not be
   * used after); `original` is copied, since the capture cache keeps it for the anchor frame's own render.
   */
  buildAnchor(index: number, original: RgbImage, edited: RgbImage, mask: GreyImage | null): Promise<ChainAnchor> {
    if (this.thread.failure) return Promise.reject(this.thread.failure);
    const id = this.nextId++;
    const built = new Promise<ChainAnchor>((resolve, reject) => this.builds.set(id, { resolve, reject }));
    const planes: RgbImage = { width: original.width, height: original.height, bitDepth: original.bitDepth, data: original.data };
    this.thread.post({ type: 'anchor', id, index, original: planes, edited, mask }, movableBuffers(edited.data, edited.fileSamples, mask?.data));
    return built;
  }

  /**
   * Queues a frame; `onWritten` gets its coverage figures once its PNG is in place. Waits while IN_FLIGHT frames are
   * unwritten. The frame's full-resolution planes move to the render thread: `job.frame` must not be used after.
   * A failed frame fails the next submit() or drain().
   */
  async submit(job: RenderJob, onWritten: (stats: LayerStats) => void): Promise<void> {
    this.rethrow();
    const id = this.nextId++;
    const written = new Promise<LayerStats>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const tracked: Promise<void> = written
      .then(onWritten, (error: Error) => {
        this.failure ??= error;
      })
      .finally(() => this.settled.delete(tracked));
    this.settled.add(tracked);
    this.thread.post({ type: 'render', id, job }, movableBuffers(job.frame.data, job.frame.fileSamples));
    if (this.settled.size >= IN_FLIGHT) await this.timer.time('waiting for render', () => Promise.race(this.settled));
    this.rethrow();
  }

  /** Waits until every queued frame is written; throws the first failure. */
  async drain(): Promise<void> {
    await this.timer.time('waiting for render', () => Promise.all(this.settled));
    this.rethrow();
  }

  /**
   * Stops the thread once the frame it is on is written (frames still queued are dropped) and adds its stage times
   * to the timer. Safe to call again.
   */
  close(): Promise<void> {
    return this.thread.close();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure;
  }

  private receive(reply: Exclude<RenderReply, StageClosed>): void {
    if (reply.type === 'error') {
      const error = reviveError(reply);
      if (reply.id === -1) this.thread.fail(error);
      (this.pending.get(reply.id) ?? this.builds.get(reply.id))?.reject(error);
    } else if (reply.type === 'anchor') {
      this.builds.get(reply.id)?.resolve(reply.anchor);
    } else {
      this.pending.get(reply.id)?.resolve(reply.stats);
    }
    this.pending.delete(reply.id);
    this.builds.delete(reply.id);
  }
}
