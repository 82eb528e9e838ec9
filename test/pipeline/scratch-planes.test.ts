/**
 * The render thread's reusable planes (tensors.ts ScratchPlanes): a name gives the same memory back while it is big
 * enough, so bands and frames do not allocate (and page-fault) afresh, and a larger request gets a larger plane.
 */
import { describe, expect, it } from 'vitest';
import { ScratchPlanes } from '../../client/engine/pipeline/tensors';

describe('ScratchPlanes', () => {
  it('hands out the same memory for a name, of exactly the length asked, and grows when asked for more', () => {
    const scratch = new ScratchPlanes();
    const first = scratch.take('colour', 12);
    first.fill(7);
    const smaller = scratch.take('colour', 8);
    expect(smaller.length).toBe(8);
    expect(smaller.buffer).toBe(first.buffer); // reused, old contents kept
    expect(smaller[0]).toBe(7);
    const other = scratch.take('alpha', 8);
    expect(other.buffer).not.toBe(first.buffer); // names never share memory
    const larger = scratch.take('colour', 20);
    expect(larger.length).toBe(20);
    expect(larger.buffer).not.toBe(first.buffer);
    expect(scratch.take('colour', 20).buffer).toBe(larger.buffer);
  });
});
