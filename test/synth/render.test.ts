import { describe, expect, it } from 'vitest';
import {
  anchorIndices,
  countMask,
  createSceneRenderer,
  fastMotion,
  gradeBackground,
  recolourOccluded,
  renderScene,
  sample,
  twoAnchors,
  decalMoving,
  type SceneSpec,
} from '../../client/engine/synth';

const SMALL = { width: 160, height: 90, frameCount: 6 };

function pixelDistanceToObject(renderer: ReturnType<typeof createSceneRenderer>, id: string, frame: number, x: number, y: number): number {
  const pose = renderer.poseAt(id, frame);
  return Math.hypot(x + 0.5 - pose.x, y + 0.5 - pose.y);
}

describe('synthetic scene renderer', () => {
  it('is deterministic: the same spec renders the same bytes', () => {
    const a = renderScene(sample, SMALL);
    const b = renderScene(sample, SMALL);
    for (let i = 0; i < SMALL.frameCount; i++) {
      expect(Buffer.compare(Buffer.from(a.frames[i]), Buffer.from(b.frames[i]))).toBe(0);
      expect(Buffer.compare(Buffer.from(a.edited[i]), Buffer.from(b.edited[i]))).toBe(0);
    }
    // ... and a different seed gives a different clip.
    const other = renderScene({ ...sample, seed: sample.seed + 1, noise: 2 }, SMALL);
    expect(Buffer.compare(Buffer.from(a.frames[0]), Buffer.from(other.frames[0]))).not.toBe(0);
  });

  it('frames are not flat: textures carry detail', () => {
    const { frames } = renderScene(decalMoving, SMALL);
    const values = new Set(frames[0]);
    expect(values.size).toBeGreaterThan(60);
  });

  for (const [spec, target] of [
    [decalMoving, 'box'],
    [recolourOccluded, 'hexagon'],
    [fastMotion, 'box'],
  ] as Array<[SceneSpec, string]>) {
    it(`${spec.name}: ground truth equals the source away from the edited object and differs on it`, () => {
      const renderer = createSceneRenderer(spec, SMALL);
      const obj = spec.objects.find((o) => o.id === target)!;
      for (let i = 0; i < SMALL.frameCount; i++) {
        const f = renderer.renderFrame(i);
        const radius = 0.5 * Math.hypot(obj.size[0], obj.size[1]) * Math.max(obj.motion.scale?.from ?? 1, obj.motion.scale?.to ?? 1) * SMALL.width + 1.5;
        let changedOutside = 0;
        let maskDisagrees = 0;
        for (let y = 0; y < SMALL.height; y++) {
          for (let x = 0; x < SMALL.width; x++) {
            const p = y * SMALL.width + x;
            const same = f.source[p * 3] === f.edited[p * 3] && f.source[p * 3 + 1] === f.edited[p * 3 + 1] && f.source[p * 3 + 2] === f.edited[p * 3 + 2];
            if ((f.mask[p] === 0) !== same) maskDisagrees++;
            if (!same && pixelDistanceToObject(renderer, target, i, x, y) > radius) changedOutside++;
          }
        }
        expect(changedOutside).toBe(0);
        expect(maskDisagrees).toBe(0);
        expect(countMask(f.mask)).toBeGreaterThan(20);
      }
    });
  }

  it('grade-background: changes the background and leaves object interiors alone', () => {
    const renderer = createSceneRenderer(gradeBackground, SMALL);
    const f = renderer.renderFrame(0);
    const n = SMALL.width * SMALL.height;
    expect(countMask(f.mask)).toBeGreaterThan(n * 0.5);
    for (const obj of gradeBackground.objects) {
      const pose = renderer.poseAt(obj.id, 0);
      const p = Math.floor(pose.y) * SMALL.width + Math.floor(pose.x);
      if (pose.x > 0 && pose.x < SMALL.width && pose.y > 0 && pose.y < SMALL.height) expect(f.mask[p]).toBe(0);
    }
  });

  it('moves an object by the specified amount (measured from the pixels)', () => {
    const red: [number, number, number] = [1, 0, 0];
    const spec: SceneSpec = {
      name: 'probe',
      description: 'a red square sliding right and growing on black',
      seed: 1,
      background: { kind: 'solid', colour: [0, 0, 0] },
      camera: { pan: { from: [0, 0], to: [0, 0] } },
      objects: [
        {
          id: 'square',
          shape: { kind: 'rect' },
          size: [0.1, 0.1],
          texture: { kind: 'solid', colour: red },
          motion: { from: [0.2, 0.5], to: [0.6, 0.4], scale: { from: 1, to: 1.5 } },
        },
      ],
      edit: { kind: 'recolour', target: 'square', matrix: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0] },
      anchors: [0],
    };
    const size = { width: 200, height: 100, frameCount: 11 };
    const { frames } = renderScene(spec, size);
    for (let i = 0; i < size.frameCount; i++) {
      let sum = 0;
      let sx = 0;
      let sy = 0;
      for (let p = 0; p < size.width * size.height; p++) {
        const w = frames[i][p * 3] / 255;
        sum += w;
        sx += w * ((p % size.width) + 0.5);
        sy += w * (Math.floor(p / size.width) + 0.5);
      }
      const t = i / 10;
      expect(sx / sum).toBeCloseTo((0.2 + 0.4 * t) * size.width, 1);
      expect(sy / sum).toBeCloseTo((0.5 - 0.1 * t) * size.height, 1);
      const side = 0.1 * (1 + 0.5 * t) * size.width;
      expect(sum / (side * side)).toBeCloseTo(1, 1);
    }
  });

  it('fast-motion: the edited decal moves at least 3% of the width per frame at 24 frames', () => {
    const size = { width: 320, height: 180, frameCount: 24 };
    const renderer = createSceneRenderer(fastMotion, size);
    const centroids: number[] = [];
    for (let i = 0; i < size.frameCount; i += 1) {
      const { mask } = renderer.renderFrame(i);
      let sum = 0;
      let sx = 0;
      for (let p = 0; p < mask.length; p++) if (mask[p]) {
        sum++;
        sx += p % size.width;
      }
      centroids.push(sx / sum);
    }
    for (let i = 1; i < centroids.length; i++) expect(centroids[i] - centroids[i - 1]).toBeGreaterThan(0.03 * size.width);
  });

  it('two-anchors: each decal is visible near only one of the two anchors', () => {
    const size = { width: 160, height: 90, frameCount: 12 };
    expect(anchorIndices(twoAnchors, size.frameCount)).toEqual([0, 11]);
    const edit = twoAnchors.edit;
    if (edit.kind !== 'decal') throw new Error('two-anchors is a decal case');
    const only = (k: number): SceneSpec => ({ ...twoAnchors, edit: { ...edit, decals: [edit.decals[k]] } });
    const left = createSceneRenderer(only(0), size);
    const right = createSceneRenderer(only(1), size);
    expect(countMask(left.renderFrame(0).mask)).toBeGreaterThan(50);
    expect(countMask(left.renderFrame(11).mask)).toBe(0);
    expect(countMask(right.renderFrame(0).mask)).toBe(0);
    expect(countMask(right.renderFrame(11).mask)).toBeGreaterThan(50);
  });

  it('renders the same scene with another edit when asked', () => {
    const plain = renderScene(recolourOccluded, SMALL);
    const graded = renderScene(recolourOccluded, { ...SMALL, edit: gradeBackground.edit });
    expect(Buffer.compare(Buffer.from(plain.frames[2]), Buffer.from(graded.frames[2]))).toBe(0);
    expect(countMask(graded.masks[2])).toBeGreaterThan(countMask(plain.masks[2]));
  });

  it('maps anchor times to indices for any clip length', () => {
    expect(anchorIndices(gradeBackground, 24)).toEqual([12]);
    expect(anchorIndices(gradeBackground, 5)).toEqual([2]);
    expect(anchorIndices(decalMoving, 300)).toEqual([0]);
  });

  it('refuses frame indices outside the clip', () => {
    const renderer = createSceneRenderer(sample, SMALL);
    expect(() => renderer.renderFrame(SMALL.frameCount)).toThrow(/outside/);
  });
});
