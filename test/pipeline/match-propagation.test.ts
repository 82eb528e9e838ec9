/** PatchMatch-style propagation of good correspondences (match-propagation.ts), against plain references. */
import { describe, expect, it } from 'vitest';
import { flowJacobian, patchCost, propagateMatches } from '../../client/engine/pipeline/match-propagation';
import { sampleBilinear } from '../../client/engine/pipeline/raster';
import { colourTexture, renderTexture } from '../models/texture';

const [W, H] = [64, 48];
const N = W * H;
const WHOLE = { x: 0, y: 0, width: W, height: H };

/** A textured image (3 planes): the models' tests' procedural colour texture. */
function texture(seed: number): Float32Array {
  return renderTexture(colourTexture(seed), W, H);
}

/** The frame that sees `anchor` through `flow` (frame(x) = anchor(x + flow(x)), bilinear). */
function frameThrough(anchor: Float32Array, flow: Float32Array): Float32Array {
  const frame = new Float32Array(3 * N);
  for (let c = 0; c < 3; c++) {
    const plane = anchor.subarray(c * N, (c + 1) * N);
    for (let i = 0; i < N; i++) frame[c * N + i] = sampleBilinear(plane, W, H, (i % W) + flow[i], Math.floor(i / W) + flow[N + i]);
  }
  return frame;
}

/** Flow of a rotation by `degrees` about (cx, cy) plus a shift: maps each frame pixel to its anchor point. */
function rotationFlow(degrees: number, cx: number, cy: number, shiftX: number, shiftY: number): Float32Array {
  const a = (degrees * Math.PI) / 180;
  const flow = new Float32Array(2 * N);
  for (let i = 0; i < N; i++) {
    const x = i % W;
    const y = Math.floor(i / W);
    flow[i] = cx + Math.cos(a) * (x - cx) - Math.sin(a) * (y - cy) + shiftX - x;
    flow[N + i] = cy + Math.sin(a) * (x - cx) + Math.cos(a) * (y - cy) + shiftY - y;
  }
  return flow;
}

describe('flowJacobian', () => {
  it('is exact for an affine flow, at the border too', () => {
    const flow = rotationFlow(20, 30, 20, 2, -1);
    const [xx, xy, yx, yy] = flowJacobian(flow, W, H, WHOLE);
    const a = (20 * Math.PI) / 180;
    for (const i of [0, W - 1, N - 1, 17 * W + 33]) {
      expect(xx[i]).toBeCloseTo(Math.cos(a) - 1, 4);
      expect(xy[i]).toBeCloseTo(-Math.sin(a), 4);
      expect(yx[i]).toBeCloseTo(Math.sin(a), 4);
      expect(yy[i]).toBeCloseTo(Math.cos(a) - 1, 4);
    }
  });

  it('leaves pixels outside the box at zero', () => {
    const [xx] = flowJacobian(rotationFlow(20, 30, 20, 0, 0), W, H, { x: 10, y: 10, width: 11, height: 11 });
    expect(xx[5 * W + 5]).toBe(0);
    expect(xx[15 * W + 15]).not.toBe(0);
  });
});

describe('patchCost', () => {
  const anchor = texture(1);
  const motion = { fx: 1.3, fy: -0.6, jxx: 0.05, jxy: -0.1, jyx: 0.1, jyy: 0.05 };

  it('matches a direct computation: the anchor patch scaled by the gain, then variance of the difference plus a quarter of its squared mean', () => {
    const frame = texture(2);
    const [x, y] = [20, 15];
    for (const gain of [1, 0.8]) {
      let expected = 0;
      for (let c = 0; c < 3; c++) {
        const differences: number[] = [];
        for (const dy of [-2, 0, 2]) {
          for (const dx of [-2, 0, 2]) {
            const a = sampleBilinear(anchor.subarray(c * N, (c + 1) * N), W, H, x + dx + motion.fx + motion.jxx * dx + motion.jxy * dy, y + dy + motion.fy + motion.jyx * dx + motion.jyy * dy);
            differences.push(frame[c * N + (y + dy) * W + x + dx] - gain * a);
          }
        }
        const mean = differences.reduce((s, d) => s + d, 0) / differences.length;
        const variance = differences.reduce((s, d) => s + (d - mean) ** 2, 0) / differences.length;
        expected += variance + 0.25 * mean * mean;
      }
      expect(patchCost(frame, anchor, W, H, x, y, motion, gain)).toBeCloseTo(expected / 3, 6);
    }
  });

  it('at the right gain, ignores a change of light on the surface', () => {
    const flow = rotationFlow(0, 0, 0, 1.3, -0.6);
    const frame = frameThrough(anchor, flow);
    const still = { fx: 1.3, fy: -0.6, jxx: 0, jxy: 0, jyx: 0, jyy: 0 };
    const wrong = { ...still, fx: 3.3 };
    for (const light of [0.7, 1.4]) {
      const relit = frame.map((v) => v * light);
      expect(patchCost(relit, anchor, W, H, 30, 20, still, light)).toBeLessThan(1e-10);
      expect(patchCost(relit, anchor, W, H, 30, 20, wrong, light)).toBeGreaterThan(1e-4);
      // Compared in raw colours instead, the true motion no longer matches.
      expect(patchCost(relit, anchor, W, H, 30, 20, still)).toBeGreaterThan(1e-4);
    }
  });

  it('is zero for the true motion and grows with a wrong one', () => {
    const flow = rotationFlow(0, 0, 0, 1.3, -0.6);
    const frame = frameThrough(anchor, flow);
    const still = { fx: 1.3, fy: -0.6, jxx: 0, jxy: 0, jyx: 0, jyy: 0 };
    expect(patchCost(frame, anchor, W, H, 30, 20, still)).toBeLessThan(1e-10);
    expect(patchCost(frame, anchor, W, H, 30, 20, { ...still, fx: 3.3 })).toBeGreaterThan(1e-4);
  });
});

describe('propagateMatches', () => {
  const anchor = texture(3);

  it('carries a rotating surface’s motion into a strip whose motion was wrong', () => {
    const truth = rotationFlow(25, 32, 24, 3, 1);
    const frame = frameThrough(anchor, truth);
    const flow = truth.slice();
    const doubtful = new Uint8Array(N);
    for (let i = 0; i < N; i++) {
      const x = i % W;
      const y = Math.floor(i / W);
      if (x >= 40 && x < 50 && y >= 8 && y < 40) {
        flow[i] -= 6; // another layer's motion, six pixels off
        flow[N + i] += 2;
        doubtful[i] = 1;
      }
    }
    const adopted = propagateMatches(frame, anchor, flow, doubtful, W, H);
    expect(adopted).toBeGreaterThan(0);
    let worst = 0;
    for (let i = 0; i < N; i++) if (doubtful[i]) worst = Math.max(worst, Math.hypot(flow[i] - truth[i], flow[N + i] - truth[N + i]));
    expect(worst).toBeLessThan(0.05);
  });

  it('under a change of light, given its gain, keeps a surface’s true motion and still mends a wrong strip', () => {
    const truth = rotationFlow(25, 32, 24, 3, 1);
    const frame = frameThrough(anchor, truth).map((v) => v * 0.75);
    const flow = truth.slice();
    // The whole surface is in doubt (its match quality fell with the light), a strip of it rightly so.
    const doubtful = new Uint8Array(N).fill(1);
    for (let i = 0; i < N; i++) {
      const x = i % W;
      const y = Math.floor(i / W);
      if (x >= 40 && x < 50 && y >= 8 && y < 40) {
        flow[i] -= 6;
        flow[N + i] += 2;
      }
    }
    const raw = flow.slice();
    propagateMatches(frame, anchor, flow, doubtful, W, H, 0.75);
    const errors: number[] = [];
    for (let y = 4; y < H - 4; y++) for (let x = 4; x < W - 4; x++) errors.push(Math.hypot(flow[y * W + x] - truth[y * W + x], flow[N + y * W + x] - truth[N + y * W + x]));
    // Away from the border (clamped samples), no pixel is taken off its true motion.
    expect(Math.max(...errors)).toBeLessThan(0.05);
    // Matched in raw colours, wrong patches of the right brightness win and the motion is scrambled.
    propagateMatches(frame, anchor, raw, doubtful, W, H);
    let worst = 0;
    for (let y = 4; y < H - 4; y++) for (let x = 4; x < W - 4; x++) worst = Math.max(worst, Math.hypot(raw[y * W + x] - truth[y * W + x], raw[N + y * W + x] - truth[N + y * W + x]));
    expect(worst).toBeGreaterThan(1);
  });

  it('stops at a motion edge: each layer keeps its own motion', () => {
    // Left of x = 32 the content moves by (+3, 0), right of it by (−2, +1); the right layer's first 6 columns were
    // given the left layer's motion.
    const truth = new Float32Array(2 * N);
    for (let i = 0; i < N; i++) {
      const right = i % W >= 32;
      truth[i] = right ? -2 : 3;
      truth[N + i] = right ? 1 : 0;
    }
    const frame = frameThrough(anchor, truth);
    const flow = truth.slice();
    const doubtful = new Uint8Array(N);
    for (let i = 0; i < N; i++) {
      const x = i % W;
      if (x >= 26 && x < 38) doubtful[i] = 1; // both sides of the edge are in doubt
      if (x >= 32 && x < 38) {
        flow[i] = 3;
        flow[N + i] = 0;
      }
    }
    propagateMatches(frame, anchor, flow, doubtful, W, H);
    let wrong = 0;
    // Two columns each side of the edge see both layers in their patch; judge the columns beyond.
    for (let i = 0; i < N; i++) {
      const x = i % W;
      const y = Math.floor(i / W);
      if (y < 3 || y >= H - 3 || (x >= 30 && x < 34) || !doubtful[i]) continue;
      if (Math.hypot(flow[i] - truth[i], flow[N + i] - truth[N + i]) > 0.05) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('reaches a surface’s part across an occluding band', () => {
    // One rotating surface, crossed by a 12-column band that moves on its own (an occluder, tracked). Everything
    // right of the band was re-acquired wrongly as a whole: no neighbour of it has the surface's motion except
    // across the band.
    const surface = rotationFlow(20, 32, 24, 2, 1);
    const truth = surface.slice();
    for (let i = 0; i < N; i++) {
      const x = i % W;
      if (x >= 20 && x < 32) {
        truth[i] = -5;
        truth[N + i] = 3;
      }
    }
    const frame = frameThrough(anchor, truth);
    const flow = truth.slice();
    const doubtful = new Uint8Array(N);
    for (let i = 0; i < N; i++) {
      const x = i % W;
      if (x >= 32) {
        flow[i] += 7;
        flow[N + i] -= 4;
        doubtful[i] = 1;
      }
    }
    propagateMatches(frame, anchor, flow, doubtful, W, H);
    let fixed = 0;
    let total = 0;
    for (let i = 0; i < N; i++) {
      // Judge pixels whose patch lands inside the anchor (the rotation carries the bottom rows off it) and does not
      // reach into the band (the first two columns see both layers).
      const [tx, ty] = [(i % W) + truth[i], Math.floor(i / W) + truth[N + i]];
      if (!doubtful[i] || i % W < 34 || tx < 2 || ty < 2 || tx > W - 3 || ty > H - 3) continue;
      total++;
      if (Math.hypot(flow[i] - truth[i], flow[N + i] - truth[N + i]) < 0.1) fixed++;
    }
    expect(total).toBeGreaterThan(200);
    expect(fixed / total).toBeGreaterThan(0.95);
  });

  it('leaves a correct field as it is', () => {
    const truth = rotationFlow(10, 20, 20, -2, 1);
    const frame = frameThrough(anchor, truth);
    const flow = truth.slice();
    expect(propagateMatches(frame, anchor, flow, new Uint8Array(N).fill(1), W, H)).toBe(0);
    expect(flow).toEqual(truth);
  });

  it('does nothing without doubtful pixels', () => {
    const flow = rotationFlow(10, 20, 20, -2, 1);
    const before = flow.slice();
    expect(propagateMatches(texture(4), anchor, flow, new Uint8Array(N), W, H)).toBe(0);
    expect(flow).toEqual(before);
  });
});
