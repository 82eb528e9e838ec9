/**
 * Graph building blocks (models/src/ops.ts, Graph.box) against the plain loops in reference.ts, each built alone
 * into a tiny graph and run in onnxruntime (CPU).
 *
 * Tolerances: the graphs compute in float32, the references in float64. Sums of ≤ 49 values in [0, 1] round to
 * ~1e-7 relative, so averages match to 1e-5. Warps lose ~W·6e-8 px of coordinate precision through the
 * normalise/denormalise round trip of GridSample (~2e-6 px at these sizes); with image slopes ≤ 1 per px that is
 * well inside 2e-5. Matching features divide by sqrt(variance + 4e-4) ≥ 0.02, magnifying the float32 cancellation
 * in E[x²] − E[x]² (≈ 6e-8) to ≈ 3e-6 and up: 1e-4 bounds it.
 */
import { describe, expect, it } from 'vitest';
import { Graph } from '../../models/src/onnx/graph';
import { cropUpsampler, downsample2, matchingFeatures, median3, padEdge, resizeLike, shifted, upsample2, warp } from '../../models/src/ops';
import { randomPlanes, runGraph, seeded } from './helpers';
import {
  at,
  bilinearClamped,
  boxMeanRef,
  downsample2Ref,
  matchingFeaturesRef,
  maxAbsDiff,
  median3Ref,
  resizeRef,
  warpRef,
} from './reference';

const W = 24;
const H = 16;

describe('graph building blocks vs plain-TypeScript references', () => {
  it.each([1, 2, 3])('box filter radius %i (AveragePool, padding not counted) is the windowed mean', async (radius) => {
    const x = randomPlanes(seeded(radius), 2, W, H);
    const g = new Graph('box');
    g.output('y', g.box(g.input('x', [1, 2, 'H', 'W']), radius), [1, 2, 'H', 'W']);
    const { y } = await runGraph(g, { x });
    expect(maxAbsDiff(y.data, boxMeanRef(x, radius).data)).toBeLessThan(1e-5);
    // Corners average fewer pixels than the interior: a padded-with-zeros mean would be darker there.
    const corner = (radius + 1) * (radius + 1);
    let sum = 0;
    for (let yy = 0; yy <= radius; yy++) for (let xx = 0; xx <= radius; xx++) sum += at(x, 0, xx, yy);
    expect(y.data[0]).toBeCloseTo(sum / corner, 5);
  });

  it('warp samples src(x + flow) bilinearly and clamps to the border', async () => {
    const random = seeded(7);
    const src = randomPlanes(random, 3, W, H);
    // Up to 6 px each way: many samples fall outside the image and must take the border value.
    const flow = randomPlanes(random, 2, W, H, -6, 6);
    const g = new Graph('warp');
    g.output('y', warp(g, g.input('src', [1, 3, 'H', 'W']), g.input('flow', [1, 2, 'H', 'W'])), [1, 3, 'H', 'W']);
    const { y } = await runGraph(g, { src, flow });
    expect(maxAbsDiff(y.data, warpRef(src, flow).data)).toBeLessThan(2e-5);
  });

  it('warp by an integer flow is an exact shift', async () => {
    const src = randomPlanes(seeded(8), 1, W, H);
    const flow = { data: new Float32Array(2 * W * H), channels: 2, width: W, height: H };
    flow.data.fill(2, 0, W * H); // dx = 2
    flow.data.fill(-1, W * H); // dy = -1
    const g = new Graph('shift');
    g.output('y', warp(g, g.input('src', [1, 1, 'H', 'W']), g.input('flow', [1, 2, 'H', 'W'])), [1, 1, 'H', 'W']);
    const { y } = await runGraph(g, { src, flow });
    // GridSample takes positions in float32 units of half the side: a whole-pixel position comes back within a few
    // 1e-7 of the side (measured here: 5e-6 px), so "exact" means within 2e-5; a wrong tap or half-pixel slip is off
    // by ~0.1.
    for (let yy = 1; yy < H; yy++) for (let xx = 0; xx < W - 2; xx++) expect(Math.abs(y.data[yy * W + xx] - at(src, 0, xx + 2, yy - 1))).toBeLessThan(2e-5);
  });

  it('upsample2 is bilinear with half-pixel centres (edge clamped)', async () => {
    const x = randomPlanes(seeded(9), 2, 12, 8);
    const g = new Graph('up');
    g.output('y', upsample2(g, g.input('x', [1, 2, 'h', 'w'])), [1, 2, 'H', 'W']);
    const { y } = await runGraph(g, { x });
    expect(y.dims).toEqual([1, 2, 16, 24]);
    expect(maxAbsDiff(y.data, resizeRef(x, 24, 16).data)).toBeLessThan(1e-5);
  });

  it('resizeLike resizes to another tensor\'s size by a non-integer ratio', async () => {
    const random = seeded(10);
    const x = randomPlanes(random, 3, 12, 8);
    const like = randomPlanes(random, 1, 40, 28);
    const g = new Graph('resize');
    g.output('y', resizeLike(g, g.input('x', [1, 3, 'h', 'w']), g.input('like', [1, 1, 'H', 'W'])), [1, 3, 'H', 'W']);
    const { y } = await runGraph(g, { x, like });
    expect(y.dims).toEqual([1, 3, 28, 40]);
    expect(maxAbsDiff(y.data, resizeRef(x, 40, 28).data)).toBeLessThan(1e-5);
  });

  it('downsample2 averages 2×2 blocks', async () => {
    const x = randomPlanes(seeded(11), 2, W, H);
    const g = new Graph('down');
    g.output('y', downsample2(g, g.input('x', [1, 2, 'H', 'W'])), [1, 2, 'h', 'w']);
    const { y } = await runGraph(g, { x });
    expect(y.dims).toEqual([1, 2, H / 2, W / 2]);
    expect(maxAbsDiff(y.data, downsample2Ref(x).data)).toBeLessThan(1e-6);
  });

  it.each([[0, 0], [2, -1], [-2, 2], [1, 1]])('shifted(padEdge(x)) by (%i, %i) reads x(p + d) with edges replicated', async (dx, dy) => {
    const x = randomPlanes(seeded(12), 1, W, H);
    const g = new Graph('shifted');
    const input = g.input('x', [1, 1, 'H', 'W']);
    g.output('y', shifted(g, padEdge(g, input, 2), 2, dx, dy), [1, 1, 'H', 'W']);
    const { y } = await runGraph(g, { x });
    expect(y.dims).toEqual([1, 1, H, W]);
    for (let yy = 0; yy < H; yy++) {
      for (let xx = 0; xx < W; xx++) {
        const sx = Math.min(Math.max(xx + dx, 0), W - 1);
        const sy = Math.min(Math.max(yy + dy, 0), H - 1);
        expect(y.data[yy * W + xx]).toBe(at(x, 0, sx, sy));
      }
    }
  });

  it('matchingFeatures: locally standardised Y/colour-difference channels plus scaled colour', async () => {
    const random = seeded(13);
    const rgb = randomPlanes(random, 3, W, H);
    // A flat patch: its standardised channels must fall to ~0 instead of amplifying noise.
    for (let c = 0; c < 3; c++) for (let yy = 4; yy < 12; yy++) for (let xx = 4; xx < 14; xx++) rgb.data[(c * H + yy) * W + xx] = 0.3 + 0.2 * c;
    const g = new Graph('features');
    g.output('y', matchingFeatures(g, g.input('rgb', [1, 3, 'H', 'W']), 2), [1, 6, 'H', 'W']);
    const { y } = await runGraph(g, { rgb });
    const reference = matchingFeaturesRef(rgb, 2);
    expect(y.dims).toEqual([1, 6, H, W]);
    expect(maxAbsDiff(y.data, reference.data)).toBeLessThan(1e-4);
    for (let c = 0; c < 3; c++) expect(Math.abs(y.data[(c * H + 8) * W + 8])).toBeLessThan(1e-3);
  });

  it('median3 (TopK over 9 shifted copies) is the middle of the 9 sorted values, per channel', async () => {
    const x = randomPlanes(seeded(14), 2, W, H, -5, 5);
    const g = new Graph('median');
    g.output('y', median3(g, g.input('x', [1, 2, 'H', 'W']), 2), [1, 2, 'H', 'W']);
    const { y } = await runGraph(g, { x });
    // TopK selects one of the inputs: no arithmetic, so the match is exact.
    expect(maxAbsDiff(y.data, median3Ref(x).data)).toBe(0);
  });
  it.each([
    { x: 0, y: 0, width: 35, height: 26 },
    { x: 9, y: 4, width: 13, height: 7 },
    { x: 34, y: 25, width: 1, height: 1 },
    // As long as the edge-padded field on both axes (16 + 2, 12 + 2): onnxruntime's Resize ignores the roi there.
    { x: 7, y: 5, width: 18, height: 14 },
    { x: 0, y: 12, width: 35, height: 14 },
  ])('cropUpsampler equals bilinear sampling at the crop pixels\' flow-resolution coordinates, clamped (%o)', async (crop) => {
    // A 35×26 frame over a 16×12 field: non-integer scales, as chooseFlowGrid gives for most frame sizes.
    const field = randomPlanes(seeded(77), 3, 16, 12);
    const scale = [35 / 16, 26 / 12];
    const g = new Graph('upsample');
    const fieldInput = g.input('field', [1, 3, 'h', 'w']);
    const out = cropUpsampler(g, fieldInput, g.input('like', [1, 1, 'H', 'W']), g.input('origin', [1, 2, 1, 1]), g.input('scale', [1, 2, 1, 1]))(fieldInput);
    g.output('y', out, [1, 3, 'H', 'W']);
    const { y } = await runGraph(g, {
      field,
      like: { data: new Float32Array(crop.width * crop.height), channels: 1, width: crop.width, height: crop.height },
      origin: { data: Float32Array.of(crop.x, crop.y), channels: 2, width: 1, height: 1 },
      scale: { data: Float32Array.from(scale), channels: 2, width: 1, height: 1 },
    });
    expect(y.dims).toEqual([1, 3, crop.height, crop.width]);
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      for (let yy = 0; yy < crop.height; yy++) {
        for (let xx = 0; xx < crop.width; xx++) {
          const expected = bilinearClamped(field, c, (xx + crop.x + 0.5) / scale[0] - 0.5, (yy + crop.y + 0.5) / scale[1] - 0.5);
          worst = Math.max(worst, Math.abs(y.data[(c * crop.height + yy) * crop.width + xx] - expected));
        }
      }
    }
    expect(worst).toBeLessThan(2e-5);
  });
});
