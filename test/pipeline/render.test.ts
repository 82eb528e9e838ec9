/**
 * The render thread (pipeline/render.ts + runtime/render-worker.ts): what it writes must be exactly what the
 * pipeline would write in line (the frame's edit layer from its states, composited or as a layer, encoded), for
 * anchor frames, one anchor and two anchors with a frame mask; the anchor models it builds answer the chains what
 * the in-line build gives; a failed frame fails the run with its own message.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GreyImage, RgbImage } from '../../client/engine/io/image-types';
import { writePng } from '../../client/engine/io/images';
import { buildAnchorModel, type AnchorModel, type FlowGrid } from '../../client/engine/pipeline/anchor-model';
import type { LayerStats } from '../../client/engine/pipeline/composite';
import type { ChainState } from '../../client/engine/pipeline/correspondence';
import { resampleArea } from '../../client/engine/pipeline/raster';
import { editLayerOf, outputOf, RenderThread, type RenderJob, type RenderModels } from '../../client/engine/pipeline/render';
import { StageTimer } from '../../client/engine/pipeline/timing';
import { planTransfer } from '../../client/engine/pipeline/transfer';
import { openModels } from '../../client/engine/runtime/models';
import { colourTexture } from '../models/texture';

const [W, H] = [96, 64];
const grid: FlowGrid = { width: 48, height: 32, scaleX: 2, scaleY: 2 };
const texture = colourTexture(7, 0.15, 0.85, 10);
let root: string;
let models: RenderModels;
const anchors = new Map<number, AnchorModel>();
/** What each anchor model was built from, for the render thread to build its own. */
const anchorInputs = new Map<number, { original: RgbImage; edited: RgbImage }>();

/** An 8-bit frame as decoding gives it: planes from the file's own samples, which it carries too. */
function frameAt(dx: number, dy: number): RgbImage {
  const fileSamples = new Uint8Array(3 * W * H);
  const data = new Float32Array(3 * W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      texture(x + dx, y + dy).forEach((v, c) => {
        const sample = Math.round(v * 255);
        fileSamples[3 * (y * W + x) + c] = sample;
        data[c * W * H + y * W + x] = sample / 255;
      });
    }
  }
  return { width: W, height: H, bitDepth: 8, data, fileSamples };
}

/** The frame recoloured inside a box (a local colour edit) with a painted stripe (a decal). */
function edited(frame: RgbImage, box: { x0: number; y0: number; x1: number; y1: number }): RgbImage {
  const data = frame.data.slice();
  const n = W * H;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = y * W + x;
      const [r, g, b] = [data[i], data[n + i], data[2 * n + i]];
      const painted = y === box.y0 + 3;
      data[i] = painted ? 0.9 : 0.2 + 0.6 * g;
      data[n + i] = painted ? 0.1 : 0.1 + 0.7 * b;
      data[2 * n + i] = painted ? 0.2 : 0.1 + 0.8 * r;
    }
  }
  return { width: W, height: H, bitDepth: 8, data };
}

/** A state that maps every pixel by the same (dx, dy) full-resolution pixels, confidence `conf`. */
function shiftState(index: number, dx: number, dy: number, conf: number): ChainState {
  const pixels = grid.width * grid.height;
  const flow = new Float32Array(2 * pixels);
  flow.fill(dx / grid.scaleX, 0, pixels);
  flow.fill(dy / grid.scaleY, pixels);
  return { index, flow, conf: new Float32Array(pixels).fill(conf) };
}

function frameJob(index: number, file: string, states: Array<{ anchor: number; state: ChainState }>, frameMask?: GreyImage): RenderJob {
  const frame = frameAt(index * 0.7, index * -0.3);
  const frameLow = resampleArea(frame.data, 3, W, H, grid.width, grid.height);
  const sources = states.map(({ anchor, state }) => ({ anchor, chainConf: state.conf, plan: planTransfer(grid, anchors.get(anchor)!, state, frameLow, W, H) }));
  return { kind: 'frame', index, file, frame, frameLow, sources, frameMask };
}

/** The same job with its own copy of the frame (submit() moves a job's frame to the render thread). */
function copyOf(job: RenderJob): RenderJob {
  const frame = { ...job.frame, data: job.frame.data.slice(), fileSamples: job.frame.fileSamples?.slice() };
  return { ...job, frame };
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-render-'));
  models = await openModels('cpu', { only: ['transfer', 'restore'], threads: 1 });
  for (const [index, box] of [
    [0, { x0: 20, y0: 10, x1: 70, y1: 50 }],
    [10, { x0: 30, y0: 14, x1: 84, y1: 56 }],
  ] as const) {
    const original = frameAt(index * 0.7, index * -0.3);
    const input = { original, edited: edited(original, box) };
    anchorInputs.set(index, input);
    anchors.set(index, buildAnchorModel(index, input.original, input.edited, null, grid));
  }
});

afterAll(async () => {
  await models?.release();
  await fs.rm(root, { recursive: true, force: true });
});

/**
 * Has the render thread build anchor `index`'s model from the same images as the in-line one: what it answers for the
 * chains must be what the in-line build gives. The edited image moves there; the original is copied.
 */
async function buildOn(thread: RenderThread, index: number): Promise<void> {
  const { original, edited } = anchorInputs.get(index)!;
  const sent = { original: structuredClone(original), edited: structuredClone(edited) };
  const forChains = await thread.buildAnchor(index, sent.original, sent.edited, null);
  const { stack, mask, ...inLine } = anchors.get(index)!;
  expect(forChains).toEqual(inLine);
  expect(sent.edited.data.length).toBe(0);
  expect(sent.original.data).toEqual(original.data);
}

/** Renders `jobs` on a render thread, and each job in line into a second folder; returns both folders' stats. */
async function renderBoth(jobs: (file: (name: string) => string) => RenderJob[], layer: boolean) {
  const threadDir = await fs.mkdtemp(path.join(root, 'thread-'));
  const lineDir = await fs.mkdtemp(path.join(root, 'line-'));
  const timer = new StageTimer();
  const thread = new RenderThread({ grid, layer }, timer);
  const written = new Map<number, LayerStats>();
  try {
    thread.open('cpu', 1);
    for (const index of anchors.keys()) await buildOn(thread, index);
    for (const job of jobs((name) => path.join(threadDir, name))) {
      const inLine = copyOf(job);
      await thread.submit(job, (stats) => written.set(job.index, stats));
      expect(job.frame.data.length).toBe(0); // its planes moved to the thread
      const layerOfFrame = await editLayerOf(models, grid, anchors, inLine, new StageTimer());
      const { image, stats } = outputOf(inLine.frame, layerOfFrame, inLine.kind === 'frame' ? inLine.frameMask : undefined, layer);
      await writePng(path.join(lineDir, path.basename(inLine.file)), image, 8);
      expect(stats.coverage).toBeGreaterThan(0); // every job here carries some edit
      written.set(-1 - job.index, stats);
    }
    await thread.drain();
  } finally {
    await thread.close();
  }
  return { threadDir, lineDir, written, stageMs: timer.summary() };
}

describe('render thread', () => {
  for (const layer of [false, true]) {
    it(`writes exactly the in-line render of anchor, one-anchor and two-anchor frames (${layer ? 'edit layer' : 'composite'})`, async () => {
      const mask: GreyImage = { width: W, height: H, data: Float32Array.from({ length: W * H }, (_, i) => (i % W < 60 ? 1 : 0)) };
      const { threadDir, lineDir, written, stageMs } = await renderBoth(
        (file) => [
          { kind: 'anchor', index: 0, file: file('a0.png'), frame: frameAt(0, 0) },
          frameJob(3, file('f3.png'), [{ anchor: 0, state: shiftState(3, 3 * 0.7, 3 * -0.3, 0.9) }]),
          frameJob(6, file('f6.png'), [
            { anchor: 0, state: shiftState(6, 6 * 0.7, 6 * -0.3, 0.9) },
            { anchor: 10, state: shiftState(6, -4 * 0.7, -4 * -0.3, 0.6) },
          ], mask),
        ],
        layer,
      );
      for (const name of ['a0.png', 'f3.png', 'f6.png']) {
        expect(await fs.readFile(path.join(threadDir, name)), name).toEqual(await fs.readFile(path.join(lineDir, name)));
      }
      for (const index of [0, 3, 6]) expect(written.get(index), `stats of ${index}`).toEqual(written.get(-1 - index));
      expect(Object.keys(stageMs)).toEqual(expect.arrayContaining(['transfer', 'restore', 'composite', 'encode']));
    });
  }

  it('fails the run with the failed frame\'s own error, at the next submit or at drain', async () => {
    const timer = new StageTimer();
    const thread = new RenderThread({ grid, layer: false }, timer);
    try {
      thread.open('cpu', 1);
      await buildOn(thread, 0);
      const orphan = frameJob(4, path.join(root, 'orphan.png'), [{ anchor: 10, state: shiftState(4, 0, 0, 0.9) }]);
      await thread.submit(orphan, () => undefined);
      await expect(thread.drain()).rejects.toThrow(/anchor 10 was never sent/);
      await expect(thread.submit(frameJob(5, path.join(root, 'after.png'), [{ anchor: 0, state: shiftState(5, 0, 0, 0.9) }]), () => undefined)).rejects.toThrow(/anchor 10/);
    } finally {
      await thread.close();
    }
    await expect(fs.access(path.join(root, 'orphan.png'))).rejects.toThrow();
  });
});
