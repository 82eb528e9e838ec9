import { readFileSync } from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { scenesFromJson } from '../../bench/scenes';
import { renderScene, type SceneSpec } from '../../client/engine/synth';

const scene = (overrides: Record<string, unknown> = {}) => ({
  name: 'tiny',
  description: 'a recoloured square on grey',
  seed: 1,
  background: { kind: 'solid', colour: '#808080' },
  camera: { pan: { from: [0, 0], to: [0.01, 0] } },
  objects: [{ id: 'sq', shape: { kind: 'rect' }, size: [0.3, 0.3], texture: { kind: 'solid', colour: [0.2, 0.4, 0.6] }, motion: { from: [0.4, 0.5], to: [0.6, 0.5] } }],
  edit: { kind: 'recolour', target: 'sq', matrix: [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0] },
  anchors: [0],
  ...overrides,
});

describe('bench --scenes files', () => {
  it('reads scenes, turning "#rrggbb" into colours in 0..1 and leaving [r, g, b] as written', () => {
    const [spec] = scenesFromJson(JSON.stringify([scene()]));
    expect(spec.background).toEqual({ kind: 'solid', colour: [128 / 255, 128 / 255, 128 / 255] });
    expect(spec.objects[0].texture).toEqual({ kind: 'solid', colour: [0.2, 0.4, 0.6] });
    // The spec renders, and the recolour (red and green swapped) shows only on the square.
    const clip = renderScene(spec, { width: 40, height: 24, frameCount: 2 });
    const centre = (20 * 12 + 16) * 3; // inside the square at frame 0 (centre x 0.4 of 40)
    expect(clip.edited[0][centre]).toBeCloseTo(clip.frames[0][centre + 1], -1);
    expect(clip.edited[0][0]).toBe(clip.frames[0][0]);
  });

  it('refuses malformed files with a reason that names the scene', () => {
    expect(() => scenesFromJson('{')).toThrow(/not valid JSON/);
    expect(() => scenesFromJson('[]')).toThrow(/non-empty JSON array/);
    expect(() => scenesFromJson(JSON.stringify([{ ...scene(), edit: undefined }]))).toThrow(/scene 0 \(tiny\) has no "edit"/);
    expect(() => scenesFromJson(JSON.stringify([scene(), scene()]))).toThrow(/scene 1 \(tiny\): the name is used twice/);
    expect(() => scenesFromJson(JSON.stringify([scene({ anchors: [1.5] })]))).toThrow(/normalised times/);
    expect(() => scenesFromJson(JSON.stringify([scene({ edit: { kind: 'decal', target: 'nope', decals: [] } })]))).toThrow(/target "nope"/);
  });

  it('the shipped variant scenes all parse and render', () => {
    const file = path.join(__dirname, '..', '..', 'bench', 'scenes', 'variants.json');
    const specs: SceneSpec[] = scenesFromJson(readFileSync(file, 'utf8'), file);
    expect(specs.length).toBeGreaterThanOrEqual(8);
    for (const spec of specs) {
      const clip = renderScene(spec, { width: 64, height: 36, frameCount: 3 });
      // Every scene's edit shows on its anchor frame (else it would score nothing).
      const anchor = Math.round(spec.anchors[0] * 2);
      expect(clip.edited[anchor].some((v, i) => v !== clip.frames[anchor][i]), spec.name).toBe(true);
    }
  });
});
