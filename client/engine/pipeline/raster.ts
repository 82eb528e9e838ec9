/** Pure raster helpers on planar float32 images (channel planes of width × height). */
import type { Rect } from './composite';

/** Separable box mean with radius r (window clipped at borders, like AveragePool count_include_pad=0). */
export function boxMean(plane: Float32Array, width: number, height: number, radius: number): Float32Array {
  const tmp = new Float32Array(plane.length);
  const out = new Float32Array(plane.length);
  // Horizontal pass: a running sum per row, one sample in and one out per step (in that order).
  const firstHi = Math.min(width - 1, radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= firstHi; x++) sum += plane[row + x];
    tmp[row] = sum / (firstHi + 1);
    for (let x = 1; x < width; x++) {
      const enters = x + radius;
      const leaves = x - radius - 1;
      if (enters < width) sum += plane[row + enters];
      if (leaves >= 0) sum -= plane[row + leaves];
      tmp[row + x] = sum / ((enters < width ? enters : width - 1) - (leaves >= 0 ? leaves : -1));
    }
  }
  // Vertical pass a row at a time with one running sum per column (walking down columns misses the cache). Each
  // column's sum sees the same additions and subtractions in the same order as a column walk would.
  const sums = new Float64Array(width);
  let lo = 0;
  let hi = -1;
  for (let y = 0; y < height; y++) {
    const wantHi = Math.min(height - 1, y + radius);
    const wantLo = Math.max(0, y - radius);
    while (hi < wantHi) {
      const row = ++hi * width;
      for (let x = 0; x < width; x++) sums[x] += tmp[row + x];
    }
    while (lo < wantLo) {
      const row = lo++ * width;
      for (let x = 0; x < width; x++) sums[x] -= tmp[row + x];
    }
    const row = y * width;
    const count = hi - lo + 1;
    for (let x = 0; x < width; x++) out[row + x] = sums[x] / count;
  }
  return out;
}

/** Area-weighted downsampling of planar channels (exact box integration for any ratio ≥ 1). */
export function resampleArea(
  data: Float32Array,
  channels: number,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (width % outWidth === 0 && height % outHeight === 0 && width / outWidth === height / outHeight) {
    return averageBlocks(data, channels, width, height, width / outWidth);
  }
  const out = new Float32Array(channels * outWidth * outHeight);
  const xs = axisWeights(width, outWidth);
  const ys = axisWeights(height, outHeight);
  const rowBuffer = new Float32Array(outWidth * height);
  for (let c = 0; c < channels; c++) {
    const plane = c * width * height;
    for (let y = 0; y < height; y++) {
      for (let ox = 0; ox < outWidth; ox++) {
        let acc = 0;
        for (const [x, w] of xs[ox]) acc += data[plane + y * width + x] * w;
        rowBuffer[y * outWidth + ox] = acc;
      }
    }
    const outPlane = c * outWidth * outHeight;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        let acc = 0;
        for (const [y, w] of ys[oy]) acc += rowBuffer[y * outWidth + ox] * w;
        out[outPlane + oy * outWidth + ox] = acc;
      }
    }
  }
  return out;
}

/** Mean of each factor×factor block: the integer-ratio case of resampleArea, several times faster. */
function averageBlocks(data: Float32Array, channels: number, width: number, height: number, factor: number): Float32Array {
  const outWidth = width / factor;
  const outHeight = height / factor;
  const out = new Float32Array(channels * outWidth * outHeight);
  const norm = 1 / (factor * factor);
  for (let c = 0; c < channels; c++) {
    const plane = c * width * height;
    const outPlane = c * outWidth * outHeight;
    for (let y = 0; y < height; y++) {
      const row = outPlane + Math.floor(y / factor) * outWidth;
      let x = 0;
      for (let ox = 0; ox < outWidth; ox++) {
        let acc = 0;
        for (let k = 0; k < factor; k++, x++) acc += data[plane + y * width + x];
        out[row + ox] += acc;
      }
    }
    for (let i = outPlane; i < outPlane + outWidth * outHeight; i++) out[i] *= norm;
  }
  return out;
}

function axisWeights(size: number, outSize: number): Array<Array<[number, number]>> {
  const scale = size / outSize;
  const result: Array<Array<[number, number]>> = [];
  for (let o = 0; o < outSize; o++) {
    const start = o * scale;
    const end = start + scale;
    const taps: Array<[number, number]> = [];
    for (let i = Math.floor(start); i < Math.min(size, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 1e-9) taps.push([i, overlap / scale]);
    }
    result.push(taps);
  }
  return result;
}

/** Bilinear sample of a plane at continuous pixel coordinates (pixel centres at integers), clamped to the border. */
export function sampleBilinear(plane: Float32Array, width: number, height: number, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), width - 1);
  const cy = Math.min(Math.max(y, 0), height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const top = plane[y0 * width + x0] * (1 - fx) + plane[y0 * width + x1] * fx;
  const bottom = plane[y1 * width + x0] * (1 - fx) + plane[y1 * width + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * Backward warp of a plane along a flow of the same grid (2 planes, pixels): out(p) = plane(p + flow(p)), bilinear,
 * clamped to the border. E.g. an anchor's mask seen from a frame through the frame→anchor correspondence.
 */
export function warpPlane(plane: Float32Array, flow: Float32Array, width: number, height: number): Float32Array {
  const pixels = width * height;
  const out = new Float32Array(pixels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      out[i] = sampleBilinear(plane, width, height, x + flow[i], y + flow[pixels + i]);
    }
  }
  return out;
}

/** Binary dilation (max over a square window, clipped at the borders) of a 0/1 plane. */
export function dilate(plane: Float32Array, width: number, height: number, radius: number): Float32Array {
  return squareWindowTest(plane, width, height, radius, false);
}

/** Binary erosion (min over a square window, clipped at the borders) of a 0/1 plane. */
export function erode(plane: Float32Array, width: number, height: number, radius: number): Float32Array {
  return squareWindowTest(plane, width, height, radius, true);
}

/**
 * 1 where any (`all` false) or every (`all` true) pixel of the square window holds a 1, else 0: a row pass then a
 * column pass (the square's max or min is the max or min of the rows' ones), each keeping a running count of the
 * ones in its window (exact: sums of 0s and 1s). About twice as fast as a box mean and a threshold.
 */
function squareWindowTest(plane: Float32Array, width: number, height: number, radius: number, all: boolean): Float32Array {
  const rows = new Float32Array(plane.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let ones = 0;
    for (let x = 0; x < Math.min(width, radius); x++) ones += plane[row + x];
    for (let x = 0; x < width; x++) {
      const enters = x + radius;
      const leaves = x - radius - 1;
      if (enters < width) ones += plane[row + enters];
      if (leaves >= 0) ones -= plane[row + leaves];
      const need = all ? Math.min(width - 1, enters) - Math.max(0, x - radius) + 1 : 1;
      rows[row + x] = ones >= need ? 1 : 0;
    }
  }
  // The column pass a row at a time, one running count per column (walking down columns misses the cache).
  const out = new Float32Array(plane.length);
  const ones = new Float64Array(width);
  for (let y = 0; y < Math.min(height, radius); y++) for (let x = 0; x < width; x++) ones[x] += rows[y * width + x];
  for (let y = 0; y < height; y++) {
    const enters = y + radius;
    const leaves = y - radius - 1;
    if (enters < height) for (let x = 0, k = enters * width; x < width; x++, k++) ones[x] += rows[k];
    if (leaves >= 0) for (let x = 0, k = leaves * width; x < width; x++, k++) ones[x] -= rows[k];
    const need = all ? Math.min(height - 1, enters) - Math.max(0, y - radius) + 1 : 1;
    for (let x = 0, k = y * width; x < width; x++, k++) out[k] = ones[x] >= need ? 1 : 0;
  }
  return out;
}

/** Planar crop of a multi-channel image, into `into` if given (the data itself when the rect is the whole image). */
export function cropPlanes(data: Float32Array, channels: number, width: number, height: number, rect: Rect, into?: Float32Array): Float32Array {
  if (rect.x === 0 && rect.y === 0 && rect.width === width && rect.height === height) return data;
  const out = into ?? new Float32Array(channels * rect.width * rect.height);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < rect.height; y++) {
      const from = c * width * height + (rect.y + y) * width + rect.x;
      out.set(data.subarray(from, from + rect.width), (c * rect.height + y) * rect.width);
    }
  }
  return out;
}

/** Writes a one-plane crop back into a full plane at `rect`. */
export function pastePlane(target: Float32Array, width: number, crop: Float32Array, rect: Rect): void {
  for (let y = 0; y < rect.height; y++) target.set(crop.subarray(y * rect.width, (y + 1) * rect.width), (rect.y + y) * width + rect.x);
}

/** The smallest rect holding every pixel above zero, grown by `margin` and clamped to the image; null if none. */
export function boundsOf(plane: ArrayLike<number>, width: number, height: number, margin: number): Rect | null {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (plane[row + x] <= 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return null;
  const left = Math.max(0, x0 - margin);
  const top = Math.max(0, y0 - margin);
  return { x: left, y: top, width: Math.min(width, x1 + 1 + margin) - left, height: Math.min(height, y1 + 1 + margin) - top };
}

/**
 * Splits `rect` into bands of whole rows of at most ~`maxPixels` pixels (at least one row each), top to bottom.
 * Models run band by band so that their intermediates, which grow with the pixels of one run, stay bounded.
 */
export function rowBands(rect: Rect, maxPixels: number): Rect[] {
  const rows = Math.max(1, Math.floor(maxPixels / Math.max(1, rect.width)));
  const bands: Rect[] = [];
  for (let y = rect.y; y < rect.y + rect.height; y += rows) {
    bands.push({ x: rect.x, y, width: rect.width, height: Math.min(rows, rect.y + rect.height - y) });
  }
  return bands;
}

/** Copies rows [fromRow, fromRow + rows) of every plane of `band` (planes of `bandRows` rows) into `target`'s planes of `targetRows` rows at `atRow`. */
export function copyRows(band: Float32Array, bandRows: number, fromRow: number, rows: number, target: Float32Array, targetRows: number, atRow: number, width: number): void {
  const channels = band.length / (bandRows * width);
  for (let c = 0; c < channels; c++) {
    const from = (c * bandRows + fromRow) * width;
    target.set(band.subarray(from, from + rows * width), (c * targetRows + atRow) * width);
  }
}

