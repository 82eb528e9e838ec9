/**
 * The pipeline, stage by stage:
 *   capture (capture.ts: decoding and neighbour flows, on a thread of its own) → correspondence (chains from each
 *   anchor) → temporal smoothing → transfer (Zero)
 *   → restore (Hero) → blend anchors + composite → encode.
 *
 * Memory stays flat in clip length: frames stream through chains a few states deep; the only per-frame data kept
 * is the flow-resolution state of a backward chain between two anchors, and that goes to a scratch file.
 * Outputs are staged in a hidden folder inside --out and moved into place only when the whole run succeeded, so a
 * cancelled or failed run leaves earlier results exactly as they were.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { EngineEvent, FrameStats, PropagateRequest, PropagateResult } from '../../shared/protocol';
import { CancelledError } from '../errors';
import { makeScratchFolder, prepareOutputFolder } from '../io/atomic';
import { encodeClip } from '../io/ffmpeg';
import type { FrameSource } from '../io/frames';
import type { GreyImage, RgbImage } from '../io/image-types';
import { writePng } from '../io/images';
import { openValidatedSource } from '../io/validate';
import { chooseProvider, openModels, type ModelSet } from '../runtime/models';
import { buildAnchorModel, chooseFlowGrid, type AnchorModel, type FlowGrid } from './anchor-model';
import { anchorLayer, blendLayers, composite, compositeSamples, emptyLayer, finalAlpha, fullFrameLayer, layerStats, type EditLayer, type WeightedLayer } from './composite';
import { CaptureThread, type CapturedFrame } from './capture';
import { CorrespondenceStage, type ChainLink, type ChainState } from './correspondence';
import { ProgressTracker } from './progress';
import { restoreEdit } from './restore';
import { chainWalksOf, linkEnd, planSegments, temporalWeight, type ChainWalk, type Plan } from './schedule';
import { smoothState } from './temporal';
import { StageTimer } from './timing';
import { certaintyOf, transferEdit } from './transfer';

export interface PropagateOptions {
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

/**
 * Frame writes in flight (PNG encoding runs on libvips threads while the next frame is computed), at most two.
 * A failed write is kept and rethrown at the next add() or at drain(), never left as an unhandled rejection.
 */
class WriteQueue {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  async add(write: Promise<void>): Promise<void> {
    const tracked: Promise<void> = write
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    if (this.pending.size >= 2) await Promise.race(this.pending);
    this.rethrow();
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}

interface RunContext {
  request: PropagateRequest;
  source: FrameSource;
  models: ModelSet;
  grid: FlowGrid;
  correspondence: CorrespondenceStage;
  anchors: Map<number, AnchorModel>;
  frameMasks: Map<number, GreyImage>;
  capture: CaptureThread;
  scratch: string;
  staging: string;
  progress: ProgressTracker;
  timer: StageTimer;
  writes: WriteQueue;
  stats: FrameStats[];
  signal?: AbortSignal;
}

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/**
 * Walks `walk`'s chain from its anchor, yielding each frame's temporally smoothed state. Smoothing needs the next
 * link, so the chain runs one frame ahead, but never past its segment: the states do not depend on how far the
 * caller wanted to go.
 */
async function* walkChain(ctx: RunContext, anchor: AnchorModel, walk: ChainWalk): AsyncGenerator<ChainState> {
  let previousState = ctx.correspondence.anchorState(anchor.index);
  let pending: { previous: ChainState; link: ChainLink } | null = null;
  for await (const { frame, motion } of ctx.capture.walk(anchor.index, walk.direction, linkEnd(walk))) {
    checkCancel(ctx.signal);
    const link = await ctx.timer.time('correspondence', () => ctx.correspondence.link(previousState, frame.index, frame.low, anchor.low, motion, anchor.maskLow));
    if (pending) {
      const done = pending;
      yield await ctx.timer.time('temporal', () => smoothState(ctx.models, ctx.grid, done.previous, done.link, link));
    }
    // The link beyond `last` only serves to smooth the state before it.
    const beyondLast = walk.direction > 0 ? frame.index > walk.last : frame.index < walk.last;
    pending = beyondLast ? null : { previous: previousState, link };
    previousState = link.state;
  }
  if (pending) {
    const done = pending;
    yield await ctx.timer.time('temporal', () => smoothState(ctx.models, ctx.grid, done.previous, done.link, null));
  }
}

async function layerFromAnchor(ctx: RunContext, frame: CapturedFrame, anchor: AnchorModel, state: ChainState): Promise<EditLayer> {
  const transferred = await ctx.timer.time('transfer', () => transferEdit(ctx.models, ctx.grid, frame.full, frame.low, anchor, state));
  if (!transferred) return emptyLayer(frame.full.width, frame.full.height);
  return ctx.timer.time('restore', () => restoreEdit(ctx.models, frame.full.width, frame.full.height, transferred, anchor));
}

async function writeFrame(ctx: RunContext, index: number, frame: RgbImage, layer: EditLayer): Promise<void> {
  const cleaned = await ctx.timer.time('composite', () => finalAlpha(layer, ctx.frameMasks.get(index)?.data));
  const name = `${ctx.source.names[index]}.png`;
  const file = path.join(ctx.staging, name);
  const image = await ctx.timer.time('composite', () => {
    if (!ctx.request.layer) return compositeSamples(frame, cleaned) ?? composite(frame, cleaned);
    const full = fullFrameLayer(cleaned);
    const rgb = { width: frame.width, height: frame.height, bitDepth: frame.bitDepth, data: full.rgb };
    return { rgb, alpha: { width: frame.width, height: frame.height, data: full.alpha } };
  });
  const stats = layerStats(cleaned);
  await ctx.writes.add(
    ctx.timer.time('encode', () => writePng(file, image, frame.bitDepth)).then(() => {
      ctx.stats.push({ index, file: path.join(ctx.request.out, name), coverage: stats.coverage, confidence: stats.confidence });
      ctx.progress.frameDone(`frame ${index} → ${name}`);
    }),
  );
}

function stateFile(ctx: RunContext, anchor: number, frame: number): string {
  return path.join(ctx.scratch, `state-${anchor}-${frame}.f32`);
}

async function saveState(ctx: RunContext, anchor: number, state: ChainState): Promise<void> {
  const joined = new Float32Array(state.flow.length + state.conf.length);
  joined.set(state.flow);
  joined.set(state.conf, state.flow.length);
  await fs.writeFile(stateFile(ctx, anchor, state.index), new Uint8Array(joined.buffer));
}

async function loadState(ctx: RunContext, anchor: number, frame: number): Promise<ChainState> {
  const bytes = await fs.readFile(stateFile(ctx, anchor, frame));
  const joined = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const split = 2 * ctx.grid.width * ctx.grid.height;
  return { index: frame, flow: joined.slice(0, split), conf: joined.slice(split) };
}

async function renderSegments(ctx: RunContext, plan: Plan): Promise<void> {
  for (const index of plan.anchorFrames) {
    const anchor = ctx.anchors.get(index)!;
    const frame = await ctx.capture.frame(index);
    await writeFrame(ctx, index, frame.full, anchorLayer(anchor.stack, anchor.mask, frame.full.width, frame.full.height));
  }
  for (const segment of plan.segments) {
    const renderSet = new Set(segment.render);
    const walks = chainWalksOf(segment);
    if (walks.length === 2) {
      // Backward chain first, its states parked on disk; then the forward chain renders with both.
      const [backward, forward] = walks;
      const [left, right] = [ctx.anchors.get(forward.anchor)!, ctx.anchors.get(backward.anchor)!];
      for await (const state of walkChain(ctx, right, backward)) {
        if (renderSet.has(state.index)) await saveState(ctx, right.index, state);
      }
      for await (const state of walkChain(ctx, left, forward)) {
        if (!renderSet.has(state.index)) continue;
        const frame = await ctx.capture.frame(state.index);
        const fromRight = await loadState(ctx, right.index, state.index);
        const layers: WeightedLayer[] = [
          { layer: await layerFromAnchor(ctx, frame, left, state), weight: temporalWeight(state.index, left.index), certainty: certaintyOf(ctx.grid, state) },
          { layer: await layerFromAnchor(ctx, frame, right, fromRight), weight: temporalWeight(state.index, right.index), certainty: certaintyOf(ctx.grid, fromRight) },
        ];
        await writeFrame(ctx, state.index, frame.full, blendLayers(layers));
      }
    } else {
      const anchor = ctx.anchors.get(walks[0].anchor)!;
      for await (const state of walkChain(ctx, anchor, walks[0])) {
        if (!renderSet.has(state.index)) continue;
        const frame = await ctx.capture.frame(state.index);
        await writeFrame(ctx, state.index, frame.full, await layerFromAnchor(ctx, frame, anchor, state));
      }
    }
  }
}

/** Moves every staged frame onto its final name (each a single rename), then removes the staging folder. */
async function publish(ctx: RunContext): Promise<void> {
  for (const stat of ctx.stats) {
    await fs.rename(path.join(ctx.staging, path.basename(stat.file)), stat.file);
  }
}

export async function propagate(request: PropagateRequest, options: PropagateOptions = {}): Promise<PropagateResult> {
  const started = Date.now();
  const emit = options.onEvent ?? (() => undefined);
  const warn = (message: string) => emit({ event: 'warning', message });
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-'));
  let source: FrameSource | null = null;
  let models: ModelSet | null = null;
  let staging: string | null = null;
  let capture: CaptureThread | null = null;
  try {
    const opened = await openValidatedSource(request, { workDir: scratch, signal: options.signal });
    source = opened.source;
    opened.warnings.forEach(warn);
    const grid = chooseFlowGrid(source.width, source.height);
    const timer = new StageTimer();
    capture = new CaptureThread(source, grid, timer);
    const anchorOrder = [...opened.anchorImages.keys()].sort((a, b) => a - b);
    // The first anchor frame decodes on the capture thread while the model sessions are created here.
    capture.frame(anchorOrder[0]).catch(() => undefined); // its error surfaces when it is awaited
    const provider = await timer.time('load models', () => chooseProvider(request.device ?? 'auto', warn));
    // Two threads run models side by side (this one and the capture thread): each gets half the cores, measured
    // faster on two cores than both sharing all of them, and ~10% less CPU time.
    const cores = os.availableParallelism();
    const threads = Math.max(1, Math.floor(cores / 2));
    capture.open(provider, threads);
    // The first chain's links are made while this thread opens its models and builds the anchor models.
    const range = request.range ?? [0, source.count - 1];
    const plan = planSegments(source.count, anchorOrder, range);
    const firstWalk = plan.segments.length ? chainWalksOf(plan.segments[0])[0] : null;
    if (firstWalk) capture.startWalk(firstWalk.anchor, firstWalk.direction, linkEnd(firstWalk));
    // Transfer and restore scale with the edit's area and run only here: a full-frame edit makes this thread the
    // bottleneck while the capture thread waits, so they get every core (a 1080p background grade ran ~10% faster,
    // 33 s against 37 s; a decal, whose capture thread is the busier one, within noise).
    const threadsByModel = { transfer: cores, restore: cores };
    models = await timer.time('load models', () => openModels(provider, { threads, threadsByModel, lazy: ['correspondence_search', 'correspondence_score'] }));
    checkCancel(options.signal);

    const givenMasks = opened.maskImages;
    const anchors = new Map<number, AnchorModel>();
    for (const index of anchorOrder) {
      const original = (await capture.frame(index)).full;
      const edited = opened.anchorImages.get(index)!;
      anchors.set(index, await timer.time('anchor model', () => buildAnchorModel(index, original, edited, givenMasks.get(index) ?? null, grid)));
      opened.anchorImages.delete(index); // the model holds what it needs
    }
    const frameMasks = new Map([...givenMasks].filter(([index]) => !anchors.has(index)));

    await prepareOutputFolder(request.out);
    staging = await makeScratchFolder(request.out, 'staging');
    const progress = new ProgressTracker(range[1] - range[0] + 1, emit);
    const ctx: RunContext = {
      request, source, models, grid, anchors, frameMasks, capture, scratch, staging, progress, timer,
      writes: new WriteQueue(),
      correspondence: new CorrespondenceStage(models, grid),
      stats: [],
      signal: options.signal,
    };
    progress.start(`${ctx.stats.length}/${range[1] - range[0] + 1} frames on ${models.device}`);
    try {
      await renderSegments(ctx, plan);
    } catch (error) {
      await ctx.writes.drain().catch(() => undefined); // the first failure is the one to report
      throw error;
    }
    await ctx.writes.drain();
    await capture.close(); // its stage times join the result's
    checkCancel(options.signal);
    await publish(ctx);
    ctx.stats.sort((a, b) => a.index - b.index);

    let encoded: string | undefined;
    if (request.encode) {
      emit({ event: 'progress', stage: 'encode', done: 0, total: 1, etaSeconds: null, message: `encoding ${request.encode}` });
      const names = ctx.stats.map((s) => path.basename(s.file, '.png'));
      await encodeClip(request.out, names, request.encode, { fps: request.fps ?? source.fps ?? 25, alpha: Boolean(request.layer), signal: options.signal });
      encoded = request.encode;
    }
    return { out: request.out, frames: ctx.stats, encoded, device: models.device, seconds: (Date.now() - started) / 1000, stageMs: timer.summary() };
  } finally {
    if (capture) await capture.close().catch(() => undefined);
    if (staging) await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await fs.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    if (source) await source.dispose().catch(() => undefined);
    if (models) await models.release().catch(() => undefined);
  }
}
