/**
 * Procedural textures, rasterised once per clip and then sampled bilinearly by the renderer.
 * Coordinates given to the generators are in frame-width units, so a texture has the same look at any resolution.
 */
import { hashUnit } from './random';
import type { Rgb } from './colour';

export type TextureSpec =
  | { kind: 'solid'; colour: Rgb }
  /** Fractal value noise mapped through a colour ramp. `scale`: noise cells per frame width at the first octave. */
  | { kind: 'fbm'; ramp: Rgb[]; scale: number; octaves: number; seed: number }
  /** Soft stripes. `period` in frame widths, `angle` in degrees. */
  | { kind: 'stripes'; colours: [Rgb, Rgb]; period: number; angle: number; softness?: number }
  /** Checkerboard with cells of `cell` frame widths. */
  | { kind: 'checker'; colours: [Rgb, Rgb]; cell: number; angle?: number }
  /** `base` modulated by the luminance of `detail`: base * (1 - strength + 2 * strength * lum(detail)). */
  | { kind: 'modulate'; base: TextureSpec; detail: TextureSpec; strength: number };

/** An interleaved RGB float raster in [0, 1]. */
export interface Texture {
  width: number;
  height: number;
  data: Float32Array;
}

/**
 * Rasterises `spec` over a region `extentX` x `extentY` (frame widths) starting at (originX, originY),
 * with `width` x `height` texels.
 */
export function rasteriseTexture(
  spec: TextureSpec,
  width: number,
  height: number,
  extentX: number,
  extentY: number,
  originX = 0,
  originY = 0,
): Texture {
  const data = new Float32Array(width * height * 3);
  const evaluate = compile(spec);
  const colour: [number, number, number] = [0, 0, 0];
  for (let ty = 0; ty < height; ty++) {
    const y = originY + ((ty + 0.5) / height) * extentY;
    for (let tx = 0; tx < width; tx++) {
      const x = originX + ((tx + 0.5) / width) * extentX;
      evaluate(x, y, colour);
      const o = (ty * width + tx) * 3;
      data[o] = colour[0];
      data[o + 1] = colour[1];
      data[o + 2] = colour[2];
    }
  }
  return { width, height, data };
}

/** Evaluates a texture at a point (frame-width units), writing RGB into `out`. */
export type Evaluator = (x: number, y: number, out: [number, number, number]) => void;

export function textureEvaluator(spec: TextureSpec): Evaluator {
  return compile(spec);
}

function compile(spec: TextureSpec): Evaluator {
  switch (spec.kind) {
    case 'solid':
      return (_x, _y, out) => {
        out[0] = spec.colour[0];
        out[1] = spec.colour[1];
        out[2] = spec.colour[2];
      };
    case 'fbm':
      return (x, y, out) => ramp(spec.ramp, fbm(x * spec.scale, y * spec.scale, spec.octaves, spec.seed), out);
    case 'stripes': {
      const a = (spec.angle * Math.PI) / 180;
      const ca = Math.cos(a);
      const sa = Math.sin(a);
      const softness = spec.softness ?? 0.15;
      return (x, y, out) => {
        const phase = (x * ca + y * sa) / spec.period;
        const tri = Math.abs(phase - Math.floor(phase) - 0.5) * 2; // 0..1 triangle wave
        const w = smoothstep(0.5 - softness, 0.5 + softness, tri);
        mix(spec.colours[0], spec.colours[1], w, out);
      };
    }
    case 'checker': {
      const a = ((spec.angle ?? 0) * Math.PI) / 180;
      const ca = Math.cos(a);
      const sa = Math.sin(a);
      return (x, y, out) => {
        const u = (x * ca + y * sa) / spec.cell;
        const v = (-x * sa + y * ca) / spec.cell;
        // Soft edges (a tenth of a cell) so the raster has no aliasing of its own.
        const su = smoothstep(-0.1, 0.1, Math.sin(Math.PI * u));
        const sv = smoothstep(-0.1, 0.1, Math.sin(Math.PI * v));
        const w = su * sv + (1 - su) * (1 - sv);
        mix(spec.colours[0], spec.colours[1], w, out);
      };
    }
    case 'modulate': {
      const base = compile(spec.base);
      const detail = compile(spec.detail);
      const tmp: [number, number, number] = [0, 0, 0];
      return (x, y, out) => {
        base(x, y, out);
        detail(x, y, tmp);
        const lum = 0.299 * tmp[0] + 0.587 * tmp[1] + 0.114 * tmp[2];
        const f = 1 - spec.strength + 2 * spec.strength * lum;
        out[0] = Math.min(1, out[0] * f);
        out[1] = Math.min(1, out[1] * f);
        out[2] = Math.min(1, out[2] * f);
      };
    }
  }
}

/** Value noise on an integer lattice with smooth interpolation, in [0, 1]. */
export function valueNoise(x: number, y: number, seed: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const a = hashUnit(x0, y0, 0, seed);
  const b = hashUnit(x0 + 1, y0, 0, seed);
  const c = hashUnit(x0, y0 + 1, 0, seed);
  const d = hashUnit(x0 + 1, y0 + 1, 0, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

/** Fractal sum of value noise, normalised to [0, 1]. */
export function fbm(x: number, y: number, octaves: number, seed: number): number {
  let sum = 0;
  let amplitude = 1;
  let norm = 0;
  let fx = x;
  let fy = y;
  for (let o = 0; o < octaves; o++) {
    sum += amplitude * valueNoise(fx, fy, seed + o * 7919);
    norm += amplitude;
    amplitude *= 0.5;
    // Rotate each octave a little so lattice axes do not line up.
    const nx = 1.6 * fx + 1.2 * fy;
    const ny = -1.2 * fx + 1.6 * fy;
    fx = nx + 17.3;
    fy = ny + 5.1;
  }
  return sum / norm;
}

function ramp(colours: Rgb[], t: number, out: [number, number, number]): void {
  // Stretch the fBm's concentrated middle range so the whole ramp is used.
  const s = Math.min(1, Math.max(0, (t - 0.2) / 0.6)) * (colours.length - 1);
  const i = Math.min(colours.length - 2, Math.floor(s));
  mix(colours[i], colours[i + 1], s - i, out);
}

function mix(a: Rgb, b: Rgb, w: number, out: [number, number, number]): void {
  out[0] = a[0] + (b[0] - a[0]) * w;
  out[1] = a[1] + (b[1] - a[1]) * w;
  out[2] = a[2] + (b[2] - a[2]) * w;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/**
 * Bilinear sample at texel-space coordinates (tx, ty) (texel centres at integer + 0.5), clamped at the borders.
 * Writes RGB into out[o..o+2].
 */
export function sampleBilinear(tex: Texture, tx: number, ty: number, out: Float32Array, o: number): void {
  const w = tex.width;
  const h = tex.height;
  let x = tx - 0.5;
  let y = ty - 0.5;
  if (x < 0) x = 0;
  else if (x > w - 1) x = w - 1;
  if (y < 0) y = 0;
  else if (y > h - 1) y = h - 1;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const y1 = y0 + 1 < h ? y0 + 1 : y0;
  const fx = x - x0;
  const fy = y - y0;
  const d = tex.data;
  const i00 = (y0 * w + x0) * 3;
  const i10 = (y0 * w + x1) * 3;
  const i01 = (y1 * w + x0) * 3;
  const i11 = (y1 * w + x1) * 3;
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  out[o] = d[i00] * w00 + d[i10] * w10 + d[i01] * w01 + d[i11] * w11;
  out[o + 1] = d[i00 + 1] * w00 + d[i10 + 1] * w10 + d[i01 + 1] * w01 + d[i11 + 1] * w11;
  out[o + 2] = d[i00 + 2] * w00 + d[i10 + 2] * w10 + d[i01 + 2] * w01 + d[i11 + 2] * w11;
}
