/**
 * Scene description for the synthetic clips. Scale-free: positions are fractions of the frame (x of the width,
 * y of the height), sizes and camera pans are in frame widths, and motion is over normalised clip time t in [0, 1]
 * (frame i of n is at t = i / (n - 1)), so the same scene renders at any resolution and length.
 */
import type { ColourMatrix, Rgb } from './colour';
import type { ShapeSpec } from './shapes';
import type { TextureSpec } from './texture';

export interface Range {
  from: number;
  to: number;
}

export interface ObjectMotion {
  /** Centre at t = 0 and t = 1, as fractions of the frame (x of width, y of height). */
  from: [number, number];
  to: [number, number];
  /** Optional sinusoidal wobble added to the path: amplitude in frame widths, cycles over the clip. */
  wobble?: { amplitude: [number, number]; cycles: number };
  /** Rotation in degrees. */
  rotation?: Range;
  /** Uniform scale factor. */
  scale?: Range;
}

export interface ObjectLayer {
  id: string;
  shape: ShapeSpec;
  /** Width and height in frame widths, at scale 1. */
  size: [number, number];
  texture: TextureSpec;
  motion: ObjectMotion;
  /** Per-object light change: gain = 1 + amplitude * sin(2 pi (cycles t + phase)). */
  light?: LightChange;
}

export interface LightChange {
  amplitude: number;
  cycles: number;
  phase?: number;
}

export interface CameraMotion {
  /** Pan of the view centre in frame widths at t = 0 and t = 1. */
  pan: { from: [number, number]; to: [number, number] };
  /** Zoom factor (>1 = closer). */
  zoom?: Range;
}

/** A decal painted into an object's texture (texture space: u, v in [0, 1] across the object's box). */
export interface Decal {
  shape: ShapeSpec;
  centre: [number, number];
  /** Size as fractions of the object's width and height. */
  size: [number, number];
  rotation?: number;
  fill: TextureSpec;
  opacity?: number;
}

export type EditSpec =
  | { kind: 'decal'; target: string; decals: Decal[] }
  | { kind: 'recolour'; target: string; matrix: ColourMatrix }
  | { kind: 'grade'; matrix: ColourMatrix };

export interface SceneSpec {
  name: string;
  description: string;
  seed: number;
  background: TextureSpec;
  camera: CameraMotion;
  /** Drawn in order over the background; later layers occlude earlier ones. */
  objects: ObjectLayer[];
  /** Ids of objects that exist to occlude (documentation for readers; they are drawn like any object). */
  occluders?: string[];
  edit: EditSpec;
  /** Anchor frames as normalised times (0 = first frame, 1 = last); mapped to indices for a given length. */
  anchors: number[];
  light?: LightChange;
  /** Sensor-like noise, standard deviation in 8-bit levels, identical in source and ground truth. */
  noise?: number;
  /** Suggested default size for this scene. */
  defaults?: { width: number; height: number; frameCount: number };
}

export interface ObjectPose {
  /** Centre in frame widths (x) and frame widths (y), i.e. pixel / frame width. */
  cx: number;
  cy: number;
  angle: number;
  scale: number;
}

export function lerp(r: Range | undefined, t: number, fallback: number): number {
  return r ? r.from + (r.to - r.from) * t : fallback;
}

/** Pose of an object at normalised time t, for a frame whose height is `aspect` frame widths. */
export function objectPose(layer: ObjectLayer, t: number, aspect: number): ObjectPose {
  const m = layer.motion;
  let x = m.from[0] + (m.to[0] - m.from[0]) * t;
  let y = (m.from[1] + (m.to[1] - m.from[1]) * t) * aspect;
  if (m.wobble) {
    const s = Math.sin(2 * Math.PI * m.wobble.cycles * t);
    x += m.wobble.amplitude[0] * s;
    y += m.wobble.amplitude[1] * Math.sin(2 * Math.PI * m.wobble.cycles * t + Math.PI / 3);
  }
  return { cx: x, cy: y, angle: (lerp(m.rotation, t, 0) * Math.PI) / 180, scale: lerp(m.scale, t, 1) };
}

export function lightGain(light: LightChange | undefined, t: number): number {
  if (!light) return 1;
  return 1 + light.amplitude * Math.sin(2 * Math.PI * (light.cycles * t + (light.phase ?? 0)));
}

/** Normalised time of frame `index` in a clip of `frameCount` frames. */
export function frameTime(index: number, frameCount: number): number {
  return frameCount > 1 ? index / (frameCount - 1) : 0;
}

/** Anchor indices of a scene for a clip of `frameCount` frames (sorted, unique). */
export function anchorIndices(spec: SceneSpec, frameCount: number): number[] {
  const set = new Set(spec.anchors.map((t) => Math.round(t * (frameCount - 1))));
  return [...set].sort((a, b) => a - b);
}

export type { Rgb };
