/**
 * End-to-end properties of propagate() on a tiny synthetic clip with exact ground truth (see clip.ts): 12 frames of
 * 96×64, a textured square moving 4.3 px/frame right and 1.1 px/frame down over a textured background; the anchor
 * (frame 0, and frame 11 for two anchors) has the square recoloured by a known colour matrix.
 *
 * The models are built from models/src into a temp folder (ANCHORFLOW_MODELS), so these tests check the current
 * graph code, not whatever models/dist last held.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../client/engine/errors';
import { propagate } from '../../client/engine/pipeline/propagate';
import type { EngineEvent, PropagateRequest } from '../../client/shared/protocol';
import { useModelsFromSource } from './models-from-source';
import { CLIP, distanceToSquare, frameName, psnr, readPng, writeClip, writePng, type RenderedFrame } from './clip';

let root: string;
let framesDir: string;
let clip: RenderedFrame[];
let anchorFirst: string;
let anchorLast: string;
let restoreModelsEnv: (() => void) | undefined;
const fullRun: Uint8Array[] = [];

const PIXELS = CLIP.width * CLIP.height;

function request(out: string, extra: Partial<PropagateRequest> = {}): PropagateRequest {
  return { frames: framesDir, anchors: [{ index: 0, image: anchorFirst }], masks: [], out, device: 'cpu', ...extra };
}

async function readOutputs(out: string, frames: number[]): Promise<Uint8Array[]> {
  return Promise.all(frames.map((t) => readPng(path.join(out, frameName(t)))));
}

/** Pixels where the ground truth differs from the source: the edit region. */
function editRegion(t: number): (p: number) => boolean {
  const { source, truth } = clip[t];
  return (p) => source[p * 3] !== truth[p * 3] || source[p * 3 + 1] !== truth[p * 3 + 1] || source[p * 3 + 2] !== truth[p * 3 + 2];
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-propagate-test-'));
  restoreModelsEnv = await useModelsFromSource(path.join(root, 'models'));

  framesDir = path.join(root, 'frames');
  clip = await writeClip(framesDir);
  anchorFirst = path.join(root, 'anchor-0.png');
  anchorLast = path.join(root, 'anchor-11.png');
  await writePng(anchorFirst, clip[0].truth);
  await writePng(anchorLast, clip[CLIP.frames - 1].truth);

  const out = path.join(root, 'out-full');
  const result = await propagate(request(out));
  expect(result.frames.map((f) => f.index)).toEqual(Array.from({ length: CLIP.frames }, (_, t) => t));
  fullRun.push(...(await readOutputs(out, result.frames.map((f) => f.index))));
});

afterAll(async () => {
  restoreModelsEnv?.();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe('propagate() on a synthetic clip', () => {
  it('changes no pixel the edit layer leaves at alpha 0, bit for bit (LoRA-Edit mask rule)', async () => {
    const out = path.join(root, 'out-layer');
    await propagate(request(out, { layer: true }));
    for (let t = 0; t < CLIP.frames; t++) {
      const { data, info } = await sharp(path.join(out, frameName(t))).raw().toBuffer({ resolveWithObject: true });
      expect(info.channels).toBe(4);
      let zeroAlpha = 0;
      for (let p = 0; p < PIXELS; p++) {
        if (data[p * 4 + 3] !== 0) continue;
        zeroAlpha++;
        for (let c = 0; c < 3; c++) expect(fullRun[t][p * 3 + c], `frame ${t} pixel ${p}`).toBe(clip[t].source[p * 3 + c]);
      }
      // Most of the frame is untouched by construction: the rule is exercised on thousands of pixels per frame.
      expect(zeroAlpha).toBeGreaterThan(PIXELS / 2);
    }
  });

  it('leaves the keep region nearly untouched', () => {
    // Known limitation, measured and bounded here rather than hidden: flow is smoothed across motion edges, so a
    // few background pixels revealed behind the moving square (and near where it sat in the anchor) can take the
    // edit. At this clip's 96×64 they are 1.2% of the frame on average over frames 1–11 and 3.1% (192 px) in the
    // worst frame, and keep-region PSNR stays ≥ 37 dB in every frame; doing everything wrong would score ~15 dB.
    // (The temporal stage's plain neighbour average, before it listened to neighbours only where in doubt, gave
    // 2.1% in the worst frame and 1.2% on average, and lost 1–4 dB of edit accuracy on the benchmark.)
    let changedTotal = 0;
    for (let t = 1; t < CLIP.frames; t++) {
      let changed = 0;
      for (let p = 0; p < PIXELS; p++) {
        if (distanceToSquare(t, p % CLIP.width, Math.floor(p / CLIP.width)) <= 2) continue;
        if ([0, 1, 2].some((c) => fullRun[t][p * 3 + c] !== clip[t].source[p * 3 + c])) changed++;
      }
      changedTotal += changed;
      expect(changed / PIXELS, `frame ${t}: ${changed} px changed away from the square`).toBeLessThan(0.035);
      const keep = psnr(fullRun[t], clip[t].truth, (p) => !editRegion(t)(p));
      expect(keep, `frame ${t} keep-region PSNR`).toBeGreaterThan(35);
    }
    expect(changedTotal / PIXELS / (CLIP.frames - 1), 'mean share changed away from the square').toBeLessThan(0.016);
  });

  it('reproduces the anchor exactly and carries the edit to every frame, far better than doing nothing', () => {
    expect(Buffer.compare(Buffer.from(fullRun[0]), Buffer.from(clip[0].truth))).toBe(0);
    const edited: number[] = [];
    const nothing: number[] = [];
    for (let t = 1; t < CLIP.frames; t++) {
      const region = editRegion(t);
      edited.push(psnr(fullRun[t], clip[t].truth, region));
      nothing.push(psnr(clip[t].source, clip[t].truth, region));
    }
    console.log(`edit-region PSNR, one anchor, frames 1-11: ${edited.map((v, k) => `${v.toFixed(1)} (nothing ${nothing[k].toFixed(1)})`).join(', ')}`);
    // Floors, from measurement (25.8 dB at frame 1 falling to 19.2 dB at frame 11, mean 22.3): the colour is
    // right (layer error ≈ 0.2 levels inside the square) but at 96×64 the square's coverage erodes from its edges
    // along the chain, the same motion-edge limitation as above. Doing nothing scores ~15.5 dB.
    const mean = edited.reduce((a, b) => a + b, 0) / edited.length;
    expect(mean).toBeGreaterThan(21);
    edited.forEach((v, k) => {
      expect(v, `frame ${k + 1}`).toBeGreaterThan(18);
      expect(v - nothing[k], `frame ${k + 1}`).toBeGreaterThan(3);
    });
  });

  it('renders a range [5, 7] bit-identical to the same frames of the full run', async () => {
    const out = path.join(root, 'out-range');
    const result = await propagate(request(out, { range: [5, 7] }));
    expect(result.frames.map((f) => f.index)).toEqual([5, 6, 7]);
    expect((await fs.readdir(out)).sort()).toEqual([5, 6, 7].map(frameName));
    const ranged = await readOutputs(out, [5, 6, 7]);
    ranged.forEach((frame, k) => expect(Buffer.compare(Buffer.from(frame), Buffer.from(fullRun[5 + k])), `frame ${5 + k}`).toBe(0));
  });

  it('with anchors at both ends, the middle frames are at least as good as with the first anchor alone', async () => {
    const out = path.join(root, 'out-two');
    await propagate(request(out, { anchors: [{ index: 0, image: anchorFirst }, { index: CLIP.frames - 1, image: anchorLast }] }));
    const middle = [4, 5, 6, 7];
    const both = await readOutputs(out, middle);
    let sumOne = 0;
    let sumBoth = 0;
    const scores = middle.map((t, k) => {
      const one = psnr(fullRun[t], clip[t].truth, editRegion(t));
      const two = psnr(both[k], clip[t].truth, editRegion(t));
      sumOne += one;
      sumBoth += two;
      return `${t}: ${one.toFixed(2)} → ${two.toFixed(2)} dB`;
    });
    console.log(`middle frames, one → two anchors: ${scores.join(', ')}`);
    // Mean over the middle frames: the second anchor must not make them worse. 0.1 dB allows for the blend's
    // rounding on frames where both anchors are already near-exact.
    expect(sumBoth / middle.length).toBeGreaterThanOrEqual(sumOne / middle.length - 0.1);
  });

  it('warns when an anchor carries no edit (the same as its frame, or changed only outside its mask), and only then', async () => {
    const unedited = path.join(root, 'anchor-unedited.png');
    await writePng(unedited, clip[0].source);
    const warningsOf = async (extra: Partial<PropagateRequest>, out: string) => {
      const events: EngineEvent[] = [];
      await propagate(request(path.join(root, out), { range: [0, 1], ...extra }), { onEvent: (event) => events.push(event) });
      return events.flatMap((event) => (event.event === 'warning' && /carries no edit/.test(event.message) ? [event.message] : []));
    };
    expect(await warningsOf({ anchors: [{ index: 0, image: unedited }] }, 'out-unedited')).toEqual([
      'Anchor 0 (anchor-unedited.png) carries no edit: it is the same as frame 0. Was the edited frame exported?',
    ]);
    // A mask away from the square (the edit): the designer's changes all lie outside it.
    const elsewhere = path.join(root, 'mask-elsewhere.png');
    const maskPixels = new Uint8Array(3 * PIXELS);
    for (let p = 0; p < PIXELS; p++) if (p % CLIP.width > CLIP.width - 10) maskPixels.fill(255, 3 * p, 3 * p + 3);
    await writePng(elsewhere, maskPixels);
    expect(await warningsOf({ masks: [{ index: 0, image: elsewhere }] }, 'out-masked-away')).toHaveLength(1);
    expect(await warningsOf({}, 'out-edited')).toEqual([]);
  });

  it('cancelled mid-run: throws CancelledError, leaves an earlier output byte-identical and no stray files', async () => {
    const out = path.join(root, 'out-cancel');
    await fs.mkdir(out);
    const earlier = Buffer.from('an earlier result the cancelled run must not touch');
    await fs.writeFile(path.join(out, frameName(3)), earlier);
    const controller = new AbortController();
    const done: number[] = [];
    const onEvent = (event: EngineEvent) => {
      if (event.event !== 'progress' || event.stage !== 'propagate') return;
      done.push(event.done);
      if (event.done >= 4) controller.abort();
    };
    await expect(propagate(request(out), { signal: controller.signal, onEvent })).rejects.toBeInstanceOf(CancelledError);
    expect(Math.max(...done)).toBeGreaterThanOrEqual(4); // it was really mid-run: frames had been rendered (staged)
    expect(Math.max(...done)).toBeLessThan(CLIP.frames);
    expect(await fs.readdir(out)).toEqual([frameName(3)]); // no staged frames, temps or staging folder (dot-names)
    expect(Buffer.compare(await fs.readFile(path.join(out, frameName(3))), earlier)).toBe(0);
  });
});
