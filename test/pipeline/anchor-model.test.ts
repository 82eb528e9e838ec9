/** What the pipeline learns from an anchor (client/engine/pipeline/anchor-model.ts), on synthetic edits with known truth. */
import { describe, expect, it } from 'vitest';
import { buildAnchorModel, chooseFlowGrid, deriveEditMask, explainedByColourModel, fitColourModel } from '../../client/engine/pipeline/anchor-model';
import { boundsOf } from '../../client/engine/pipeline/raster';
import type { RgbImage } from '../../client/engine/io/image-types';
import { colourTexture, renderTexture } from '../models/texture';

/** A colour map far from the identity (channels rotated and mixed), so a fit that fell back to I would be caught. */
const A = [
  [0.2, 0.7, 0.1],
  [0.1, 0.2, 0.6],
  [0.6, 0.1, 0.25],
];
const B = [0.05, 0.1, -0.02];

function applyMap(rgb: number[]): number[] {
  return A.map((row, r) => row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2] + B[r]);
}

interface Rect { x0: number; y0: number; x1: number; y1: number } // [x0, x1) × [y0, y1)
const inside = (r: Rect, x: number, y: number) => x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1;

/** Original, edited (A·x + b inside `rect`) and mask. `flat` pixels of the original get one uniform colour. */
function colourEdit(width: number, height: number, rect: Rect, flat: (x: number, y: number) => boolean) {
  const n = width * height;
  const orig = renderTexture(colourTexture(11), width, height);
  const edit = Float32Array.from(orig);
  const mask = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (flat(x, y)) [0.3, 0.55, 0.4].forEach((v, c) => (orig[c * n + i] = edit[c * n + i] = v));
      if (!inside(rect, x, y)) continue;
      mask[i] = 1;
      const mapped = applyMap([orig[i], orig[n + i], orig[2 * n + i]]);
      for (let c = 0; c < 3; c++) edit[c * n + i] = mapped[c];
    }
  }
  return { orig, edit, mask };
}

/** The fitted model at pixel i: A (row-major) and b. */
function modelAt(coeffs: Float32Array, n: number, i: number): { a: number[]; b: number[] } {
  return { a: Array.from({ length: 9 }, (_, k) => coeffs[k * n + i]), b: [0, 1, 2].map((r) => coeffs[(9 + r) * n + i]) };
}

function predict(model: { a: number[]; b: number[] }, rgb: number[]): number[] {
  return [0, 1, 2].map((r) => model.b[r] + model.a[r * 3] * rgb[0] + model.a[r * 3 + 1] * rgb[1] + model.a[r * 3 + 2] * rgb[2]);
}

describe('fitColourModel', () => {
  const [width, height, radius] = [48, 32, 3];
  const n = width * height;
  const rect = { x0: 6, y0: 5, x1: 42, y1: 28 };

  it('recovers a global affine colour map inside the mask on textured content', () => {
    const { orig, edit, mask } = colourEdit(width, height, rect, () => false);
    const coeffs = fitColourModel(orig, edit, mask, width, height, radius);
    let worstPrediction = 0;
    let worstCoefficient = 0;
    for (let y = rect.y0 + radius; y < rect.y1 - radius; y++) {
      for (let x = rect.x0 + radius; x < rect.x1 - radius; x++) {
        const i = y * width + x;
        const model = modelAt(coeffs, n, i);
        const predicted = predict(model, [orig[i], orig[n + i], orig[2 * n + i]]);
        for (let c = 0; c < 3; c++) worstPrediction = Math.max(worstPrediction, Math.abs(predicted[c] - edit[c * n + i]));
        for (let k = 0; k < 9; k++) worstCoefficient = Math.max(worstCoefficient, Math.abs(model.a[k] - A[Math.floor(k / 3)][k % 3]));
      }
    }
    console.log(`colour model, textured: worst prediction error ${worstPrediction.toFixed(4)}, worst |ΔA| ${worstCoefficient.toFixed(3)}`);
    // ≤ 2 code values on the edited colours; the ridge (ε = 1e-3 against local variances of ~1e-2) biases A by ~0.02 (measured).
    expect(worstPrediction).toBeLessThan(2 / 255);
    expect(worstCoefficient).toBeLessThan(0.05);
  });

  it('reproduces the edit exactly on uniform content (one colour: A is underdetermined, A·x + b is not)', () => {
    const { orig, edit, mask } = colourEdit(width, height, rect, (x, y) => inside(rect, x, y));
    const coeffs = fitColourModel(orig, edit, mask, width, height, radius);
    const expected = applyMap([0.3, 0.55, 0.4]);
    for (let y = rect.y0; y < rect.y1; y++) {
      for (let x = rect.x0; x < rect.x1; x++) {
        const predicted = predict(modelAt(coeffs, n, y * width + x), [0.3, 0.55, 0.4]);
        for (let c = 0; c < 3; c++) expect(Math.abs(predicted[c] - expected[c])).toBeLessThan(1e-3);
      }
    }
  });

  it('falls back to the global map in flat windows (so colours the window never showed still map right)', () => {
    // Left part of the edit textured (pins down the global map), right part flat (no local evidence for A).
    const flatFrom = 26;
    const { orig, edit, mask } = colourEdit(width, height, rect, (x, y) => inside(rect, x, y) && x >= flatFrom);
    const coeffs = fitColourModel(orig, edit, mask, width, height, radius);
    const unseen = [0.7, 0.25, 0.6]; // a colour far from the flat patch's (0.3, 0.55, 0.4)
    const truth = applyMap(unseen);
    let worst = 0;
    let worstIdentity = Infinity;
    for (let y = rect.y0 + radius; y < rect.y1 - radius; y++) {
      for (let x = flatFrom + radius; x < rect.x1 - radius; x++) {
        const model = modelAt(coeffs, n, y * width + x);
        const predicted = predict(model, unseen);
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(predicted[c] - truth[c]));
        // How far it is from a fallback to the identity matrix (what a ridge towards I would give).
        worstIdentity = Math.min(worstIdentity, Math.hypot(...model.a.map((v, k) => v - (k % 4 === 0 ? 1 : 0))));
      }
    }
    console.log(`flat windows: worst error on an unseen colour ${worst.toFixed(4)}, min distance of A to I ${worstIdentity.toFixed(3)}`);
    expect(worst).toBeLessThan(0.03);
    expect(worstIdentity).toBeGreaterThan(1);
  });
});

function rgbImage(data: Float32Array, width: number, height: number): RgbImage {
  return { width, height, data, bitDepth: 8 };
}

/** Quantised to 8-bit code values, as frames read from PNG are. */
function quantised(data: Float32Array): Float32Array {
  return data.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255);
}

describe('deriveEditMask', () => {
  it('marks exactly the pixels changed by more than 1.5 code values, closing a pinhole', () => {
    const [width, height] = [40, 30];
    const n = width * height;
    const original = quantised(renderTexture(colourTexture(12), width, height));
    const edited = Float32Array.from(original);
    const rect = { x0: 10, y0: 8, x1: 30, y1: 22 };
    const expected = new Float32Array(n);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (!inside(rect, x, y) || (x === 20 && y === 15)) continue; // (20, 15): edit maps it to itself
        const i = y * width + x;
        edited[n + i] = original[n + i] > 0.5 ? original[n + i] - 20 / 255 : original[n + i] + 20 / 255;
      }
    }
    for (let y = rect.y0; y < rect.y1; y++) for (let x = rect.x0; x < rect.x1; x++) expected[y * width + x] = 1;
    // One code value: JPEG-round-trip noise, not an edit.
    edited[3 * width + 3] = original[3 * width + 3] + (original[3 * width + 3] < 0.5 ? 1 : -1) / 255;
    edited[2 * n + 5 * width + 4] = original[2 * n + 5 * width + 4] + (original[2 * n + 5 * width + 4] < 0.5 ? 1 : -1) / 255;
    // An isolated real edit (2 code values, blue only) far from the rectangle survives the closing.
    edited[2 * n + 3 * width + 36] = original[2 * n + 3 * width + 36] + (original[2 * n + 3 * width + 36] < 0.5 ? 2 : -2) / 255;
    expected[3 * width + 36] = 1;
    const mask = deriveEditMask(rgbImage(original, width, height), rgbImage(edited, width, height));
    const wrong = Array.from(mask).map((v, i) => (v !== expected[i] ? `(${i % width}, ${Math.floor(i / width)})` : '')).filter(Boolean);
    expect(wrong).toEqual([]);
  });
});

describe('explainedByColourModel (through buildAnchorModel)', () => {
  it('is ~1 for a colour edit and ~0 for painted content, and the stack carries the edit and its mask', () => {
    const [width, height] = [64, 48];
    const n = width * height;
    const original = quantised(renderTexture(colourTexture(13), width, height));
    const decal = renderTexture(colourTexture(14, 0.05, 0.95, 3), width, height); // fine, unrelated texture: paint
    const edited = Float32Array.from(original);
    const colourRect = { x0: 4, y0: 6, x1: 28, y1: 42 };
    const paintRect = { x0: 36, y0: 6, x1: 60, y1: 42 };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (inside(colourRect, x, y)) applyMap([original[i], original[n + i], original[2 * n + i]]).forEach((v, c) => (edited[c * n + i] = v));
        if (inside(paintRect, x, y)) for (let c = 0; c < 3; c++) edited[c * n + i] = decal[c * n + i];
      }
    }
    const editedImage = rgbImage(quantised(edited), width, height);
    const grid = chooseFlowGrid(width, height);
    const model = buildAnchorModel(0, rgbImage(original, width, height), editedImage, null, grid);
    const explained = model.stack.subarray(4 * n, 5 * n);
    const meanIn = (r: Rect) => {
      let sum = 0;
      let count = 0;
      for (let y = r.y0 + 3; y < r.y1 - 3; y++) for (let x = r.x0 + 3; x < r.x1 - 3; x++) (sum += explained[y * width + x]), count++;
      return sum / count;
    };
    console.log(`explained: colour edit ${meanIn(colourRect).toFixed(3)}, paint ${meanIn(paintRect).toFixed(3)}`);
    expect(meanIn(colourRect)).toBeGreaterThan(0.9);
    expect(meanIn(paintRect)).toBeLessThan(0.1);
    // Outside the edit there is nothing to explain.
    expect(explained[2 * width + 2]).toBe(1);
    expect(Array.from(model.stack.subarray(0, 3 * n))).toEqual(Array.from(editedImage.data));
    const mask = model.stack.subarray(3 * n, 4 * n);
    expect(mask[20 * width + 10]).toBe(1);
    expect(mask[20 * width + 32]).toBe(0);
    expect(model.coverage).toBeCloseTo((2 * 24 * 36) / n, 2);
  });

  it('computed around the edit only, equals the whole-frame answer', () => {
    const [width, height] = [80, 60];
    const n = width * height;
    const original = quantised(renderTexture(colourTexture(15), width, height));
    const edited = Float32Array.from(original);
    const mask = new Float32Array(n);
    for (let y = 20; y < 34; y++) {
      for (let x = 30; x < 52; x++) {
        const i = y * width + x;
        mask[i] = 1;
        applyMap([original[i], original[n + i], original[2 * n + i]]).forEach((v, c) => (edited[c * n + i] = (x + y) % 3 ? v : 1 - v));
      }
    }
    const grid = chooseFlowGrid(width, height);
    const model = buildAnchorModel(0, rgbImage(original, width, height), rgbImage(edited, width, height), { width, height, data: mask }, grid);
    const whole = explainedByColourModel(rgbImage(original, width, height), rgbImage(edited, width, height), mask, model.coeffs, grid);
    const region = boundsOf(mask, width, height, 2)!;
    expect(region).toEqual({ x: 28, y: 18, width: 26, height: 18 });
    const local = explainedByColourModel(rgbImage(original, width, height), rgbImage(edited, width, height), mask, model.coeffs, grid, region);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(local[i] - whole[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(Math.min(...whole.subarray(20 * width + 30, 20 * width + 52))).toBeLessThan(0.9); // the test edits something
    expect(Array.from(model.stack.subarray(4 * n, 5 * n))).toEqual(Array.from(local));
  });

  it('carries a painted edit only where the designer changed pixels, however generous the given mask', () => {
    const [width, height] = [64, 48];
    const n = width * height;
    const original = quantised(renderTexture(colourTexture(16), width, height));
    const edited = Float32Array.from(original);
    const mask = new Float32Array(n);
    for (let y = 8; y < 40; y++) for (let x = 8; x < 56; x++) mask[y * width + x] = 1; // the whole object, say
    for (let y = 20; y < 28; y++) for (let x = 24; x < 40; x++) for (let c = 0; c < 3; c++) edited[c * n + y * width + x] = c === 2 ? 1 : 0.1; // a blue decal
    const model = buildAnchorModel(0, rgbImage(original, width, height), rgbImage(edited, width, height), { width, height, data: mask }, chooseFlowGrid(width, height));
    const carried = model.stack.subarray(3 * n, 4 * n);
    expect(carried[24 * width + 30]).toBeGreaterThan(0.9); // on the decal
    expect(carried[24 * width + 23]).toBeGreaterThan(0.9); // one pixel of fringe
    const explained = model.stack.subarray(4 * n, 5 * n);
    // Inside the mask, untouched: no content is carried there. Where the colour model explains the (identity) edit,
    // its colour path may still apply it to the frame's own pixel; near the decal it cannot, and nothing is carried.
    for (const i of [24 * width + 20, 24 * width + 21, 12 * width + 12, 30 * width + 30]) {
      expect(carried[i] - explained[i] * 1).toBeLessThanOrEqual(1e-6);
    }
    expect(explained[24 * width + 21]).toBeLessThan(0.99); // so the old rule (carry all of the mask) would differ
    expect(model.mask[12 * width + 12]).toBe(1); // the anchor frame itself still shows the designer's mask
  });
});
