/**
 * An edited object that slides behind a post and out again (propagate() end to end, synthetic scene with exact
 * ground truth): the part that comes out on the far side was hidden, so the chain of neighbour flows has nothing
 * for it, and it has moved far from where the camera's motion would take it. The correspondence stage must find it
 * again from the motion of the edit's still-tracked part (correspondence.ts, the second re-acquisition search).
 * And new lettering on a wall sign that a passer-by hides wholly for a while: no tracked part is left, and the
 * chain must search where the camera's motion puts the edit (correspondence.ts, the chain's memory).
 *
 * The models are built from models/src into a temp folder (ANCHORFLOW_MODELS), as in propagate.test.ts.
 */
import { promises as fs, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRgb } from '../../bench/images';
import { measureClip } from '../../bench/metrics';
import { scenesFromJson } from '../../bench/scenes';
import { propagate } from '../../client/engine/pipeline/propagate';
import { regularPolygon, renderScene, writeCase, type SceneSpec } from '../../client/engine/synth';
import { useModelsFromSource } from './models-from-source';

const behindPost: SceneSpec = {
  name: 'behind-post',
  description: 'a decal on a box that slides behind a post and out again',
  seed: 77,
  background: { kind: 'checker', colours: [[0.85, 0.82, 0.76], [0.37, 0.44, 0.48]], cell: 0.06, angle: -12 },
  camera: { pan: { from: [0, 0], to: [0.01, 0] } },
  objects: [
    {
      id: 'box',
      shape: { kind: 'rect', round: 0.2 },
      size: [0.28, 0.22],
      texture: {
        kind: 'modulate',
        base: { kind: 'fbm', ramp: [[0.43, 0.35, 0.24], [0.66, 0.55, 0.36], [0.85, 0.75, 0.56]], scale: 6, octaves: 5, seed: 5 },
        detail: { kind: 'fbm', ramp: [[0, 0, 0], [1, 1, 1]], scale: 30, octaves: 4, seed: 8 },
        strength: 0.3,
      },
      motion: { from: [0.22, 0.5], to: [0.78, 0.52], rotation: { from: 0, to: 8 } },
    },
    { id: 'post', shape: { kind: 'rect' }, size: [0.07, 1], texture: { kind: 'fbm', ramp: [[0.45, 0.45, 0.47], [0.6, 0.6, 0.62]], scale: 20, octaves: 3, seed: 6 }, motion: { from: [0.5, 0.5], to: [0.5, 0.5] } },
  ],
  occluders: ['post'],
  edit: {
    kind: 'decal',
    target: 'box',
    decals: [
      { shape: { kind: 'ellipse' }, centre: [0.5, 0.5], size: [0.55, 0.6], fill: { kind: 'solid', colour: [1, 0.23, 0.55] } },
      { shape: regularPolygon(3), centre: [0.5, 0.5], size: [0.3, 0.3], fill: { kind: 'solid', colour: [1, 0.88, 0.3] } },
    ],
  },
  anchors: [0],
};

const size = { width: 320, height: 180, frameCount: 16 };
/**
 * New lettering on a wall sign that moves with a camera pan; one wide passer-by hides all of it for a while: the
 * benchmark's variant scene, at its size.
 */
const signSwept = scenesFromJson(readFileSync(path.join(__dirname, '..', '..', 'bench', 'scenes', 'variants.json'), 'utf8')).find((spec) => spec.name === 'v-sign-swept')!;
const signSize = { width: 640, height: 360, frameCount: 24 };
let root: string;
let restoreModelsEnv: (() => void) | undefined;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-occlusion-test-'));
  restoreModelsEnv = await useModelsFromSource(path.join(root, 'models'));
});

afterAll(async () => {
  restoreModelsEnv?.();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

/**
 * Runs propagate() on `spec` rendered at `clipSize` (anchors and masks from the scene) and scores its last `count`
 * frames against the exact ground truth, next to doing nothing.
 */
async function lastFramesScored(spec: SceneSpec, clipSize: typeof size, name: string, count: number) {
  const written = await writeCase(spec, path.join(root, name), clipSize);
  const truth = renderScene(spec, clipSize);
  const out = path.join(root, `${name}-out`);
  await propagate({
    frames: written.framesDir,
    anchors: written.anchors.map((a) => ({ index: a.index, image: a.image })),
    masks: written.anchors.map((a) => ({ index: a.index, image: a.mask })),
    out,
    device: 'cpu',
  });
  const late = Array.from({ length: count }, (_, k) => clipSize.frameCount - count + k);
  const outputs = await Promise.all(late.map(async (t) => (await readRgb(path.join(out, written.frameNames[t].replace(/\.\w+$/, '.png')))).data));
  const engine = measureClip(outputs, late.map((t) => truth.edited[t]), late.map((t) => truth.frames[t]));
  const identity = measureClip(late.map((t) => truth.frames[t]), late.map((t) => truth.edited[t]), late.map((t) => truth.frames[t]));
  return { engine, identity };
}

describe('an edited object coming out from behind an occluder', () => {
  it('carries the decal onto the part that comes out, frame after frame', async () => {
    // The last quarter of the clip: the decal is entirely past the post, none of it was in view all along.
    const { engine, identity } = await lastFramesScored(behindPost, size, 'post', 4);
    // Without the second search the decal is lost there (measured: within 1 dB of doing nothing).
    expect(engine.editPsnr).toBeGreaterThan(identity.editPsnr + 8);
    expect(engine.keepPsnr).toBeGreaterThan(40);
  }, 120_000);
});

describe('an edit on the background wholly hidden for a while', () => {
  it('comes back when the passer-by has gone, where the camera motion puts it', async () => {
    // The last quarter of the clip: the passer-by has crossed the whole sign.
    const { engine, identity } = await lastFramesScored(signSwept, signSize, 'sign', 6);
    console.log(`sign after the sweep: edit ${engine.editPsnr.toFixed(2)} dB (doing nothing: ${identity.editPsnr.toFixed(2)}), keep ${engine.keepPsnr.toFixed(2)} dB`);
    // Without the chain's memory of the camera the edit never comes back (measured: exactly doing nothing, 7.3 dB).
    // Measured 22.3 / 53.5 dB (edit / keep); 17.8 / 38.1 before stray paint was snapped to the sign's motion, the
    // lettering smeared and broken where the re-acquired correspondence slid on the low-texture sign (rigid-snap.ts).
    expect(engine.editPsnr).toBeGreaterThan(identity.editPsnr + 13);
    expect(engine.keepPsnr).toBeGreaterThan(50);
  }, 120_000);
});
