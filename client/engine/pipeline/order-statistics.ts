/** Order statistics of large samples, without sorting them. */

/**
 * The value at position `k` of `values` once sorted ascending, found by quickselect in O(n) (a full sort of the
 * ~80k tracked pixels of an edit over a whole 1080p frame cost ~15 ms per link). Reorders `values` in place.
 */
export function selectKth(values: Float64Array, k: number): number {
  if (k < 0 || k >= values.length) throw new RangeError(`selectKth: position ${k} is outside 0..${values.length - 1}`);
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    // Median of three as the pivot: it lies within [lo, hi]'s values, so both scans below stop inside the range.
    const a = values[lo];
    const b = values[(lo + hi) >> 1];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    // Now values[lo..j] ≤ pivot ≤ values[i..hi], and everything between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/** The upper median: the value at position ⌊n/2⌋ of `values` once sorted (reorders `values` in place). */
export function medianOf(values: Float64Array): number {
  return selectKth(values, values.length >> 1);
}
