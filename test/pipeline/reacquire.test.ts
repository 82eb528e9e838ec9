/**
 * What the correspondence stage reads from the edit's still-tracked part (tracked-edit.ts, correspondence.ts): its affine motion,
 * which seeds the second re-acquisition search after an occlusion, the agreement with a motion that vouches for that
 * search's matches, and its brightness over the anchor's, at which doubtful pixels compare patches.
 */
import { describe, expect, it } from 'vitest';
import { motionAgreement } from '../../client/engine/pipeline/correspondence';
import { affineAt, editBrightnessGain, stepAffine, trackedEditAffine } from '../../client/engine/pipeline/tracked-edit';

const [width, height] = [40, 30];
const pixels = width * height;

/** The edit: the anchor's box x 5..14, y 10..19 (100 pixels). */
const editMask = Float32Array.from({ length: pixels }, (_, i) => {
  const x = i % width;
  const y = Math.floor(i / width);
  return x >= 5 && x < 15 && y >= 10 && y < 20 ? 1 : 0;
});

/**
 * The frame shows the edited object moved by (12, 3): its pixels' frame→anchor flow is (−12, −3). The background
 * moves by (1, 0); where it was behind the object in the anchor, it is newly revealed, and the chain has lost it.
 */
function scene(): { flow: Float32Array; conf: Float32Array } {
  const flow = new Float32Array(2 * pixels);
  const conf = new Float32Array(pixels).fill(1);
  for (let i = 0; i < pixels; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    const onObject = x >= 17 && x < 27 && y >= 13 && y < 23;
    flow[i] = onObject ? -12 : -1;
    flow[pixels + i] = onObject ? -3 : 0;
    if (!onObject && editMask[y * width + x - 1] > 0) conf[i] = 0;
  }
  return { flow, conf };
}

describe('trackedEditAffine', () => {
  it('is the motion of the confident pixels that land on the edit, not the dominant motion', () => {
    const { flow, conf } = scene();
    const field = trackedEditAffine(flow, conf, editMask, width, height)!;
    expect(affineAt(field, 22, 18)[0]).toBeCloseTo(-12, 4);
    expect(affineAt(field, 22, 18)[1]).toBeCloseTo(-3, 4);
    // Were the revealed background trusted, it would pull the fit towards its own motion.
    const polluted = trackedEditAffine(flow, new Float32Array(pixels).fill(1), editMask, width, height)!;
    expect(Math.abs(affineAt(polluted, 22, 18)[0] + 12)).toBeGreaterThan(0.5);
  });

  it('says where the pixels it was fitted to lie, and how many there are', () => {
    const { flow, conf } = scene();
    const fitted = trackedEditAffine(flow, conf, editMask, width, height)!;
    expect(fitted.count).toBe(100); // the object's 10×10 pixels; the revealed background is lost
    expect(fitted.centre[0]).toBeCloseTo(21.5, 9);
    expect(fitted.centre[1]).toBeCloseTo(17.5, 9);
  });

  it('follows a turning object: the fitted field predicts the motion beyond the tracked part', () => {
    // The object turns by 10° about (20, 15) and moves by (8, 2): frame→anchor flow is the inverse motion. Only
    // the object's left part (x < 20) is tracked; the fit must predict its right part too.
    const a = (10 * Math.PI) / 180;
    const inverse = (x: number, y: number): [number, number] => {
      const [u, v] = [x - 8 - 20, y - 2 - 15];
      return [20 + Math.cos(a) * u + Math.sin(a) * v - x, 15 - Math.sin(a) * u + Math.cos(a) * v - y];
    };
    const flow = new Float32Array(2 * pixels);
    const conf = new Float32Array(pixels);
    const mask = new Float32Array(pixels).fill(1);
    for (let i = 0; i < pixels; i++) {
      const [x, y] = [i % width, Math.floor(i / width)];
      [flow[i], flow[pixels + i]] = inverse(x, y);
      conf[i] = x < 20 ? 1 : 0;
    }
    // A few wild pixels among the tracked ones are trimmed away.
    for (let k = 0; k < 20; k++) flow[k * width + 3] += 25;
    const field = trackedEditAffine(flow, conf, mask, width, height)!;
    for (const [x, y] of [[35, 5], [38, 25], [30, 15]]) {
      const [fx, fy] = affineAt(field, x, y);
      expect(Math.hypot(fx - inverse(x, y)[0], fy - inverse(x, y)[1])).toBeLessThan(0.05);
    }
  });

  it('needs at least 50 tracked pixels on the edit', () => {
    const { flow, conf } = scene();
    let kept = 0;
    for (let i = 0; i < pixels; i++) {
      if (flow[i] !== -12) continue;
      if (kept < 49) kept++;
      else conf[i] = 0.2;
    }
    expect(trackedEditAffine(flow, conf, editMask, width, height)).toBeNull();
  });
});

describe('motionAgreement', () => {
  it('is 1 for the same motion and falls off with the error, more slowly for a faster motion', () => {
    expect(motionAgreement(0, 0, [5, 0])).toBe(1);
    expect(motionAgreement(3, 0, [0, 0])).toBeCloseTo(Math.exp(-0.5), 6);
    expect(motionAgreement(8, 0, [0, 0])).toBeLessThan(0.05);
    expect(motionAgreement(8, 0, [-60, 0])).toBeGreaterThan(motionAgreement(8, 0, [0, 0]));
  });
});

describe('editBrightnessGain', () => {
  /** An RGB image, 3 planes, with a fine pattern (so 3×3 means vary) at brightness `light`. */
  const image = (light: number, shift = 0) =>
    Float32Array.from({ length: 3 * pixels }, (_, k) => {
      const i = k % pixels;
      const x = (i % width) + shift;
      const y = Math.floor(i / width);
      return light * (0.3 + 0.2 * Math.sin(x * 0.9) * Math.cos(y * 0.7) + 0.05 * Math.floor(k / pixels));
    });

  it('is the tracked edit’s brightness, frame over anchor, seen through the flow', () => {
    const anchor = image(1);
    const frame = image(0.75, 2); // the content moved left by 2 px and dimmed to 0.75
    const flow = new Float32Array(2 * pixels).fill(2, 0, pixels);
    const conf = new Float32Array(pixels).fill(1);
    expect(editBrightnessGain(frame, anchor, flow, conf, editMask, width, height)).toBeCloseTo(0.75, 2);
    // Only the tracked edit counts: the rest of the frame may be lit otherwise.
    const elsewhereBrighter = frame.map((v, k) => (landsOnEdit(k % pixels) ? v : v * 1.3));
    expect(editBrightnessGain(elsewhereBrighter, anchor, flow, conf, editMask, width, height)).toBeCloseTo(0.75, 2);
  });

  it('is clamped to 1.5× either way, and 1 when too little of the edit is tracked', () => {
    const anchor = image(1);
    const flow = new Float32Array(2 * pixels);
    const conf = new Float32Array(pixels).fill(1);
    expect(editBrightnessGain(image(3), anchor, flow, conf, editMask, width, height)).toBeCloseTo(1.5, 6);
    expect(editBrightnessGain(image(0.2), anchor, flow, conf, editMask, width, height)).toBeCloseTo(1 / 1.5, 6);
    const lostMostly = conf.map((_, i) => (editMask[i] > 0 && i % 3 !== 0 ? 0 : 1)); // 34 of 100 still tracked
    expect(editBrightnessGain(image(0.75), anchor, flow, lostMostly, editMask, width, height)).toBe(1);
  });
});

/** Whether frame pixel i lands on the edit under the 2-px flow of the first test. */
function landsOnEdit(i: number): boolean {
  return editMask[i + 2] > 0 && (i % width) + 2 < width;
}

describe('stepAffine', () => {
  it("is the next frame's frame-to-anchor field for content that moved by a uniform step: step + f(p + step)", () => {
    const field = { x: [3, 0.02, -0.05], y: [-1, 0.04, 0.01] } as { x: [number, number, number]; y: [number, number, number] };
    const step: [number, number] = [2.5, -1.25];
    const next = stepAffine(field, step);
    for (const [x, y] of [[0, 0], [10, 7], [33, 21]]) {
      const [fx, fy] = affineAt(field, x + step[0], y + step[1]);
      const [nx, ny] = affineAt(next, x, y);
      expect(nx).toBeCloseTo(step[0] + fx, 9);
      expect(ny).toBeCloseTo(step[1] + fy, 9);
    }
  });
});
