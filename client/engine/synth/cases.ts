/** The named synthetic benchmark scenes. Each targets one failure mode of edit propagation (see docs/bench.md). */
import { hex, hueRotation, type ColourMatrix } from './colour';
import type { SceneSpec } from './scene';
import { regularPolygon, star } from './shapes';
import type { TextureSpec } from './texture';

const earth: TextureSpec = {
  kind: 'modulate',
  base: { kind: 'fbm', ramp: [hex('#2d3a2a'), hex('#5b6b3f'), hex('#9a8a5a'), hex('#c9b98a')], scale: 6, octaves: 5, seed: 11 },
  detail: { kind: 'fbm', ramp: [hex('#000000'), hex('#ffffff')], scale: 40, octaves: 3, seed: 12 },
  strength: 0.25,
};

const sky: TextureSpec = {
  kind: 'modulate',
  base: { kind: 'stripes', colours: [hex('#4a6d8c'), hex('#7fa3bf')], period: 0.09, angle: 20, softness: 0.35 },
  detail: { kind: 'fbm', ramp: [hex('#000000'), hex('#ffffff')], scale: 12, octaves: 5, seed: 21 },
  strength: 0.35,
};

const brick: TextureSpec = {
  kind: 'modulate',
  base: { kind: 'checker', colours: [hex('#8c3b2a'), hex('#c46a3c')], cell: 0.035, angle: 8 },
  detail: { kind: 'fbm', ramp: [hex('#000000'), hex('#ffffff')], scale: 30, octaves: 4, seed: 31 },
  strength: 0.3,
};

/** Woven-looking cloth: non-periodic colour blotches with a weak diagonal weave (periodic texture alone would be
 *  ambiguous to any matcher, which real footage rarely is). */
const fabric: TextureSpec = {
  kind: 'modulate',
  base: { kind: 'fbm', ramp: [hex('#2f4f7f'), hex('#3f6fa8'), hex('#b8a35a'), hex('#e0cf7a')], scale: 9, octaves: 5, seed: 41 },
  detail: { kind: 'stripes', colours: [hex('#404040'), hex('#c0c0c0')], period: 0.03, angle: -35, softness: 0.3 },
  strength: 0.2,
};

const marble: TextureSpec = {
  kind: 'fbm',
  ramp: [hex('#6b2f6f'), hex('#b35a8a'), hex('#e6b07a'), hex('#f4e6c8')],
  scale: 14,
  octaves: 5,
  seed: 51,
};

const slate: TextureSpec = {
  kind: 'modulate',
  base: { kind: 'solid', colour: hex('#55585e') },
  detail: { kind: 'fbm', ramp: [hex('#000000'), hex('#ffffff')], scale: 20, octaves: 4, seed: 61 },
  strength: 0.5,
};

const decalPaint: TextureSpec = {
  kind: 'stripes',
  colours: [hex('#e8262a'), hex('#ffd23f')],
  period: 0.02,
  angle: 45,
  softness: 0.2,
};

/** A warm, slightly contrasty grade: what a colourist might do to a background plate. */
const warmGrade: ColourMatrix = [1.12, 0.04, -0.02, 0.01, 0.02, 1.02, -0.03, 0.0, -0.04, 0.02, 0.82, -0.02];

export const decalMoving: SceneSpec = {
  name: 'decal-moving',
  description: 'a striped star decal painted on a moving, rotating, growing box; a second object passes by',
  seed: 101,
  background: earth,
  camera: { pan: { from: [0, 0], to: [0.04, 0.015] }, zoom: { from: 1, to: 1.05 } },
  objects: [
    {
      id: 'box',
      shape: { kind: 'rect', round: 0.15 },
      size: [0.3, 0.22],
      texture: fabric,
      motion: { from: [0.3, 0.55], to: [0.62, 0.45], rotation: { from: 0, to: 25 }, scale: { from: 1, to: 1.12 } },
    },
    {
      id: 'disc',
      shape: { kind: 'ellipse' },
      size: [0.14, 0.14],
      texture: marble,
      motion: { from: [0.85, 0.25], to: [0.7, 0.8], rotation: { from: 0, to: -40 } },
    },
  ],
  edit: {
    kind: 'decal',
    target: 'box',
    decals: [{ shape: star(5, 0.45), centre: [0.38, 0.5], size: [0.42, 0.55], rotation: 10, fill: decalPaint }],
  },
  anchors: [0],
  light: { amplitude: 0.04, cycles: 0.7 },
  noise: 1,
  defaults: { width: 640, height: 360, frameCount: 24 },
};

export const recolourOccluded: SceneSpec = {
  name: 'recolour-occluded',
  description: 'hue rotation of a rotating hexagon while a post sweeps across in front of it',
  seed: 202,
  background: sky,
  camera: { pan: { from: [0.02, 0], to: [-0.02, 0.01] } },
  objects: [
    {
      id: 'hexagon',
      shape: regularPolygon(6),
      size: [0.34, 0.34],
      texture: marble,
      motion: { from: [0.45, 0.5], to: [0.55, 0.48], rotation: { from: 0, to: 70 } },
      light: { amplitude: 0.05, cycles: 1 },
    },
    {
      id: 'post',
      shape: { kind: 'rect' },
      size: [0.05, 0.7],
      texture: slate,
      motion: { from: [0.15, 0.5], to: [0.85, 0.5], rotation: { from: 4, to: -4 } },
    },
  ],
  occluders: ['post'],
  edit: { kind: 'recolour', target: 'hexagon', matrix: hueRotation(140, 1.2) },
  anchors: [0],
  noise: 1,
  defaults: { width: 640, height: 360, frameCount: 24 },
};

export const gradeBackground: SceneSpec = {
  name: 'grade-background',
  description: 'a warm grade of the background plate only, with two objects moving over it and a camera move',
  seed: 303,
  background: brick,
  camera: { pan: { from: [-0.03, 0.01], to: [0.03, -0.01] }, zoom: { from: 1.04, to: 1 } },
  objects: [
    {
      id: 'disc',
      shape: { kind: 'ellipse' },
      size: [0.2, 0.16],
      texture: marble,
      motion: { from: [0.2, 0.35], to: [0.75, 0.6], rotation: { from: 0, to: 60 } },
    },
    {
      id: 'panel',
      shape: { kind: 'rect', round: 0.1 },
      size: [0.22, 0.3],
      texture: fabric,
      motion: { from: [0.8, 0.55], to: [0.35, 0.45], rotation: { from: -10, to: 15 }, scale: { from: 1.1, to: 0.95 } },
    },
  ],
  edit: { kind: 'grade', matrix: warmGrade },
  anchors: [0.5],
  light: { amplitude: 0.03, cycles: 0.5 },
  noise: 1,
  defaults: { width: 640, height: 360, frameCount: 24 },
};

export const fastMotion: SceneSpec = {
  name: 'fast-motion',
  description: 'a decal on a box crossing the frame at over 3% of the width per frame (24 frames) against a counter-pan',
  seed: 404,
  background: earth,
  camera: { pan: { from: [0.03, 0], to: [-0.03, 0] } },
  objects: [
    {
      id: 'box',
      shape: { kind: 'rect', round: 0.2 },
      size: [0.18, 0.2],
      texture: brick,
      motion: { from: [0.12, 0.45], to: [0.88, 0.55], rotation: { from: -5, to: 30 } },
    },
  ],
  edit: {
    kind: 'decal',
    target: 'box',
    decals: [
      { shape: { kind: 'ellipse' }, centre: [0.5, 0.45], size: [0.55, 0.4], fill: { kind: 'solid', colour: hex('#1e90ff') } },
      { shape: { kind: 'rect' }, centre: [0.5, 0.8], size: [0.7, 0.1], rotation: -8, fill: decalPaint },
    ],
  },
  anchors: [0],
  noise: 1,
  defaults: { width: 640, height: 360, frameCount: 24 },
};

export const twoAnchors: SceneSpec = {
  name: 'two-anchors',
  description: 'a long banner slides through the frame: its left decal is visible only early, its right one only late',
  seed: 505,
  background: sky,
  camera: { pan: { from: [0, 0], to: [0.01, 0] } },
  objects: [
    {
      id: 'banner',
      shape: { kind: 'rect', round: 0.3 },
      size: [1.3, 0.2],
      texture: fabric,
      motion: { from: [1.05, 0.5], to: [-0.05, 0.52], rotation: { from: 0, to: 4 } },
    },
  ],
  edit: {
    kind: 'decal',
    target: 'banner',
    decals: [
      { shape: star(6, 0.5), centre: [0.16, 0.5], size: [0.12, 0.8], fill: decalPaint },
      { shape: { kind: 'ellipse' }, centre: [0.84, 0.5], size: [0.12, 0.75], fill: { kind: 'solid', colour: hex('#22c55e') } },
    ],
  },
  anchors: [0, 1],
  noise: 1,
  defaults: { width: 640, height: 360, frameCount: 24 },
};

/** A tiny scene for the demo (`npm start`) and quick tests. */
export const sample: SceneSpec = {
  name: 'sample',
  description: 'a small demo: a star painted on a drifting, turning card',
  seed: 7,
  background: earth,
  camera: { pan: { from: [0, 0], to: [0.03, 0.01] } },
  objects: [
    {
      id: 'card',
      shape: { kind: 'rect', round: 0.2 },
      size: [0.36, 0.26],
      texture: fabric,
      motion: { from: [0.4, 0.5], to: [0.58, 0.46], rotation: { from: 0, to: 18 } },
    },
  ],
  edit: {
    kind: 'decal',
    target: 'card',
    decals: [{ shape: star(5, 0.45), centre: [0.5, 0.5], size: [0.5, 0.65], fill: decalPaint }],
  },
  anchors: [0],
  defaults: { width: 320, height: 180, frameCount: 12 },
};

/** The benchmark's cases, in report order. */
export const BENCH_CASES: readonly SceneSpec[] = [decalMoving, recolourOccluded, gradeBackground, fastMotion, twoAnchors];

export const ALL_SCENES: readonly SceneSpec[] = [...BENCH_CASES, sample];

export function sceneByName(name: string): SceneSpec {
  const spec = ALL_SCENES.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown scene '${name}'; known: ${ALL_SCENES.map((s) => s.name).join(', ')}`);
  return spec;
}
