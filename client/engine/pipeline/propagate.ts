/**
 * The pipeline, stage by stage, on three threads:
 *   capture (capture.ts: decoding and neighbour flows, on a thread of its own) → correspondence (chains from each
 *   anchor, on this thread) → temporal smoothing → render (render.ts, on a thread of its own: transfer (Zero) →
 *   restore (Hero) → blend anchors + composite → encode).
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
import type { GreyImage } from '../io/image-types';
import { openValidatedSource } from '../io/validate';
import { chooseProvider, openModels } from '../runtime/models';
import { carriesEdit, chooseFlowGrid, type ChainAnchor, type FlowGrid } from './anchor-model';
import { CaptureThread, type WalkStart } from './capture';
import { CHAIN_MODELS, CorrespondenceStage, type ChainLink, type ChainModels, type ChainState } from './correspondence';
import { ProgressTracker } from './progress';
import { RenderThread, type RenderJob } from './render';
import { chainWalksOf, linkEnd, planSegments, type ChainWalk, type Plan } from './schedule';
import { smoothState } from './temporal';
import { StageTimer } from './timing';
import { planTransfer } from './transfer';

export interface PropagateOptions {
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
}

interface RunContext {
  request: PropagateRequest;
  source: FrameSource;
  models: ChainModels;
  grid: FlowGrid;
  correspondence: CorrespondenceStage;
  anchors: Map<number, ChainAnchor>;
  frameMasks: Map<number, GreyImage>;
  capture: CaptureThread;
  scratch: string;
  staging: string;
  progress: ProgressTracker;
  timer: StageTimer;
  render: RenderThread;
  stats: FrameStats[];
  signal?: AbortSignal;
}

function checkCancel(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** The capture thread's walk for chain walk `walk`: its links, from the anchor to one beyond its last frame. */
function captureWalkOf(walk: ChainWalk): WalkStart {
  return { from: walk.anchor, direction: walk.direction, end: linkEnd(walk) };
}

/**
 * Walks `walk`'s chain from its anchor, yielding each frame's temporally smoothed state. Smoothing needs the next
 * link, so the chain runs one frame ahead, but never past its segment: the states do not depend on how far the
 * caller wanted to go.
 */
async function* walkChain(ctx: RunContext, anchor: ChainAnchor, walk: ChainWalk, nextWalk: ChainWalk | undefined): AsyncGenerator<ChainState> {
  let previousState = ctx.correspondence.anchorState(anchor.index);
  let pending: { previous: ChainState; link: ChainLink } | null = null;
  for await (const { frame, motion } of ctx.capture.walk(anchor.index, walk.direction, linkEnd(walk), nextWalk && captureWalkOf(nextWalk))) {
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

/**
 * Hands frame `index` to the render thread with its states and their transfers' plans (none for an anchor frame). Its
 * full-resolution planes move there, so it is dropped from the capture cache.
 */
async function renderFrame(ctx: RunContext, index: number, states: Array<{ anchor: ChainAnchor; state: ChainState }> | null): Promise<void> {
  const frame = await ctx.capture.frame(index);
  ctx.capture.forget(index);
  const name = `${ctx.source.names[index]}.png`;
  const file = path.join(ctx.staging, name);
  let job: RenderJob = { kind: 'anchor', index, file, frame: frame.full };
  if (states) {
    const sources = [];
    for (const { anchor, state } of states) {
      const plan = await ctx.timer.time('transfer plan', () => planTransfer(ctx.grid, anchor, state, frame.low, frame.full.width, frame.full.height));
      sources.push({ anchor: anchor.index, chainConf: state.conf, plan });
    }
    job = { kind: 'frame', index, file, frame: frame.full, frameLow: frame.low, sources, frameMask: ctx.frameMasks.get(index) };
  }
  await ctx.render.submit(job, (stats) => {
    ctx.stats.push({ index, file: path.join(ctx.request.out, name), coverage: stats.coverage, confidence: stats.confidence });
    ctx.progress.frameDone(`frame ${index} → ${name}`);
  });
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
  for (const index of plan.anchorFrames) await renderFrame(ctx, index, null);
  const walksBySegment = plan.segments.map(chainWalksOf);
  // Each walk's successor, so that the capture thread can start on it ahead (CaptureThread.walk).
  const walkOrder = walksBySegment.flat();
  const after = (walk: ChainWalk) => walkOrder[walkOrder.indexOf(walk) + 1];
  for (const [s, segment] of plan.segments.entries()) {
    const renderSet = new Set(segment.render);
    const walks = walksBySegment[s];
    if (walks.length === 2) {
      // Backward chain first, its states parked on disk; then the forward chain renders with both.
      const [backward, forward] = walks;
      const [left, right] = [ctx.anchors.get(forward.anchor)!, ctx.anchors.get(backward.anchor)!];
      for await (const state of walkChain(ctx, right, backward, after(backward))) {
        if (renderSet.has(state.index)) await saveState(ctx, right.index, state);
      }
      for await (const state of walkChain(ctx, left, forward, after(forward))) {
        if (!renderSet.has(state.index)) continue;
        const fromRight = await loadState(ctx, right.index, state.index);
        await renderFrame(ctx, state.index, [
          { anchor: left, state },
          { anchor: right, state: fromRight },
        ]);
      }
    } else {
      const anchor = ctx.anchors.get(walks[0].anchor)!;
      for await (const state of walkChain(ctx, anchor, walks[0], after(walks[0]))) {
        if (!renderSet.has(state.index)) continue;
        await renderFrame(ctx, state.index, [{ anchor, state }]);
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
  let models: ChainModels | null = null;
  let staging: string | null = null;
  let capture: CaptureThread | null = null;
  let render: RenderThread | null = null;
  try {
    const opened = await openValidatedSource(request, { workDir: scratch, signal: options.signal });
    source = opened.source;
    opened.warnings.forEach(warn);
    const grid = chooseFlowGrid(source.width, source.height);
    const timer = new StageTimer();
    capture = new CaptureThread(source, grid, timer);
    render = new RenderThread({ grid, layer: Boolean(request.layer) }, timer);
    const anchorOrder = [...opened.anchorImages.keys()].sort((a, b) => a - b);
    // The first anchor frame decodes on the capture thread while the execution provider is chosen here.
    capture.frame(anchorOrder[0]).catch(() => undefined); // its error surfaces when it is awaited
    const provider = await timer.time('load models', () => chooseProvider(request.device ?? 'auto', warn));
    // Three threads run models side by side: capture and this one's chains get half the cores each (measured
    // faster on two cores than both sharing all of them, and ~10% less CPU time). Transfer and restore grow with the
    // edit's area: over a whole 1080p frame the render thread is the bottleneck, so its models may use every core
    // (measured: 15 s against 17 s for 24 frames of a background grade; a decal the same either way).
    const cores = os.availableParallelism();
    const threads = Math.max(1, Math.floor(cores / 2));
    capture.open(provider, threads);
    render.open(provider, cores);
    // The anchor models are built one by one on the render thread, idle until the first frame comes, while this
    // thread opens its models (RenderThread.buildAnchor).
    const givenMasks = opened.maskImages;
    const anchors = new Map<number, ChainAnchor>();
    const anchorsBuilt = (async () => {
      for (const index of anchorOrder) {
        const original = (await capture.frame(index)).full;
        const edited = opened.anchorImages.get(index)!;
        const mask = givenMasks.get(index) ?? null;
        if (!carriesEdit(original, edited, mask)) {
          const file = request.anchors.find((a) => a.index === index)?.image ?? '';
          warn(`Anchor ${index} (${path.basename(file)}) carries no edit: it is the same as frame ${index}${mask ? ' inside its mask' : ''}. Was the edited frame exported?`);
        }
        opened.anchorImages.delete(index); // the edited frame moves to the render thread
        anchors.set(index, await render.buildAnchor(index, original, edited, mask));
      }
    })();
    let anchorsReady = false;
    anchorsBuilt.then(() => (anchorsReady = true), () => undefined); // a failure surfaces where it is awaited below
    const frameMasks = new Map([...givenMasks].filter(([index]) => !anchorOrder.includes(index)));
    // The first chain's links are made while this thread opens its models and the anchor models are built.
    const range = request.range ?? [0, source.count - 1];
    const plan = planSegments(source.count, anchorOrder, range);
    const firstWalk = plan.segments.length ? chainWalksOf(plan.segments[0])[0] : null;
    if (firstWalk) capture.startWalk(captureWalkOf(firstWalk));
    const lazy = ['correspondence_search', 'correspondence_score'] as const;
    const chainModels = await timer.time('load models', () => openModels(provider, { only: CHAIN_MODELS, threads, lazy }));
    models = chainModels;
    // Sessions a run opens only when first needed cost nothing to open while this thread waits on the anchor models
    // anyway (at 1080p the search's ~0.2 s otherwise fell in the first link, before any frame could render).
    for (const name of lazy) if (!anchorsReady) await timer.time('load models', () => chainModels.session(name));
    await timer.time('waiting for anchor models', () => anchorsBuilt);
    checkCancel(options.signal);

    await prepareOutputFolder(request.out);
    staging = await makeScratchFolder(request.out, 'staging');
    const progress = new ProgressTracker(range[1] - range[0] + 1, emit);
    const ctx: RunContext = {
      request, source, models, grid, anchors, frameMasks, capture, render, scratch, staging, progress, timer,
      correspondence: new CorrespondenceStage(models, grid),
      stats: [],
      signal: options.signal,
    };
    progress.start(`${ctx.stats.length}/${range[1] - range[0] + 1} frames on ${models.device}`);
    // On a failure or Ctrl-C, `finally` below stops the render thread after the frame it is on (the rest of its queue
    // is dropped): the run ends at a frame boundary.
    await renderSegments(ctx, plan);
    await render.drain();
    // Their stage times join the result's.
    await capture.close();
    await render.close();
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
    // Before the staging folder goes: the frame it is writing lands there first.
    if (render) await render.close().catch(() => undefined);
    if (staging) await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await fs.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
    if (source) await source.dispose().catch(() => undefined);
    if (models) await models.release().catch(() => undefined);
  }
}
