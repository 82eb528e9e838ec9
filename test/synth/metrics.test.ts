import { describe, expect, it } from 'vitest';
import { editMaskOf, meanErrorChange, measureClip, psnrFromSse, QualityAccumulator } from '../../bench/metrics';

/** A 4-pixel frame (RGB) from a flat list of values. */
const frame = (...v: number[]) => Uint8Array.from(v);

describe('benchmark metrics', () => {
  it('psnrFromSse: known values, exact and empty cases', () => {
    expect(psnrFromSse(10 * 10 * 30, 30)).toBeCloseTo(20 * Math.log10(255 / 10), 10);
    expect(psnrFromSse(255 * 255 * 5, 5)).toBeCloseTo(0, 10);
    expect(psnrFromSse(0, 12)).toBe(Infinity);
    expect(psnrFromSse(0, 0)).toBeNaN();
  });

  it('edit mask marks pixels where any channel differs', () => {
    const source = frame(1, 2, 3, 4, 5, 6, 7, 8, 9);
    const gt = frame(1, 2, 3, 4, 5, 7, 7, 8, 9);
    expect(Array.from(editMaskOf(gt, source))).toEqual([0, 255, 0]);
  });

  it('splits error into edit and keep regions', () => {
    // Pixels 0,1 edited in the ground truth; the output is off by 10 there and by 1 on pixel 2 (keep region).
    const source = frame(50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50);
    const gt = frame(100, 100, 100, 100, 100, 100, 50, 50, 50, 50, 50, 50);
    const out = frame(110, 110, 110, 90, 90, 90, 51, 51, 51, 50, 50, 50);
    const r = measureClip([out], [gt], [source]);
    expect(r.editPixels).toBe(2);
    expect(r.keepPixels).toBe(2);
    expect(r.editPsnr).toBeCloseTo(20 * Math.log10(255 / 10), 6);
    // keep: squared error 3 over 6 channel values.
    expect(r.keepPsnr).toBeCloseTo(10 * Math.log10((255 * 255 * 6) / 3), 6);
    expect(r.flicker).toBeNaN(); // one frame: no pairs
  });

  it('flicker is 0 for a steady error and the error swing for an alternating one', () => {
    const source = frame(0, 0, 0, 0, 0, 0);
    const gt = frame(100, 100, 100, 0, 0, 0);
    const steady = new QualityAccumulator();
    const alternating = new QualityAccumulator();
    for (let i = 0; i < 5; i++) {
      steady.addFrame(frame(90, 90, 90, 0, 0, 0), gt, source);
      alternating.addFrame(i % 2 ? frame(110, 110, 110, 0, 0, 0) : frame(90, 90, 90, 0, 0, 0), gt, source);
    }
    expect(steady.result().flicker).toBe(0);
    expect(alternating.result().flicker).toBe(20);
    expect(steady.result().editPsnr).toBeCloseTo(alternating.result().editPsnr, 10);
  });

  it('flicker uses the union of both frames\' edit regions', () => {
    const previous = Int16Array.from([5, 5, 5, 0, 0, 0]);
    const current = Int16Array.from([0, 0, 0, 7, 7, 7]);
    expect(meanErrorChange(previous, current, Uint8Array.from([255, 0]), Uint8Array.from([0, 255]))).toBe(6);
    expect(meanErrorChange(previous, current, Uint8Array.from([0, 0]), Uint8Array.from([0, 0]))).toBeNaN();
  });

  it('refuses frames of different sizes', () => {
    const acc = new QualityAccumulator();
    expect(() => acc.addFrame(frame(1, 2, 3), frame(1, 2, 3, 4, 5, 6), frame(1, 2, 3, 4, 5, 6))).toThrow(/size/);
  });
});
