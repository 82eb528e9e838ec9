/** Raster helpers (client/engine/pipeline/raster.ts) against naive definitions. */
import { describe, expect, it } from 'vitest';
import { boxMean, dilate, erode, resampleArea, sampleBilinear, warpPlane } from '../../client/engine/pipeline/raster';
import { randomPlanes, seeded } from '../models/helpers';
import { bilinearClamped, boxMeanRef, maxAbsDiff } from '../models/reference';

/** Exact area average: each output cell is the rectangle [o·s, (o+1)·s) per axis; overlap areas computed in 2-D. */
function areaAverageRef(data: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Float64Array {
  const out = new Float64Array(outWidth * outHeight);
  const sx = width / outWidth;
  const sy = height / outHeight;
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let sum = 0;
      for (let y = 0; y < height; y++) {
        const oh = Math.max(0, Math.min(y + 1, (oy + 1) * sy) - Math.max(y, oy * sy));
        if (oh === 0) continue;
        for (let x = 0; x < width; x++) {
          const ow = Math.max(0, Math.min(x + 1, (ox + 1) * sx) - Math.max(x, ox * sx));
          sum += ow * oh * data[y * width + x];
        }
      }
      out[oy * outWidth + ox] = sum / (sx * sy);
    }
  }
  return out;
}

describe('raster helpers', () => {
  it.each([0, 1, 3])('boxMean radius %i is the border-clipped windowed mean', (radius) => {
    const p = randomPlanes(seeded(radius + 40), 1, 23, 17);
    expect(maxAbsDiff(boxMean(p.data as Float32Array, 23, 17, radius), boxMeanRef(p, radius).data)).toBeLessThan(1e-5);
  });

  it.each([
    [50, 37, 16, 16],
    [48, 32, 16, 16],
    [96, 64, 96, 64],
  ])('resampleArea %i×%i → %i×%i matches an exact area average and conserves the mean', (w, h, ow, oh) => {
    const random = seeded(w + h);
    const data = Float32Array.from({ length: 2 * w * h }, () => random());
    const out = resampleArea(data, 2, w, h, ow, oh);
    for (let c = 0; c < 2; c++) {
      const plane = data.subarray(c * w * h, (c + 1) * w * h);
      const outPlane = out.subarray(c * ow * oh, (c + 1) * ow * oh);
      expect(maxAbsDiff(outPlane, areaAverageRef(plane, w, h, ow, oh))).toBeLessThan(1e-5);
      const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
      expect(Math.abs(mean(outPlane) - mean(plane))).toBeLessThan(1e-5);
    }
  });

  it('sampleBilinear interpolates between centres and clamps outside', () => {
    const p = randomPlanes(seeded(44), 1, 9, 7);
    const random = seeded(45);
    for (let k = 0; k < 200; k++) {
      const x = -2 + random() * 13;
      const y = -2 + random() * 11;
      expect(sampleBilinear(p.data as Float32Array, 9, 7, x, y)).toBeCloseTo(bilinearClamped(p, 0, x, y), 6);
    }
  });

  it('dilate / erode are max / min over a square window, clipped at the borders', () => {
    const [w, h] = [20, 14];
    const random = seeded(46);
    // Sparse and dense masks (erosion of a sparse one is all zeros), windows up to larger than the image.
    const cases = [0.3, 0.9].flatMap((density) => [1, 2, 5, 16].map((radius) => ({ density, radius })));
    for (const { density, radius } of cases) {
      const mask = Float32Array.from({ length: w * h }, () => (random() < density ? 1 : 0));
      const dilated = dilate(mask, w, h, radius);
      const eroded = erode(mask, w, h, radius);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let max = 0;
          let min = 1;
          for (let yy = Math.max(0, y - radius); yy <= Math.min(h - 1, y + radius); yy++) {
            for (let xx = Math.max(0, x - radius); xx <= Math.min(w - 1, x + radius); xx++) {
              max = Math.max(max, mask[yy * w + xx]);
              min = Math.min(min, mask[yy * w + xx]);
            }
          }
          expect(dilated[y * w + x]).toBe(max);
          expect(eroded[y * w + x]).toBe(min);
        }
      }
    }
  });
});

describe('warpPlane', () => {
  it('reads each pixel at p + flow(p): whole shifts move, fractions interpolate, the border clamps', () => {
    const [width, height] = [5, 3];
    const pixels = width * height;
    const plane = Float32Array.from({ length: pixels }, (_, i) => i);
    const flow = new Float32Array(2 * pixels);
    flow.fill(1, 0, pixels); // one pixel right
    flow[pixels + 7] = 0.5; // pixel (2, 1): half a row down as well
    const out = warpPlane(plane, flow, width, height);
    expect(out[0]).toBe(1);
    expect(out[4]).toBe(4); // the last column reads past the border: clamped
    expect(out[7]).toBeCloseTo((8 + 13) / 2, 6);
    for (let i = 0; i < pixels; i++) {
      expect(out[i]).toBeCloseTo(sampleBilinear(plane, width, height, (i % width) + flow[i], Math.floor(i / width) + flow[pixels + i]), 6);
    }
  });
});
