/** Colour transforms used by the edits: a 3x4 matrix (3x3 mix + offset) on linear-in-file RGB values in [0, 1]. */

export type Rgb = readonly [number, number, number];

/** Row-major 3x4: out_r = m0*r + m1*g + m2*b + m3, and so on for g (m4..m7) and b (m8..m11). */
export type ColourMatrix = readonly [
  number, number, number, number,
  number, number, number, number,
  number, number, number, number,
];

export const IDENTITY_MATRIX: ColourMatrix = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

/** Rotation of hue about the grey axis by `degrees`, optionally scaling saturation (1 = unchanged). */
export function hueRotation(degrees: number, saturation = 1): ColourMatrix {
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const k = 1 / 3;
  const q = Math.sqrt(k);
  // Rodrigues rotation about (1,1,1)/sqrt(3), then saturation scaled around the grey projection.
  const rot = [
    c + (1 - c) * k, (1 - c) * k - q * s, (1 - c) * k + q * s,
    (1 - c) * k + q * s, c + (1 - c) * k, (1 - c) * k - q * s,
    (1 - c) * k - q * s, (1 - c) * k + q * s, c + (1 - c) * k,
  ];
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let col = 0; col < 3; col++) {
      out.push(k + saturation * (rot[r * 3 + col] - k));
    }
    out.push(0);
  }
  return out as unknown as ColourMatrix;
}

/** `second` applied after `first`. */
export function composeMatrices(first: ColourMatrix, second: ColourMatrix): ColourMatrix {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      let v = c === 3 ? second[r * 4 + 3] : 0;
      for (let k = 0; k < 3; k++) v += second[r * 4 + k] * first[k * 4 + c];
      out.push(v);
    }
  }
  return out as unknown as ColourMatrix;
}

/** Applies `m` to interleaved RGB floats in place, clamping to [0, 1]. */
export function applyMatrixInPlace(rgb: Float32Array, m: ColourMatrix): void {
  for (let i = 0; i < rgb.length; i += 3) {
    const r = rgb[i];
    const g = rgb[i + 1];
    const b = rgb[i + 2];
    rgb[i] = clamp01(m[0] * r + m[1] * g + m[2] * b + m[3]);
    rgb[i + 1] = clamp01(m[4] * r + m[5] * g + m[6] * b + m[7]);
    rgb[i + 2] = clamp01(m[8] * r + m[9] * g + m[10] * b + m[11]);
  }
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** '#rrggbb' to an Rgb in [0, 1]. */
export function hex(colour: string): Rgb {
  const v = parseInt(colour.replace('#', ''), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255];
}
