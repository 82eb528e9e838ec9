/** Least-squares fit of one 3x4 colour matrix (what a compositor's "match colour" does), solved by OpenCV. */
import type { OpenCv } from './opencv';

/** Row-major 3x4: out_c = m[c*4] r + m[c*4+1] g + m[c*4+2] b + m[c*4+3], values in [0, 255]. */
export type Matrix3x4 = number[];

/** Fits edited ≈ M · [original; 1] over pixels where mask > 127. Identity when the mask is empty. */
export function fitColourMatrix(cv: OpenCv, original: Uint8Array, edited: Uint8Array, mask: Uint8Array): Matrix3x4 {
  // Normal equations: (A^T A) X = A^T B with A rows [r g b 1] (scaled to [0,1]) and B rows the edited colour.
  const ata = new Float64Array(16);
  const atb = new Float64Array(12);
  let count = 0;
  const row = [0, 0, 0, 1];
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] <= 127) continue;
    const i = p * 3;
    row[0] = original[i] / 255;
    row[1] = original[i + 1] / 255;
    row[2] = original[i + 2] / 255;
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) ata[a * 4 + b] += row[a] * row[b];
      for (let c = 0; c < 3; c++) atb[a * 3 + c] += row[a] * (edited[i + c] / 255);
    }
    count++;
  }
  if (count < 4) return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
  const A = cv.matFromArray(4, 4, cv.CV_64F, Array.from(ata));
  const B = cv.matFromArray(4, 3, cv.CV_64F, Array.from(atb));
  const X = new cv.Mat();
  try {
    cv.solve(A, B, X, cv.DECOMP_SVD);
    const x = X.data64F; // 4x3: column c holds the coefficients for output channel c
    const m: Matrix3x4 = [];
    for (let c = 0; c < 3; c++) m.push(x[0 * 3 + c], x[1 * 3 + c], x[2 * 3 + c], x[3 * 3 + c] * 255);
    return m;
  } finally {
    A.delete();
    B.delete();
    X.delete();
  }
}
