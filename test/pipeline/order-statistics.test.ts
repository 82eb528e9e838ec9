/** Quickselect must give exactly what a full sort gives, duplicates and all. */
import { describe, expect, it } from 'vitest';
import { medianOf, selectKth } from '../../client/engine/pipeline/order-statistics';
import { seeded } from '../models/helpers';

describe('order statistics', () => {
  it.each([1, 2, 3, 10, 101, 4096])('selectKth equals the sorted array at every probed position (n = %i)', (n) => {
    const random = seeded(n);
    // Few distinct values in half the cases: runs of equal values are where partition schemes go wrong.
    const values = Float64Array.from({ length: n }, () => (n % 2 ? Math.round(random() * 5) : random() * 100 - 50));
    const sorted = values.slice().sort();
    for (const k of new Set([0, n >> 1, n - 1, Math.floor(n / 3), Math.floor((2 * n) / 3)])) {
      expect(selectKth(values.slice(), k), `k = ${k}`).toBe(sorted[k]);
    }
    expect(medianOf(values.slice())).toBe(sorted[n >> 1]);
  });

  it('refuses a position outside the values', () => {
    expect(() => selectKth(new Float64Array(3), 3)).toThrow(RangeError);
    expect(() => medianOf(new Float64Array(0))).toThrow(RangeError);
  });
});
