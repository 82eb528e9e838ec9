/**
 * The shipped stage models (chain, temporal, transfer, restore; built by the registry exactly as the engine loads
 * them) against the plain-TypeScript references in reference.ts, on small random inputs.
 *
 * Tolerance 1e-4: every output is a short chain of warps (≤ 2e-5 each, see ops.test.ts), resizes, box means and
 * products of values of order 1–10 computed in float32; 1e-4 is ~5× the worst float32 error measured and still
 * far below any real defect (a wrong tap, axis, constant or clamp moves outputs by ≥ 1e-2).
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../models/src/registry';
import { AGREEMENT_SIGMA } from '../../models/src/temporal';
import { randomPlanes, runGraph, seeded, smoothPlanes } from './helpers';
import { flowBoxOf } from '../../client/engine/pipeline/transfer';
import { at, bilinearClamped, chainRef, make, maxAbsDiff, restoreRef, temporalRef, transferRef, type Planes } from './reference';

const W = 32;
const H = 24;
const TOLERANCE = 1e-4;

function constant(channels: number, value: number, width = W, height = H): Planes {
  return { data: new Float32Array(channels * width * height).fill(value), channels, width, height };
}

describe('chain model vs reference', () => {
  it('composes step + chain(x + step), takes min confidence, fills broken pixels from confident neighbours', async () => {
    const random = seeded(21);
    const step = smoothPlanes(random, 2, W, H, -3, 3);
    // Back flow: the exact inverse of a uniform-ish step would be -step(x+step); add a patch of garbage so that
    // the consistency check fires there and the fill has something to do.
    const back = smoothPlanes(random, 2, W, H, -3, 3);
    const chainFlow = smoothPlanes(random, 2, W, H, -5, 5);
    const chainConf = randomPlanes(random, 1, W, H, 0, 1);
    const coverage = randomPlanes(random, 1, W, H, 0, 1);
    const { flow, conf } = await runGraph(buildModel('chain'), { step_flow: step, back_flow: back, chain_flow: chainFlow, chain_conf: chainConf, coverage });
    const reference = chainRef(step, back, chainFlow, chainConf, coverage);
    expect(maxAbsDiff(conf.data, reference.conf.data)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(flow.data, reference.flow.data)).toBeLessThan(TOLERANCE);
    // The random back flow must have made both consistent and inconsistent pixels, or the test proves little.
    const zeros = Array.from(conf.data).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(10);
    expect(zeros).toBeLessThan(W * H - 10);
  });

  it('a consistent uniform step keeps the chain confidence (min, not a product) and composes exactly', async () => {
    const step = constant(2, 0);
    step.data.fill(1.5, 0, W * H); // dx = 1.5, dy = 0
    const back = constant(2, 0);
    back.data.fill(-1.5, 0, W * H);
    const chainFlow = smoothPlanes(seeded(22), 2, W, H, -2, 2);
    const chainConf = constant(1, 0.7);
    const coverage = constant(1, 1);
    const { flow, conf } = await runGraph(buildModel('chain'), { step_flow: step, back_flow: back, chain_flow: chainFlow, chain_conf: chainConf, coverage });
    for (const v of conf.data) expect(v).toBeCloseTo(0.7, 6);
    // A pixel with that much confidence keeps its own composed motion: step + chain(x + step), no neighbour blend.
    expect(maxAbsDiff(flow.data, chainRef(step, back, chainFlow, chainConf, coverage).flow.data)).toBeLessThan(TOLERANCE);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W - 2; x++) {
        const i = y * W + x;
        expect(flow.data[i]).toBeCloseTo(1.5 + bilinearClamped(chainFlow, 0, x + 1.5, y), 4);
        expect(flow.data[W * H + i]).toBeCloseTo(bilinearClamped(chainFlow, 1, x + 1.5, y), 4);
      }
    }
  });

  it('uncovered pixels (disocclusion) lose their confidence whatever the chain says', async () => {
    const step = constant(2, 0);
    const back = constant(2, 0);
    const coverage = constant(1, 1);
    for (let i = 0; i < W; i++) coverage.data[5 * W + i] = 0; // row 5 revealed
    const { conf } = await runGraph(buildModel('chain'), { step_flow: step, back_flow: back, chain_flow: constant(2, 0), chain_conf: constant(1, 1), coverage });
    for (let i = 0; i < W * H; i++) expect(conf.data[i]).toBe(Math.floor(i / W) === 5 ? 0 : 1);
  });
});

describe('temporal model vs reference', () => {
  it('own flow, steadied where in doubt by neighbours\' flows carried along the motion that agree with it', async () => {
    const random = seeded(31);
    const inputs: Record<string, Planes> = {
      conf: randomPlanes(random, 1, W, H),
      prev_flow: smoothPlanes(random, 2, W, H, -4, 4),
      prev_conf: randomPlanes(random, 1, W, H),
      to_prev: smoothPlanes(random, 2, W, H, -3, 3),
      next_flow: smoothPlanes(random, 2, W, H, -4, 4),
      next_conf: randomPlanes(random, 1, W, H),
      to_next: smoothPlanes(random, 2, W, H, -3, 3),
    };
    // Own flow: the previous frame's vote give or take up to 0.6 px (so agreement weights span their range), except
    // in the bottom rows, where it disagrees with everything.
    const noise = smoothPlanes(random, 2, W, H, -0.6, 0.6);
    inputs.flow = make(2, W, H, (c, x, y) => {
      if (y >= H - 3) return 9;
      const vote = at(inputs.to_prev, c, x, y) + bilinearClamped(inputs.prev_flow, c, x + at(inputs.to_prev, 0, x, y), y + at(inputs.to_prev, 1, x, y));
      return vote + at(noise, c, x, y);
    });
    const out = await runGraph(buildModel('temporal'), inputs);
    const reference = temporalRef(inputs, AGREEMENT_SIGMA);
    expect(maxAbsDiff(out.flow_out.data, reference.flow.data)).toBeLessThan(TOLERANCE);
    expect(Array.from(out.conf_out.data)).toEqual(Array.from(inputs.conf.data));
    // The votes did move the doubtful pixels that agree, and nothing moved a disagreeing one.
    const moved = (i: number) => Math.abs(out.flow_out.data[i] - inputs.flow.data[i]);
    expect(Math.max(...Array.from({ length: W * (H - 3) }, (_, i) => moved(i)))).toBeGreaterThan(0.05);
    for (let i = W * (H - 3); i < W * H; i++) expect(moved(i)).toBeLessThan(1e-3);
  });
});

describe('transfer model vs reference', () => {
  // Non-integer scales, as chooseFlowGrid gives for most frame sizes. The model gets the frame-side flow-resolution
  // fields over the box the pipeline cuts (flowBoxOf); the reference gets them whole: the results must agree.
  const cases = [
    { frame: [36, 28], grid: [16, 12], crop: { x: 0, y: 0, width: 36, height: 28 } },
    { frame: [36, 28], grid: [16, 12], crop: { x: 7, y: 5, width: 20, height: 15 } },
    { frame: [90, 66], grid: [40, 28], crop: { x: 47, y: 33, width: 17, height: 12 } }, // a box well inside the grid
  ];

  for (const { frame: [fw, fh], grid: [lw, lh], crop } of cases) {
    it(`warps coefficients and gain at flow resolution, applies A·x + b, ramps alpha by confidence (${fw}×${fh}, crop at ${crop.x},${crop.y})`, async () => {
      const random = seeded(41);
      const flowScale: [number, number] = [fw / lw, fh / lh];
      const full = randomPlanes(random, 3, fw, fh);
      const inputs = {
        frame: make(3, crop.width, crop.height, (c, x, y) => full.data[c * fw * fh + (y + crop.y) * fw + x + crop.x]),
        anchor_stack: randomPlanes(random, 5, fw, fh),
        flow: smoothPlanes(random, 2, lw, lh, -3, 3),
        confidence: randomPlanes(random, 1, lw, lh),
        coeffs: smoothPlanes(random, 12, lw, lh, -0.5, 1.5),
        anchor_low: smoothPlanes(random, 3, lw, lh, 0, 1),
        frame_low: smoothPlanes(random, 3, lw, lh, 0, 1),
        fill: randomPlanes(random, 1, lw, lh, 0, 1),
      } as Record<string, Planes>;
      const box = flowBoxOf(crop, { width: lw, height: lh, scaleX: flowScale[0], scaleY: flowScale[1] });
      const inBox = (p: Planes) => make(p.channels, box.width, box.height, (c, x, y) => at(p, c, x + box.x, y + box.y));
      const out = await runGraph(buildModel('transfer'), {
        ...inputs,
        flow: inBox(inputs.flow),
        confidence: inBox(inputs.confidence),
        frame_low: inBox(inputs.frame_low),
        fill: inBox(inputs.fill),
        flow_scale: { data: Float32Array.from(flowScale), channels: 2, width: 1, height: 1 },
        origin: { data: Float32Array.of(crop.x, crop.y), channels: 2, width: 1, height: 1 },
        low_origin: { data: Float32Array.of(box.x, box.y), channels: 2, width: 1, height: 1 },
      });
      const reference = transferRef(inputs, flowScale, [crop.x, crop.y]);
      for (const name of ['colour', 'content', 'explained', 'alpha'] as const) {
        expect(out[name].dims).toEqual([1, reference[name].channels, crop.height, crop.width]);
        expect(maxAbsDiff(out[name].data, reference[name].data), name).toBeLessThan(TOLERANCE);
      }
      // The trust ramp must have been exercised on both clamps and in between.
      const conf = Array.from(inputs.confidence.data);
      expect(conf.some((c) => c < 0.15)).toBe(true);
      expect(conf.some((c) => c > 0.5)).toBe(true);
    });
  }

  it('cuts a real sub-box when the crop is small against the grid', () => {
    const box = flowBoxOf({ x: 47, y: 33, width: 17, height: 12 }, { width: 40, height: 28, scaleX: 90 / 40, scaleY: 66 / 28 });
    expect(box.x).toBeGreaterThan(0);
    expect(box.y).toBeGreaterThan(0);
    expect(box.x + box.width).toBeLessThan(40);
    expect(box.y + box.height).toBeLessThan(28);
  });
});

describe('restore model vs reference', () => {
  it('unsharp 0.3, mix by explained, clamp to the edit range, seam snapping and inward feather of alpha', async () => {
    const random = seeded(51);
    // A blocky alpha (edit inside a rectangle, none outside) over a frame with an edge near its border: the seam
    // filter must move the border, keep zeros far outside exactly zero and the inside at one.
    const alpha = make(1, W, H, (_c, x, y) => (x >= 8 && x < 24 && y >= 6 && y < 18 ? 1 : 0));
    const inputs: Record<string, Planes> = {
      frame: make(3, W, H, (c, x, y) => (x >= 9 ? 0.8 : 0.2) + 0.05 * c + 0.02 * Math.sin(x * 1.7 + y)),
      colour: randomPlanes(random, 3, W, H, -0.2, 1.2),
      content: randomPlanes(random, 3, W, H),
      explained: randomPlanes(random, 1, W, H),
      alpha,
    };
    const editLow = [0.2, 0.1, 0.3];
    const editHigh = [0.8, 0.9, 0.7];
    const out = await runGraph(buildModel('restore'), {
      ...inputs,
      edit_low: { data: Float32Array.from(editLow), channels: 3, width: 1, height: 1 },
      edit_high: { data: Float32Array.from(editHigh), channels: 3, width: 1, height: 1 },
    });
    const reference = restoreRef(inputs, editLow, editHigh);
    expect(maxAbsDiff(out.layer.data, reference.layer.data)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(out.layer_alpha.data, reference.alpha.data)).toBeLessThan(TOLERANCE);
    // Far from the rectangle alpha is exactly 0; deep inside exactly 1.
    expect(out.layer_alpha.data[2 * W + 2]).toBe(0);
    expect(out.layer_alpha.data[20 * W + 30]).toBe(0);
    expect(out.layer_alpha.data[12 * W + 16]).toBe(1);
  });
});
