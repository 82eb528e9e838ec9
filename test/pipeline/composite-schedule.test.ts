/** Pure stages: blending and compositing (composite.ts), segment planning (schedule.ts), progress ETA. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { interleave } from '../../client/engine/io/images';
import { blendLayers, composite, compositeSamples, finalAlpha, layerStats, type EditLayer } from '../../client/engine/pipeline/composite';
import { ProgressTracker } from '../../client/engine/pipeline/progress';
import { chainWalksOf, linkEnd, planSegments, temporalWeight } from '../../client/engine/pipeline/schedule';
import { certaintyOf, transferConfidence } from '../../client/engine/pipeline/transfer';
import type { EngineEvent } from '../../client/shared/protocol';
import { seeded } from '../models/helpers';

const [W, H] = [16, 12];
const N = W * H;

function randomArray(random: () => number, length: number): Float32Array {
  return Float32Array.from({ length }, () => random());
}

const full = { x: 0, y: 0, width: W, height: H };
const layerOf = (rgb: Float32Array, alpha: Float32Array, rect = full): EditLayer => ({ frameWidth: W, frameHeight: H, rect, rgb, alpha });

describe('composite', () => {
  it('copies alpha-0 pixels bit-exactly, takes the layer at alpha 1, mixes linearly between', () => {
    const random = seeded(61);
    // Values that are not exactly representable after arithmetic: any recomputation would change their bits.
    const source = { width: W, height: H, bitDepth: 8 as const, data: randomArray(random, 3 * N) };
    const alpha = Float32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : random()));
    const layer = layerOf(randomArray(random, 3 * N), alpha);
    const out = composite(source, layer);
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < 3; c++) {
        const k = c * N + i;
        if (alpha[i] === 0) expect(Object.is(out.data[k], source.data[k])).toBe(true);
        else expect(out.data[k]).toBeCloseTo(source.data[k] * (1 - alpha[i]) + layer.rgb[k] * alpha[i], 6);
      }
    }
    expect(source.data).not.toBe(out.data); // the source is not modified in place
  });

  it('a layer over a sub-rectangle changes nothing outside it', () => {
    const random = seeded(63);
    const source = { width: W, height: H, bitDepth: 8 as const, data: randomArray(random, 3 * N) };
    const rect = { x: 2, y: 1, width: 3, height: 2 };
    const out = composite(source, layerOf(new Float32Array(3 * 6).fill(0.25), new Float32Array(6).fill(1), rect));
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 2 && x < 5 && y >= 1 && y < 3;
        for (let c = 0; c < 3; c++) {
          const k = c * N + y * W + x;
          if (inside) expect(out.data[k]).toBeCloseTo(0.25, 6);
          else expect(Object.is(out.data[k], source.data[k])).toBe(true);
        }
      }
    }
  });

  for (const bitDepth of [8, 16] as const) {
    it(`compositeSamples (${bitDepth}-bit) writes exactly what finalAlpha + composite + interleave would, from the file's own samples, with layerStats' figures`, () => {
      const random = seeded(65 + bitDepth);
      const max = bitDepth === 16 ? 65535 : 255;
      const fileSamples = bitDepth === 16 ? new Uint16Array(3 * N) : new Uint8Array(3 * N);
      for (let k = 0; k < fileSamples.length; k++) fileSamples[k] = Math.floor(random() * (max + 1));
      const data = new Float32Array(3 * N);
      for (let i = 0; i < N; i++) for (let c = 0; c < 3; c++) data[c * N + i] = fileSamples[3 * i + c] / max;
      const source = { width: W, height: H, bitDepth, data, fileSamples };
      const rect = { x: 3, y: 2, width: 9, height: 7 };
      const n = rect.width * rect.height;
      // Some alphas under the floor, some over 1 (a blend can overshoot), zeros and ones.
      const alpha = Float32Array.from({ length: n }, (_, i) => [0, 1, 0.001, 1.2][i % 5] ?? random());
      const layer = layerOf(Float32Array.from({ length: 3 * n }, () => random() * 1.2 - 0.1), alpha, rect);
      const frameMask = Float32Array.from({ length: N }, (_, p) => (p % 7 === 0 ? 0 : 1));
      for (const mask of [undefined, frameMask]) {
        const fast = compositeSamples(source, layer, mask)!;
        const final = finalAlpha(layer, mask);
        expect(fast.image.channels).toBe(3);
        expect(Array.from(fast.image.samples)).toEqual(Array.from(interleave(composite(source, final), bitDepth).samples));
        expect(fast.stats).toEqual(layerStats(final));
        expect(Array.from(fast.image.samples).some((v, k) => v !== fileSamples[k])).toBe(true); // the layer did change pixels
        expect(fast.image.samples).not.toBe(fileSamples);
      }
    });
  }

  it('compositeSamples needs the file samples, and composite does not pass them on (its data is no longer the file)', () => {
    const source = { width: W, height: H, bitDepth: 8 as const, data: new Float32Array(3 * N) };
    const layer = layerOf(new Float32Array(3 * N).fill(1), new Float32Array(N).fill(1));
    expect(compositeSamples(source, layer)).toBeNull();
    expect(composite({ ...source, fileSamples: new Uint8Array(3 * N) }, layer).fileSamples).toBeUndefined();
  });

  it('finalAlpha zeroes alpha below half a code value (so those pixels stay bit-exact) and honours a frame mask', () => {
    const rect = { x: 0, y: 0, width: 4, height: 1 };
    const layer = { frameWidth: 4, frameHeight: 1, rect, rgb: new Float32Array(3 * 4), alpha: Float32Array.of(0.5 / 255 - 1e-6, 0.5 / 255, 0.7, 1.2) };
    expect(Array.from(finalAlpha(layer).alpha)).toEqual([0, Math.fround(0.5 / 255), Math.fround(0.7), 1]);
    expect(Array.from(finalAlpha(layer, Float32Array.of(1, 1, 0, 1)).alpha)).toEqual([0, Math.fround(0.5 / 255), 0, 1]);
  });
});

describe('blendLayers', () => {
  const sure = () => 1;
  const lost = () => 0;
  const edit = (alpha: number) => layerOf(new Float32Array(3 * N).fill(0.8), new Float32Array(N).fill(alpha));
  const none = () => layerOf(new Float32Array(3 * N), new Float32Array(N));

  it('where every anchor carries the edit, takes the strongest alpha and the alpha·weight-weighted mean colour', () => {
    const random = seeded(62);
    const layers = [0.5, 0.2].map((weight) => ({ weight, certainty: sure, layer: layerOf(randomArray(random, 3 * N), randomArray(random, N).map((a) => a + 0.01)) }));
    const out = blendLayers(layers);
    for (let i = 0; i < N; i++) {
      const [a, b] = layers.map((l) => l.layer.alpha[i]);
      expect(out.alpha[i]).toBe(Math.max(a, b));
      const [wa, wb] = [a * 0.5, b * 0.2];
      for (let c = 0; c < 3; c++) {
        const k = c * N + i;
        expect(out.rgb[k]).toBeCloseTo((wa * layers[0].layer.rgb[k] + wb * layers[1].layer.rgb[k]) / (wa + wb), 5);
      }
    }
  });

  it('no anchor carrying the edit gives alpha 0', () => {
    expect(blendLayers([{ layer: none(), weight: 0.5, certainty: sure }, { layer: none(), weight: 0.5, certainty: lost }]).alpha.every((a) => a === 0)).toBe(true);
  });

  it('an anchor lost where the other carries the edit leaves that alpha as it is, however much it weighs', () => {
    const out = blendLayers([{ layer: edit(0.7), weight: 0.1, certainty: sure }, { layer: none(), weight: 0.9, certainty: lost }]);
    expect(out.alpha.every((a) => Math.abs(a - 0.7) < 1e-6)).toBe(true);
    expect(out.rgb[0]).toBeCloseTo(0.8, 6);
  });

  it('an anchor sure there is no edit scales the strongest alpha down by its share of the weight, as far as it is sure', () => {
    const far = { layer: edit(1), weight: 0.1, certainty: sure };
    expect(blendLayers([far, { layer: none(), weight: 0.9, certainty: sure }]).alpha[5]).toBeCloseTo(0.1, 6);
    // Half sure: dissent 0.45 against support 0.1.
    expect(blendLayers([far, { layer: none(), weight: 0.9, certainty: () => 0.5 }]).alpha[5]).toBeCloseTo(0.1 / 0.55, 6);
    // Colour still comes only from the anchor that carries the edit.
    expect(blendLayers([far, { layer: none(), weight: 0.9, certainty: sure }]).rgb[5]).toBeCloseTo(0.8, 6);
  });

  it('an anchor with a partial alpha does not dissent: along an edge the strongest alpha stands', () => {
    expect(blendLayers([{ layer: edit(1), weight: 0.1, certainty: sure }, { layer: edit(0.2), weight: 0.9, certainty: sure }]).alpha[0]).toBe(1);
  });

  it('certainty is asked at full-frame pixel coordinates, only where some layer carries the edit', () => {
    const a = layerOf(new Float32Array(3).fill(0.2), Float32Array.of(1), { x: 0, y: 0, width: 1, height: 1 });
    const b = layerOf(new Float32Array(3).fill(0.6), Float32Array.of(1), { x: 2, y: 1, width: 1, height: 1 });
    const asked: string[] = [];
    const onlyRightColumn = (x: number, y: number) => {
      asked.push(`${x},${y}`);
      return x === 2 ? 1 : 0;
    };
    const out = blendLayers([{ layer: a, weight: 1, certainty: onlyRightColumn }, { layer: b, weight: 1, certainty: onlyRightColumn }]);
    expect(out.rect).toEqual({ x: 0, y: 0, width: 3, height: 2 });
    // (0,0): a claims it, b is not sure there: a's alpha. (2,1): b claims it, a is sure it is not: half.
    expect(Array.from(out.alpha)).toEqual([1, 0, 0, 0, 0, 0.5]);
    expect(out.rgb[0]).toBeCloseTo(0.2, 6);
    expect(out.rgb[5]).toBeCloseTo(0.6, 6);
    expect([...new Set(asked)].sort()).toEqual(['0,0', '2,1']);
  });

  it('a single layer passes through unchanged', () => {
    const layer = layerOf(new Float32Array(3 * N).fill(0.3), new Float32Array(N).fill(0.4));
    expect(blendLayers([{ layer, weight: 1, certainty: sure }])).toBe(layer);
  });
});

describe('certaintyOf', () => {
  it("is the chain confidence upsampled at full-resolution pixel centres, on the transfer's trust ramp (0.15 → 0.5)", () => {
    const grid = { width: 4, height: 2, scaleX: 4, scaleY: 4 };
    const conf = Float32Array.of(0.15, 0.325, 0.5, 0.9, 0.15, 0.325, 0.5, 0.9);
    const certainty = certaintyOf(grid, conf);
    // Full-resolution pixel 1 is at flow x = (1 + 0.5) / 4 - 0.5 = -0.125: clamped onto cell 0.
    expect(certainty(1, 1)).toBeCloseTo(0, 6);
    expect(certainty(5, 1)).toBeCloseTo(0.4375, 5); // 5.5 / 4 - 0.5 = cell 0.875: conf 0.15 + 0.875 · 0.175, 0.4375 up the ramp
    expect(certainty(6, 1)).toBeCloseTo((0.15 + 1.125 * 0.175 - 0.15) / 0.35, 5);
    expect(certainty(10, 5)).toBe(1);
    expect(certainty(15, 7)).toBe(1);
  });
});

describe('transferConfidence', () => {
  it('withdraws trust from an unsure pixel landing on anchor content that confident pixels claim, and only there', () => {
    const grid = { width: 8, height: 1, scaleX: 1, scaleY: 1 };
    // Columns 0–3 tracked in place (they claim anchor columns 0–3). Column 5 is unsure and lands on claimed column 1
    // (background revealed behind the object); column 6 is unsure and lands on unclaimed column 6; column 7 is sure
    // and lands on column 1 too.
    const conf = Float32Array.of(1, 1, 1, 1, 0, 0.3, 0.3, 0.9);
    const flow = new Float32Array(16);
    flow[5] = -4;
    flow[7] = -6;
    const trust = transferConfidence(grid, { index: 2, flow, conf });
    expect(Array.from(trust.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(trust[5]).toBe(0);
    expect(trust[6]).toBeCloseTo(0.3, 6);
    expect(trust[7]).toBeCloseTo(0.9, 6);
  });
});

describe('planSegments', () => {
  it('covers head, between and tail segments for anchors 3 and 8 of 12 frames', () => {
    const plan = planSegments(12, [8, 3], [0, 11]);
    expect(plan.anchorFrames).toEqual([3, 8]);
    expect(plan.segments).toEqual([
      { fromLeft: null, fromRight: 3, first: 0, last: 2, render: [0, 1, 2] },
      { fromLeft: 3, fromRight: 8, first: 4, last: 7, render: [4, 5, 6, 7] },
      { fromLeft: 8, fromRight: null, first: 9, last: 11, render: [9, 10, 11] },
    ]);
  });

  it('a range keeps each segment\'s bounds (so results do not depend on the range) and renders only the range', () => {
    const plan = planSegments(12, [3, 8], [5, 9]);
    expect(plan.anchorFrames).toEqual([8]);
    expect(plan.segments).toEqual([
      { fromLeft: 3, fromRight: 8, first: 4, last: 7, render: [5, 6, 7] },
      { fromLeft: 8, fromRight: null, first: 9, last: 11, render: [9] },
    ]);
  });

  it('anchors at the ends give no empty head or tail; adjacent anchors give no empty middle', () => {
    expect(planSegments(6, [0, 1, 5], [0, 5]).segments).toEqual([{ fromLeft: 1, fromRight: 5, first: 2, last: 4, render: [2, 3, 4] }]);
  });

  it('every frame of any range is rendered exactly once, as an anchor or in one segment', () => {
    const random = seeded(63);
    for (let trial = 0; trial < 200; trial++) {
      const count = 1 + Math.floor(random() * 30);
      const anchors = [...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * count)))];
      const a = Math.floor(random() * count);
      const b = Math.floor(random() * count);
      const range: [number, number] = [Math.min(a, b), Math.max(a, b)];
      const plan = planSegments(count, anchors, range);
      const rendered = [...plan.anchorFrames, ...plan.segments.flatMap((s) => s.render)].sort((x, y) => x - y);
      const expected = Array.from({ length: range[1] - range[0] + 1 }, (_, k) => range[0] + k);
      expect(rendered).toEqual(expected);
      for (const s of plan.segments) {
        // A segment's chain anchors sit right outside it.
        if (s.fromLeft !== null) expect(s.first).toBe(s.fromLeft + 1);
        if (s.fromRight !== null) expect(s.last).toBe(s.fromRight - 1);
      }
    }
  });

  it('chainWalksOf: the backward chain first where two anchors serve; each walk links one frame beyond what it renders', () => {
    const [middle, tail] = planSegments(12, [3, 8], [5, 9]).segments;
    expect(chainWalksOf(middle)).toEqual([
      { anchor: 8, direction: -1, last: 5, segmentEnd: 4 },
      { anchor: 3, direction: 1, last: 7, segmentEnd: 7 },
    ]);
    expect(chainWalksOf(tail)).toEqual([{ anchor: 8, direction: 1, last: 9, segmentEnd: 11 }]);
    // One frame past `last` where the segment goes on (smoothing needs it); never past the segment.
    expect(chainWalksOf(middle).map(linkEnd)).toEqual([4, 7]);
    expect(chainWalksOf(tail).map(linkEnd)).toEqual([10]);
    expect(chainWalksOf(planSegments(12, [3], [0, 2]).segments[0]).map(linkEnd)).toEqual([0]);
  });

  it('temporalWeight decreases with distance', () => {
    expect(temporalWeight(5, 5)).toBe(1);
    expect(temporalWeight(5, 3)).toBeGreaterThan(temporalWeight(5, 9));
  });
});

describe('ProgressTracker', () => {
  afterEach(() => vi.useRealTimers());

  it('reports ETA from the measured rate', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    const events: EngineEvent[] = [];
    const tracker = new ProgressTracker(10, (e) => events.push(e));
    tracker.start('starting');
    vi.setSystemTime(new Date('2025-01-01T00:00:02Z'));
    tracker.frameDone('one');
    vi.setSystemTime(new Date('2025-01-01T00:00:04Z'));
    tracker.frameDone('two');
    expect(events[0]).toMatchObject({ event: 'progress', done: 0, total: 10, etaSeconds: null });
    expect(events[1]).toMatchObject({ done: 1, total: 10, etaSeconds: 18 }); // 2 s per frame × 9 left
    expect(events[2]).toMatchObject({ done: 2, total: 10, etaSeconds: 16 });
  });
});
