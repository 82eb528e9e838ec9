/**
 * Known colour edits for the real clips. Each is a per-pixel function of the frame's own colour, applied inside
 * (or outside) that frame's real object mask, so the ground truth is exact on real motion, light and occlusion.
 */
export interface RealEdit {
  name: string;
  description: string;
  /** Which side of the object mask the edit applies to. */
  region: 'inside' | 'outside';
  /** Edits one pixel in place (8-bit values in, 8-bit values out). */
  apply(rgb: Uint8Array, i: number): void;
}

function matrixEdit(m: number[]): (rgb: Uint8Array, i: number) => void {
  return (rgb, i) => {
    const r = rgb[i];
    const g = rgb[i + 1];
    const b = rgb[i + 2];
    for (let c = 0; c < 3; c++) rgb[i + c] = clampByte(m[c * 4] * r + m[c * 4 + 1] * g + m[c * 4 + 2] * b + m[c * 4 + 3]);
  };
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

export const REAL_EDITS: readonly RealEdit[] = [
  {
    name: 'recolour-inside',
    description: 'a 3x4 colour matrix (hue shift toward teal, a little more saturation) on the object',
    region: 'inside',
    apply: matrixEdit([0.55, 0.3, 0.15, -6, 0.1, 0.95, 0.2, 4, 0.05, 0.35, 0.9, 18]),
  },
  {
    name: 'grade-outside',
    description: 'a warm, slightly contrasty grade of everything but the object',
    region: 'outside',
    apply: matrixEdit([1.15, 0.05, -0.04, -6, 0.0, 1.05, -0.02, -3, -0.05, 0.0, 0.85, -4]),
  },
  {
    name: 'key-inside',
    description: 'a luminance-keyed tint on the object: only its bright parts turn magenta (not one global matrix)',
    region: 'inside',
    apply: (rgb, i) => {
      const luma = (0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]) / 255;
      const t = Math.min(1, Math.max(0, (luma - 0.35) / 0.3));
      const w = t * t * (3 - 2 * t);
      const target = [rgb[i] * 1.1 + 25, rgb[i + 1] * 0.6, rgb[i + 2] * 1.05 + 30];
      for (let c = 0; c < 3; c++) rgb[i + c] = clampByte(rgb[i + c] + (target[c] - rgb[i + c]) * w);
    },
  },
];

/** The ground-truth frame: `edit` applied to `source` where the mask selects `edit.region`. */
export function applyRealEdit(edit: RealEdit, source: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(source);
  const wantInside = edit.region === 'inside';
  for (let p = 0; p < mask.length; p++) {
    if ((mask[p] !== 0) === wantInside) edit.apply(out, p * 3);
  }
  return out;
}
