/** The forward bilinear splat behind coverage and claims (correspondence.ts), against a direct reference. */
import { describe, expect, it } from 'vitest';
import { splat } from '../../client/engine/pipeline/correspondence';

/** Each pixel's weight spread over the four grid points around where it lands, dropped outside the grid. */
function splatReference(flow: Float32Array, weights: Float32Array | null, width: number, height: number): Float64Array {
  const pixels = width * height;
  const hits = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const w = weights ? weights[i] : 1;
    if (w <= 0) continue;
    const tx = (i % width) + flow[i];
    const ty = Math.floor(i / width) + flow[pixels + i];
    for (const [px, py] of [[Math.floor(tx), Math.floor(ty)], [Math.floor(tx) + 1, Math.floor(ty)], [Math.floor(tx), Math.floor(ty) + 1], [Math.floor(tx) + 1, Math.floor(ty) + 1]]) {
      if (px < 0 || py < 0 || px >= width || py >= height) continue;
      hits[py * width + px] += w * (1 - Math.abs(tx - px)) * (1 - Math.abs(ty - py));
    }
  }
  return hits;
}

describe('splat', () => {
  const [width, height] = [13, 9];
  const pixels = width * height;
  // Motions up to ±4 px, so pixels land inside, across and beyond every border.
  const flow = Float32Array.from({ length: 2 * pixels }, (_, k) => 4 * Math.sin(1.7 * k + 0.3));
  const weights = Float32Array.from({ length: pixels }, (_, i) => (i % 5 === 0 ? 0 : 0.5 + 0.5 * Math.cos(i)));

  it.each([
    ['unit weights', null],
    ['given weights (zeros skipped)', weights],
  ])('matches the reference with %s', (_, given) => {
    const got = splat(flow, given, width, height);
    const want = splatReference(flow, given, width, height);
    for (let i = 0; i < pixels; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  it('keeps the total weight of pixels that land well inside', () => {
    const still = new Float32Array(2 * pixels).fill(0.25);
    const total = splat(still, null, width, height).reduce((a, b) => a + b, 0);
    // Every pixel but those of the last row and column lands wholly inside the grid.
    expect(total).toBeGreaterThan((width - 1) * (height - 1));
    expect(total).toBeLessThanOrEqual(pixels);
  });
});
