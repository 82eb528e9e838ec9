/**
 * Procedural multi-scale texture (value-noise fBm) defined in continuous coordinates, so a sub-pixel translation of
 * it is exact: rendering T(x − dx, y − dy) is the same texture moved by (dx, dy), with no resampling error.
 */
import { seeded } from './helpers';

export type Texture = (x: number, y: number) => number;

function hash2(seed: number, ix: number, iy: number): number {
  let h = Math.imul(ix, 374761393) ^ Math.imul(iy, 668265263) ^ Math.imul(seed, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Bicubic-smoothstep value noise on an integer lattice, values in [0, 1). */
function valueNoise(seed: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const top = hash2(seed, x0, y0) * (1 - sx) + hash2(seed, x0 + 1, y0) * sx;
  const bottom = hash2(seed, x0, y0 + 1) * (1 - sx) + hash2(seed, x0 + 1, y0 + 1) * sx;
  return top * (1 - sy) + bottom * sy;
}

/** fBm: octaves from `period` pixels down to ~2 px, amplitude halving per octave; output roughly in [0, 1]. */
export function fbm(seed: number, period = 16, octaves = 4): Texture {
  const random = seeded(seed);
  const offsets = Array.from({ length: octaves }, () => [random() * 1000, random() * 1000]);
  return (x, y) => {
    let sum = 0;
    let norm = 0;
    let amplitude = 1;
    let scale = 1 / period;
    for (let o = 0; o < octaves; o++) {
      sum += amplitude * valueNoise(seed + o, x * scale + offsets[o][0], y * scale + offsets[o][1]);
      norm += amplitude;
      amplitude *= 0.5;
      scale *= 2;
    }
    return sum / norm;
  };
}

/** A colour texture: three independent fBm fields mapped into [lo, hi]. */
export function colourTexture(seed: number, lo = 0.1, hi = 0.9, period = 16): (x: number, y: number) => [number, number, number] {
  const fields = [fbm(seed, period), fbm(seed + 101, period), fbm(seed + 202, period)];
  // fBm values concentrate around 0.5; stretch by 2 around it and clamp so contrast is strong.
  const map = (v: number) => Math.min(hi, Math.max(lo, 0.5 + (v - 0.5) * 2 * (hi - lo)));
  return (x, y) => [map(fields[0](x, y)), map(fields[1](x, y)), map(fields[2](x, y))];
}

/** Planar RGB float32 image of a colour texture sampled at pixel centres shifted by (dx, dy): out(x) = T(x − d). */
export function renderTexture(texture: (x: number, y: number) => [number, number, number], width: number, height: number, dx = 0, dy = 0): Float32Array {
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = texture(x - dx, y - dy);
      for (let c = 0; c < 3; c++) out[c * n + y * width + x] = rgb[c];
    }
  }
  return out;
}
