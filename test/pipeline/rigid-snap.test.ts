/**
 * Snapping stray paint to the edit's consensus motion (pipeline/rigid-snap.ts): the motion is found under outliers,
 * a stray correspondence on painted content takes it, and nothing else changes: colour edits, edits that do not move
 * as one piece, pixels whose correspondence does not land on the edit.
 */
import { describe, expect, it } from 'vitest';
import type { ChainAnchor, FlowGrid } from '../../client/engine/pipeline/anchor-model';
import type { ChainState } from '../../client/engine/pipeline/correspondence';
import { consensusMotion, snapStrayPaint } from '../../client/engine/pipeline/rigid-snap';

const [width, height] = [48, 40];
const pixels = width * height;
const grid: FlowGrid = { width, height, scaleX: 1, scaleY: 1 };

/** The anchor's edit: a 20×16 box at (14, 12). */
const editMask = Float32Array.from({ length: pixels }, (_, i) => {
  const [x, y] = [i % width, Math.floor(i / width)];
  return x >= 14 && x < 34 && y >= 12 && y < 28 ? 1 : 0;
});

/** A frame that shows the anchor rotated by 4° and shifted by (−3, 2): frame→anchor flow, an affine field. */
const motion = { x: [3 - 0.2, -0.0024, 0.0698] as [number, number, number], y: [-2 + 0.6, -0.0698, -0.0024] as [number, number, number] };
function rigidFlow(): Float32Array {
  const flow = new Float32Array(2 * pixels);
  for (let i = 0; i < pixels; i++) {
    const [x, y] = [i % width, Math.floor(i / width)];
    flow[i] = motion.x[0] + motion.x[1] * x + motion.x[2] * y;
    flow[pixels + i] = motion.y[0] + motion.y[1] * x + motion.y[2] * y;
  }
  return flow;
}

/** Pixels of the frame whose rigid flow lands on the edit. */
function onEdit(flow: Float32Array): number[] {
  const inside: number[] = [];
  for (let i = 0; i < pixels; i++) {
    const [x, y] = [Math.round((i % width) + flow[i]), Math.round(Math.floor(i / width) + flow[pixels + i])];
    if (x >= 0 && y >= 0 && x < width && y < height && editMask[y * width + x] > 0) inside.push(i);
  }
  return inside;
}

function anchorWith(explained: number): ChainAnchor {
  return { maskLow: editMask, explainedLow: Float32Array.from(editMask, (m) => (m > 0 ? explained : 1)) } as ChainAnchor;
}

const painted = anchorWith(0);
const confident = new Float32Array(pixels).fill(1);

/** Moves `share` of the edit's pixels (every k-th of those that stay on it) by `by` pixels along x. */
function strayed(flow: Float32Array, share: number, by: number): { flow: Float32Array; moved: number[] } {
  const out = flow.slice();
  const staysOnEdit = (i: number) => Math.round((i % width) + flow[i] + by) < 34;
  const moved = onEdit(flow).filter(staysOnEdit).filter((_, k) => k % Math.round(1 / share) === 0);
  for (const i of moved) out[i] += by;
  return { flow: out, moved };
}

describe('consensusMotion', () => {
  it('recovers the affine motion of a rigid edit, and its share, under 20% outliers', () => {
    const { flow } = strayed(rigidFlow(), 0.2, 3);
    const found = consensusMotion(flow, confident, editMask, width, height)!;
    expect(found.share).toBeGreaterThan(0.75);
    expect(found.share).toBeLessThan(0.85);
    for (let k = 0; k < 3; k++) {
      expect(found.field.x[k]).toBeCloseTo(motion.x[k], 4);
      expect(found.field.y[k]).toBeCloseTo(motion.y[k], 4);
    }
  });

  it('finds no consensus when half the edit moves one way and half another', () => {
    const { flow } = strayed(rigidFlow(), 0.5, 2); // every other pixel slides 2 px along the anchor's edit
    expect(consensusMotion(flow, confident, editMask, width, height)!.share).toBeLessThan(0.6);
  });

  it('needs enough confidently tracked pixels', () => {
    expect(consensusMotion(rigidFlow(), new Float32Array(pixels).fill(0.2), editMask, width, height)).toBeNull();
  });
});

describe('snapStrayPaint', () => {
  const state = (flow: Float32Array, conf = confident): ChainState => ({ index: 5, flow, conf });

  it('gives stray pixels on painted content the consensus motion, and leaves the rest bit-exact', () => {
    const truth = rigidFlow();
    const { flow, moved } = strayed(truth, 0.1, 2.5);
    const snapped = snapStrayPaint(grid, painted, state(flow));
    for (const i of moved) {
      expect(snapped[i]).toBeCloseTo(truth[i], 3);
      expect(snapped[pixels + i]).toBeCloseTo(truth[pixels + i], 3);
    }
    const movedSet = new Set(moved);
    let changed = 0;
    for (let i = 0; i < pixels; i++) if (!movedSet.has(i) && (snapped[i] !== flow[i] || snapped[pixels + i] !== flow[pixels + i])) changed++;
    expect(changed).toBe(0);
    expect(flow).toEqual(strayed(truth, 0.1, 2.5).flow); // the state's own flow is not modified
  });

  it('leaves paint alone that does not move with a larger colour edit around it', () => {
    // The designer graded the whole (static) frame and painted the box, which moves rigidly.
    // Background where the box was in the anchor is revealed, and unsure.
    const truth = rigidFlow();
    const { flow: wandering, moved } = strayed(truth, 0.1, 2.5);
    const onBox = new Set(onEdit(truth));
    for (let i = 0; i < pixels; i++) if (!onBox.has(i)) wandering[i] = wandering[pixels + i] = 0;
    const conf = Float32Array.from({ length: pixels }, (_, i) => (onBox.has(i) || editMask[i] === 0 ? 1 : 0.2));
    // The grade covers a 37×32 region around the box: the box is 27% of the edit, so the edit counts as painted.
    const graded = Float32Array.from({ length: pixels }, (_, i) => (i % width >= 5 && i % width < 42 && i >= 4 * width && i < 36 * width ? 1 : 0));
    const anchor = { maskLow: graded, explainedLow: Float32Array.from(editMask, (m) => 1 - m) } as ChainAnchor;
    // Over the whole edit, the static background is the consensus; snapped to it, the paint would stop moving.
    const consensus = consensusMotion(wandering, conf, anchor.maskLow, width, height)!;
    expect(consensus.share).toBeGreaterThanOrEqual(0.7);
    expect(consensus.field.x[0]).toBeCloseTo(0, 3);
    expect(moved.length).toBeGreaterThan(10);
    expect(snapStrayPaint(grid, anchor, state(wandering, conf))).toBe(wandering);
  });

  it('leaves a colour edit, an edit without consensus and pixels off the edit alone', () => {
    const { flow } = strayed(rigidFlow(), 0.1, 2.5);
    expect(snapStrayPaint(grid, anchorWith(1), state(flow))).toBe(flow);
    // A colour edit with a residue its colour model does not explain (a fifth of it, on its left): not painted.
    const residue = { maskLow: editMask, explainedLow: Float32Array.from(editMask, (m, i) => (m > 0 && i % width < 18 ? 0 : 1)) } as ChainAnchor;
    expect(snapStrayPaint(grid, residue, state(flow))).toBe(flow);

    const split = strayed(rigidFlow(), 0.5, 2).flow;
    expect(snapStrayPaint(grid, painted, state(split))).toBe(split);

    // An occluder in front of the edit: its correspondence lands beside the edit, so it keeps it.
    const occluded = rigidFlow();
    const occluder: number[] = [];
    for (const i of onEdit(occluded)) {
      if (i % width >= 20 && i % width < 23) {
        occluded[i] = -(i % width); // lands on the anchor's left border column, off the edit
        occluder.push(i);
      }
    }
    const snapped = snapStrayPaint(grid, painted, state(occluded));
    for (const i of occluder) expect(snapped[i]).toBe(occluded[i]);
  });
});
