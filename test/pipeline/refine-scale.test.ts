/**
 * The scale gate on the direct refinement against the anchor (correspondence.ts): the edit's scale read from the
 * frame→anchor flow, the trust it leaves the refinement, and the fall-back on the chain's flow.
 */
import { describe, expect, it } from 'vitest';
import { fallBackOnInit, refineTrust } from '../../client/engine/pipeline/correspondence';
import { editLogScale } from '../../client/engine/pipeline/tracked-edit';

const [width, height] = [40, 30];
const pixels = width * height;

/** Flow of a frame that shows the anchor magnified `zoom` times about (cx, cy): anchor(p) = c + (p − c) / zoom. */
function zoomFlow(zoom: number, cx = 20, cy = 15): Float32Array {
  const flow = new Float32Array(2 * pixels);
  for (let i = 0; i < pixels; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    flow[i] = cx + (x - cx) / zoom - x;
    flow[pixels + i] = cy + (y - cy) / zoom - y;
  }
  return flow;
}

const everywhere = new Float32Array(pixels).fill(1);
const confident = new Float32Array(pixels).fill(1);

describe('editLogScale', () => {
  it('reads the area ratio, frame over anchor, of a zoom either way', () => {
    expect(editLogScale(zoomFlow(2), confident, everywhere, width, height)).toBeCloseTo(Math.log(4), 4);
    expect(editLogScale(zoomFlow(0.8), confident, everywhere, width, height)).toBeCloseTo(Math.log(0.64), 4);
    expect(editLogScale(new Float32Array(2 * pixels), confident, everywhere, width, height)).toBeCloseTo(0, 6);
  });

  it('counts only confidently chained pixels that land on the edit, away from motion edges', () => {
    // The edit is the anchor's left half; the frame's left half zooms 2×, its right half does not move.
    const mask = Float32Array.from({ length: pixels }, (_, i) => (i % width < 20 ? 1 : 0));
    const flow = zoomFlow(2, 10, 15);
    for (let i = 0; i < pixels; i++) {
      if (i % width >= 20) {
        flow[i] = 0;
        flow[pixels + i] = 0;
      }
    }
    expect(editLogScale(flow, confident, mask, width, height)).toBeCloseTo(Math.log(4), 4);
    // Without confidence there is nothing to read.
    expect(editLogScale(flow, new Float32Array(pixels).fill(0.4), mask, width, height)).toBeNull();
    // Nor with an edit too small to hold SCALE_SAMPLES pixels with their neighbours.
    const speck = new Float32Array(pixels);
    for (const i of [15 * width + 10, 15 * width + 11, 16 * width + 10]) speck[i] = 1;
    expect(editLogScale(zoomFlow(1.5), confident, speck, width, height)).toBeNull();
  });
});

describe('refineTrust', () => {
  it('trusts the refinement near the anchor scale, not far from it, either way, and when the scale is unknown', () => {
    expect(refineTrust(null)).toBe(1);
    expect(refineTrust(0)).toBe(1);
    expect(refineTrust(Math.log(1.25))).toBe(1);
    expect(refineTrust(Math.log(4))).toBe(0);
    expect(refineTrust(-Math.log(4))).toBe(0);
    const between = refineTrust(Math.log(1.6));
    expect(between).toBeGreaterThan(0);
    expect(between).toBeLessThan(1);
    expect(refineTrust(-Math.log(1.6))).toBeCloseTo(between, 12);
  });
});

describe('fallBackOnInit', () => {
  it('moves flow and residual towards the initial ones by 1 − trust, in place', () => {
    const refined = { flow: Float32Array.of(1, 2, 3, 4), residual: Float32Array.of(0.1, 0.1, 0.2, 0.2) };
    const init = Float32Array.of(3, 2, 1, 0);
    const initResidual = Float32Array.of(0.5, 0.3, 0.2, 0.6);
    fallBackOnInit(refined, init, initResidual, 0.25);
    expect(Array.from(refined.flow)).toEqual([2.5, 2, 1.5, 1]);
    expect(Array.from(refined.residual).map((v) => +v.toFixed(6))).toEqual([0.4, 0.25, 0.2, 0.5]);
    const untouched = { flow: Float32Array.of(1, 2), residual: Float32Array.of(0.1, 0.2) };
    fallBackOnInit(untouched, Float32Array.of(9, 9), Float32Array.of(9, 9), 1);
    expect(Array.from(untouched.flow)).toEqual([1, 2]);
  });
});
