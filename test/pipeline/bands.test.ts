/**
 * Transfer and restore run band by band over large edits (so model intermediates stay bounded; render.ts carryEdit):
 * a banded run must give what one whole run gives. Each band is transferred with restore's halo of rows around it, so
 * restore's filters see what they would see in a whole run; transfer's bands differ from a whole run only in the
 * float rounding of the upsampling's crop coordinates (~1e-5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../client/engine/io/image-types';
import { buildAnchorModel, type FlowGrid } from '../../client/engine/pipeline/anchor-model';
import type { ChainState } from '../../client/engine/pipeline/correspondence';
import { copyRows, resampleArea, rowBands } from '../../client/engine/pipeline/raster';
import { carryEdit } from '../../client/engine/pipeline/render';
import { StageTimer } from '../../client/engine/pipeline/timing';
import { planTransfer, transferWindow } from '../../client/engine/pipeline/transfer';
import { openModels, type ModelSet } from '../../client/engine/runtime/models';
import { maxAbsDiff } from '../models/reference';
import { colourTexture } from '../models/texture';

const [W, H] = [96, 64];
const grid: FlowGrid = { width: 48, height: 32, scaleX: 2, scaleY: 2 };
let models: ModelSet;

function image(paint: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Float32Array(3 * W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) paint(x, y).forEach((v, c) => (data[c * W * H + y * W + x] = v));
  return { width: W, height: H, data, bitDepth: 8 };
}

beforeAll(async () => {
  models = await openModels('cpu', { threads: 1 });
});

afterAll(async () => {
  await models?.release();
});

describe('rowBands / copyRows', () => {
  it('cover a rect with whole-row bands of bounded size, in order', () => {
    const bands = rowBands({ x: 3, y: 5, width: 10, height: 23 }, 75);
    expect(bands.map((b) => [b.y, b.height])).toEqual([[5, 7], [12, 7], [19, 7], [26, 2]]);
    expect(bands.every((b) => b.x === 3 && b.width === 10)).toBe(true);
    expect(rowBands({ x: 0, y: 0, width: 100, height: 3 }, 10).map((b) => b.height)).toEqual([1, 1, 1]); // at least a row
  });

  it('copyRows moves the chosen rows of every plane', () => {
    const band = Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => i); // 2 planes of 4 rows × 3
    const target = new Float32Array(2 * 6 * 3);
    copyRows(band, 4, 1, 2, target, 6, 3, 3);
    expect(Array.from(target.subarray(9, 15))).toEqual([3, 4, 5, 6, 7, 8]);
    expect(Array.from(target.subarray(18 + 9, 18 + 15))).toEqual([15, 16, 17, 18, 19, 20]);
    expect(target.subarray(0, 9).every((v) => v === 0)).toBe(true);
  });
});

describe('banded transfer and restore', () => {
  const texture = colourTexture(5, 0.15, 0.85, 10);
  const original = image((x, y) => texture(x, y));
  // A local recolour over most of the frame plus a painted stripe the colour model cannot explain.
  const edited = image((x, y) => {
    const [r, g, b] = texture(x, y);
    if (y >= 20 && y < 26) return [0.9, 0.1, 0.2];
    return x > 6 && y > 4 ? [0.3 + 0.5 * g, 0.2 + 0.6 * b, 0.1 + 0.7 * r] : [r, g, b];
  });
  // The frame: the original moved by (1.4, -0.6) px, as its flow to the anchor says.
  const frame = image((x, y) => texture(x + 1.4, y - 0.6));
  const pixels = grid.width * grid.height;
  const flow = new Float32Array(2 * pixels);
  flow.fill(1.4 / grid.scaleX, 0, pixels);
  flow.fill(-0.6 / grid.scaleY, pixels);
  const state: ChainState = { index: 1, flow, conf: new Float32Array(pixels).fill(0.9) };

  const anchor = buildAnchorModel(0, original, edited, null, grid);
  const frameLow = resampleArea(frame.data, 3, W, H, grid.width, grid.height);

  it('a window of rows transfers as the whole box does over those rows', async () => {
    const plan = planTransfer(grid, anchor, state, frameLow, W, H)!;
    const whole = await transferWindow(models, grid, frame, frameLow, anchor, plan, plan.rect);
    const window = { ...plan.rect, y: plan.rect.y + 9, height: 13 };
    const part = await transferWindow(models, grid, frame, frameLow, anchor, plan, window);
    expect(part.rect).toEqual(window);
    for (const key of ['frameCrop', 'colour', 'content', 'explained', 'alpha'] as const) {
      const rows = new Float32Array(part[key].length);
      copyRows(whole[key], plan.rect.height, window.y - plan.rect.y, window.height, rows, window.height, 0, window.width);
      expect(maxAbsDiff(rows, part[key]), key).toBeLessThan(1e-4);
    }
  });

  it('gives the whole run\'s layer', async () => {
    const plan = planTransfer(grid, anchor, state, frameLow, W, H);
    const whole = await carryEdit(models, grid, frame, frameLow, anchor, plan, new StageTimer(), { bandPixels: Infinity });
    const banded = await carryEdit(models, grid, frame, frameLow, anchor, plan, new StageTimer(), { bandPixels: 5 * W });
    expect(banded.rect).toEqual(whole.rect);
    expect(whole.rect.height).toBeGreaterThan(3 * 5); // several bands
    // Without restore's halo the bands' edge rows differ by ~0.04 (its filters see a cut edge), with 6 rows by ~0.005.
    expect(maxAbsDiff(banded.rgb, whole.rgb)).toBeLessThan(1e-4);
    expect(maxAbsDiff(banded.alpha, whole.alpha)).toBeLessThan(1e-4);
    // The edit does reach the frame (a test of nothing would pass too).
    expect(whole.alpha.filter((a) => a > 0.5).length).toBeGreaterThan(0.5 * whole.alpha.length);
  });
});
