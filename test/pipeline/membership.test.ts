/** Colour membership for lost pixels, the boundary completion and the colour veto (membership.ts), and the edit-zone test of re-acquisition (correspondence.ts). */
import { describe, expect, it } from 'vitest';
import { landsIn } from '../../client/engine/pipeline/tracked-edit';
import { applyColourVeto, completeAtBoundary, learnColourLikelihood, learnColourOdds, membershipFill } from '../../client/engine/pipeline/membership';

const [W, H] = [80, 20];
const N = W * H;

/** Three planes: red where `red(x)`, else grey. */
function picture(red: (x: number) => boolean): Float32Array {
  const planes = new Float32Array(3 * N);
  for (let i = 0; i < N; i++) {
    const isRed = red(i % W);
    planes[i] = isRed ? 0.9 : 0.5;
    planes[N + i] = isRed ? 0.1 : 0.5;
    planes[2 * N + i] = isRed ? 0.1 : 0.5;
  }
  return planes;
}

describe('learnColourLikelihood', () => {
  it('is the posterior of the anchor, and leans on the edited share for colours it barely saw', () => {
    // 3/4 of the anchor is red and edited, 1/4 grey and untouched; no blue anywhere.
    const anchor = picture((x) => x < 60);
    const mask = Float32Array.from({ length: N }, (_, i) => (i % W < 60 ? 1 : 0));
    const likelihood = learnColourLikelihood(anchor, mask, N);
    const bin = (r: number, g: number, b: number) => (Math.floor(r * 16) * 16 + Math.floor(g * 16)) * 16 + Math.floor(b * 16);
    expect(likelihood[bin(0.9, 0.1, 0.1)]).toBeGreaterThan(0.99);
    expect(likelihood[bin(0.5, 0.5, 0.5)]).toBeLessThan(0.05); // 400 grey pixels outweigh the prior of 10
    expect(likelihood[bin(0.1, 0.1, 0.9)]).toBeCloseTo(0.75, 5);
  });
});

describe('colour veto', () => {
  const bin = (r: number, g: number, b: number) => (Math.floor(r * 16) * 16 + Math.floor(g * 16)) * 16 + Math.floor(b * 16);
  /** Anchor: red on the left 40 columns (edited), grey on the rest (untouched), a few grey pixels inside the edit. */
  const anchor = picture((x) => x < 40);
  const mask = Float32Array.from({ length: N }, (_, i) => (i % W < 40 ? 1 : 0));
  for (const i of [5, 6, 7]) for (let c = 0; c < 3; c++) anchor[c * N + i] = 0.5;

  it('learns odds far below 1 for colours seen almost only outside the edit, 1 for colours never seen', () => {
    const odds = learnColourOdds(anchor, mask, N);
    expect(odds[bin(0.9, 0.1, 0.1)]).toBeGreaterThan(100); // red: edited
    expect(odds[bin(0.5, 0.5, 0.5)]).toBeCloseTo(3 / 800 / (800 / 800), 3); // grey: 3 of the 800 edited, all 800 kept
    expect(odds[bin(0.1, 0.1, 0.9)]).toBeCloseTo(1, 5); // blue: nowhere
  });

  it('takes alpha away from colours the edit never had, leaves edited and unseen colours alone', () => {
    const odds = learnColourOdds(anchor, mask, N);
    const frame = picture((x) => x < 20); // red left, grey right
    for (let i = 0; i < N; i++) if (i % W >= 70) [frame[i], frame[N + i], frame[2 * N + i]] = [0.1, 0.1, 0.9]; // blue strip
    const alpha = new Float32Array(N).fill(0.8);
    applyColourVeto(odds, frame, alpha, N);
    expect(alpha[10]).toBe(Math.fround(0.8)); // red
    expect(alpha[30]).toBe(0); // grey: the edit leaked onto it
    expect(alpha[75]).toBe(Math.fround(0.8)); // blue: no evidence either way
  });

  it('lets a colour through that the edit holds even a little of (a hundredth of its share elsewhere is the line)', () => {
    // Grey is 2% of the edit and all of the untouched area: odds 0.02, halfway between the full veto and none.
    const mixed = picture((x) => x < 40);
    for (let i = 0; i < 16; i++) for (let c = 0; c < 3; c++) mixed[c * N + i] = 0.5;
    const odds = learnColourOdds(mixed, mask, N);
    expect(odds[bin(0.5, 0.5, 0.5)]).toBeCloseTo(16 / 800, 3);
    const grey = picture(() => false);
    const alpha = new Float32Array(N).fill(1);
    applyColourVeto(odds, grey, alpha, N);
    expect(alpha[0]).toBeCloseTo(0.5, 1);
  });
});

describe('membershipFill', () => {
  // At the anchor the red left half was edited, the grey right half not.
  const likelihood = learnColourLikelihood(picture((x) => x < 40), Float32Array.from({ length: N }, (_, i) => (i % W < 40 ? 1 : 0)), N);

  it('fills lost pixels of the edited colour next to tracked edited pixels, and nothing else', () => {
    // Frame: red everywhere left of 50; columns 30–49 lost (red revealed), the rest tracked; tracked red is edited.
    const frame = picture((x) => x < 50);
    const conf = Float32Array.from({ length: N }, (_, i) => (i % W >= 30 && i % W < 50 ? 0 : 1));
    const warpedMask = Float32Array.from({ length: N }, (_, i) => (i % W < 30 ? 1 : 0));
    const fill = membershipFill(likelihood, frame, warpedMask, conf, W, H);
    for (let i = 0; i < N; i++) {
      const x = i % W;
      if (x < 30 || x >= 50) expect(fill[i], `tracked pixel ${x}`).toBe(0);
      else if (x < 36) expect(fill[i], `lost red pixel ${x} near the edit`).toBeGreaterThan(0.3);
    }
  });

  it('reaches across a wide lost region through the far neighbourhood; beyond it only a majority edit reaches', () => {
    const frame = picture(() => true);
    // Tracked, edited red only in columns 0–3; everything else lost: the edit is all that is tracked.
    const conf = Float32Array.from({ length: N }, (_, i) => (i % W < 4 ? 1 : 0));
    const fill = membershipFill(likelihood, frame, conf, conf, W, H);
    expect(fill[10 * W + 20], '17 px from the tracked pixels').toBeGreaterThan(0.5);
    expect(fill[10 * W + 70], '67 px away, but the edit holds everything tracked').toBeGreaterThan(0.5);
    // The same, but most tracked pixels (columns 4–9) are untouched: a local edit stays local.
    const localConf = Float32Array.from({ length: N }, (_, i) => (i % W < 10 ? 1 : 0));
    const localMask = Float32Array.from({ length: N }, (_, i) => (i % W < 4 ? 1 : 0));
    const local = membershipFill(likelihood, frame, localMask, localConf, W, H);
    expect(local[10 * W + 20], '11 px from the tracked pixels').toBeGreaterThan(0);
    expect(local[10 * W + 70], '61 px away from a minority edit').toBe(0);
  });

  it('a colour the designer left untouched is not filled', () => {
    const frame = picture(() => false);
    const conf = Float32Array.from({ length: N }, (_, i) => (i % W < 4 ? 1 : 0));
    const fill = membershipFill(likelihood, frame, conf, conf, W, H);
    expect(Math.max(...fill)).toBe(0);
  });
});

describe('completeAtBoundary', () => {
  // Frame: a red object left of column 33 on grey; the chain is unsure of columns 30–35 (the object's edge).
  const frame = picture((x) => x < 33);
  const unsure = (x: number) => x >= 30 && x < 36;
  const conf = Float32Array.from({ length: N }, (_, i) => (unsure(i % W) ? 0 : 1));

  it("gives the unsure edge pixels of the edited object's colour the edit, the background's colour none", () => {
    const colourEdit = Float32Array.from({ length: N }, (_, i) => (i % W < 30 ? 1 : 0));
    const completed = completeAtBoundary(frame, colourEdit, conf, W, H);
    for (let i = 0; i < N; i++) {
      const x = i % W;
      if (!unsure(x)) expect(completed[i], `tracked pixel ${x}`).toBe(0);
      else if (x < 33) expect(completed[i], `unsure red pixel ${x}`).toBeGreaterThan(0.9);
      else expect(completed[i], `unsure grey pixel ${x}`).toBe(0);
    }
  });

  it('completes nothing where the tracked pixels around are all on one side (an occluder inside the object)', () => {
    const allEdited = new Float32Array(N).fill(1);
    expect(Math.max(...completeAtBoundary(frame, allEdited, conf, W, H))).toBe(0);
    // The same frame, but only a painted edit (no colour-explained edit is passed in): nothing either.
    expect(Math.max(...completeAtBoundary(frame, new Float32Array(N), conf, W, H))).toBe(0);
  });
});

describe('landsIn', () => {
  it('tests the nearest grid point the flow lands on, and refuses outside the frame', () => {
    const zone = new Float32Array(N);
    zone[5 * W + 10] = 1;
    const flow = new Float32Array(2 * N);
    const i = 2 * W + 3;
    flow[i] = 7.2;
    flow[N + i] = 2.6;
    expect(landsIn(zone, flow, i, W, H)).toBe(true);
    flow[i] = 7.6;
    expect(landsIn(zone, flow, i, W, H)).toBe(false);
    flow[i] = -10;
    expect(landsIn(zone, flow, i, W, H)).toBe(false);
  });
});

describe('membershipFill and completeAtBoundary over the box of a small edit', () => {
  // A 160×90 grid with a small edited object in the middle: both work only on the object's box grown by their
  // windows' reach. The same planes plus one far-off edited pixel (in a corner, so the box becomes the whole grid)
  // must give the same values everywhere but near that corner.
  const [w, h] = [160, 90];
  const n = w * h;
  const inObject = (x: number, y: number) => (x - 80) ** 2 / 144 + (y - 45) ** 2 / 64 < 1;
  const frame = new Float32Array(3 * n);
  const conf = new Float32Array(n);
  const edit = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const red = inObject(x, y);
      const noise = ((x * 7919 + y * 104729) % 97) / 970; // texture, so the fits are not degenerate
      frame[i] = (red ? 0.85 : 0.45) + noise;
      frame[n + i] = (red ? 0.15 : 0.5) + noise;
      frame[2 * n + i] = (red ? 0.1 : 0.55) - noise;
      // The chain is unsure of a ring around the object's outline, and of a lost patch inside it.
      const ring = Math.abs(Math.sqrt((x - 80) ** 2 / 144 + (y - 45) ** 2 / 64) - 1) < 0.25;
      conf[i] = ring || (Math.abs(x - 76) < 2 && Math.abs(y - 44) < 2) ? 0.05 : 0.95;
      edit[i] = red && !ring ? 1 : 0;
    }
  }
  const corner = 0; // pixel (0, 0)
  const withFarEdit = (plane: Float32Array) => {
    const copy = plane.slice();
    copy[corner] = 1;
    return copy;
  };
  const farFromCorner = (i: number) => i % w > 60 || Math.floor(i / w) > 60;
  // At the anchor the whole object was edited.
  const likelihood = learnColourLikelihood(frame, Float32Array.from({ length: n }, (_, i) => (inObject(i % w, Math.floor(i / w)) ? 1 : 0)), n);

  it('completeAtBoundary', () => {
    const boxed = completeAtBoundary(frame, edit, conf, w, h);
    const whole = completeAtBoundary(frame, withFarEdit(edit), conf, w, h);
    expect(boxed.filter((v) => v > 0.5).length).toBeGreaterThan(20); // the ring's red pixels do get the edit
    for (let i = 0; i < n; i++) if (farFromCorner(i)) expect(boxed[i], `pixel ${i}`).toBe(whole[i]);
  });

  it('membershipFill', () => {
    const boxed = membershipFill(likelihood, frame, edit, conf, w, h);
    const whole = membershipFill(likelihood, frame, withFarEdit(edit), withFarEdit(conf), w, h);
    expect(boxed.filter((v) => v > 0.5).length).toBeGreaterThan(5); // the lost patch inside the object is filled
    for (let i = 0; i < n; i++) if (farFromCorner(i)) expect(boxed[i], `pixel ${i}`).toBe(whole[i]);
  });
});
