/** Graph building blocks shared by the stage models: sampling grids, warps, resizes, matching features. */
import { Graph } from './onnx/graph';

/** Height and width of an NCHW tensor as floats (0-d tensors). */
export function sizeHW(g: Graph, x: string): { h: string; w: string; hw: string } {
  const hw = g.op('Shape', [x], { start: 2, end: 4 });
  const hwFloat = g.op('Cast', [hw], { to: 1 });
  const h = g.op('Gather', [hwFloat, g.ints([0], [])], { axis: 0 });
  const w = g.op('Gather', [hwFloat, g.ints([1], [])], { axis: 0 });
  return { h, w, hw };
}

/** Pixel coordinates of an NCHW tensor's grid: x as (1, 1, W) and y as (1, H, 1), for broadcasting. */
export function pixelGrid(g: Graph, like: string): { x: string; y: string } {
  const { h, w } = sizeHW(g, like);
  const xs = g.op('Range', [g.scalar(0), w, g.scalar(1)]);
  const ys = g.op('Range', [g.scalar(0), h, g.scalar(1)]);
  return { x: g.op('Reshape', [xs, g.ints([1, 1, -1])]), y: g.op('Reshape', [ys, g.ints([1, -1, 1])]) };
}

/** Channel `c` of an NCHW tensor as (N, H, W), to broadcast against pixelGrid coordinates. */
export function channelPlane(g: Graph, x: string, c: number): string {
  return g.op('Squeeze', [g.channels(x, c, c + 1), g.ints([1])]);
}

/**
 * Every warp's GridSample: bilinear, zero padding, align_corners=0 (pixel i of a side `size` long sits at
 * (2i + 1) / size − 1), fed positions clamped to the pixel centres' range, where zero padding gives what border
 * padding would. Why not border padding itself: onnxruntime's CPU kernel has a fast path for bilinear + zeros +
 * align_corners=0 only, which works out each output pixel's taps and weights once for all channels instead of once
 * per channel (measured: 5 planes of a 1920×273 band 18 vs 51 ms, 6 planes at 384×216 2.6 vs 7.8 ms).
 */
function gridSample(g: Graph, src: string, positions: string): string {
  return g.op('GridSample', [src, positions], { mode: 'bilinear', padding_mode: 'zeros', align_corners: 0 });
}

/**
 * Clamped positions stay a hair inside the outermost centres, so that rounding in the normalisation (measured: up to
 * ~2e-7 of the side, in pixels) does not put them past, where a zero-padded tap takes weight and darkens the border
 * (by as little, but a confidence of 1 would no longer be 1). The inset is ~5e-7 of the side: 1e-3 px at 1920.
 */
const EDGE_INSET = 2 ** -21;

/**
 * GridSample units (align_corners=0) of pixel coordinates already shifted by half a pixel (`shifted`): clamped in
 * pixels to [`low`, `high`] (sampleAxis: the centres' range less the inset), scaled by 2 / size, moved by −1.
 */
function toUnits(g: Graph, shifted: string, low: string, high: string, scale: string): string {
  return g.sub(g.mul(g.min(g.max(shifted, low), high), scale), g.scalar(1));
}

/** One axis of length `size`: 2 / size, and the clamp bounds of half-pixel-shifted coordinates. */
function sampleAxis(g: Graph, size: string): { scale: string; low: string; high: string } {
  const inset = g.mul(size, g.scalar(EDGE_INSET));
  const half = g.scalar(0.5);
  return { scale: g.div(g.scalar(2), size), low: g.add(half, inset), high: g.sub(g.sub(size, half), inset) };
}

/**
 * Bilinear sample of `src` at pixel coordinates (x, y) of `src` (pixel centres at integers; tensors shaped (1, H, W)
 * or broadcastable to it), border padding. The output has the coordinates' H and W.
 */
export function sampleAt(g: Graph, src: string, x: string, y: string): string {
  const { h, w } = sizeHW(g, src);
  const half = g.scalar(0.5);
  const units = (pixel: string, axis: ReturnType<typeof sampleAxis>) => toUnits(g, g.add(pixel, half), axis.low, axis.high, axis.scale);
  return gridSample(g, src, samplingGrid(g, units(x, sampleAxis(g, w)), units(y, sampleAxis(g, h))));
}

/** GridSample's (1, H, W, 2) grid from normalised x and y, each (1, H, W) or broadcastable to it ((1, 1, W), (1, H, 1)). */
function samplingGrid(g: Graph, nx: string, ny: string): string {
  const zero = g.scalar(0);
  const xFull = g.add(nx, g.mul(ny, zero));
  const yFull = g.add(ny, g.mul(nx, zero));
  return g.concat([g.op('Unsqueeze', [xFull, g.ints([3])]), g.op('Unsqueeze', [yFull, g.ints([3])])], 3);
}

/**
 * Bilinear upsampling of flow-resolution fields onto a full-resolution crop shaped like `like`: crop pixel (X, Y)
 * takes a field at ((X + ox + 0.5) / sx − 0.5, (Y + oy + 0.5) / sy − 0.5), clamped at the border — exactly
 * sampleAt at those points, but as one crop-and-resize, which is several times faster than a GridSample over many
 * channels (measured: 19 channels onto 1920×1080, 170 vs 500 ms). `origin` and `scale` are [1, 2, 1, 1] (x, y).
 * Returns the upsampling of any field shaped like `fieldLike` (same height and width, any channels): the crop's
 * geometry is built once for them all, and each field comes out as its own tensor (no slicing of one stacked
 * result, which copies every plane again).
 */
export function cropUpsampler(g: Graph, fieldLike: string, like: string, origin: string, scale: string): (field: string) => string {
  const { h, w } = sizeHW(g, fieldLike);
  const crop = sizeHW(g, like);
  const one = g.scalar(1);
  const half = g.scalar(0.5);
  const flat = (x: string) => g.op('Reshape', [x, g.ints([1])]);
  // One edge pixel of padding turns tf_crop_and_resize's extrapolation into border clamping. onnxruntime's Resize
  // maps output pixel i to input pixel i on an axis that keeps its size (scale exactly 1), ignoring the roi: where
  // the padded field would be exactly as long as the crop, one more edge pixel goes on its far side (it moves no
  // crop pixel's coordinate; measured without it: colours off by up to 0.5 on such crops).
  const extraOf = (size: string, cropSize: string) => g.op('Cast', [g.op('Equal', [g.add(size, g.scalar(2)), cropSize])], { to: 1 });
  const extra = { h: extraOf(h, crop.h), w: extraOf(w, crop.w) };
  const farPad = (e: string) => g.op('Cast', [flat(g.add(one, e))], { to: 7 });
  const pads = g.concat([g.ints([0, 0, 1, 1, 0, 0]), farPad(extra.h), farPad(extra.w)], 0);
  const axis = (c: number, size: string, cropSize: string, extraPixel: string) => {
    const o = flat(g.channels(origin, c, c + 1));
    const sc = flat(g.channels(scale, c, c + 1));
    // Padded input coordinate of crop pixel 0, and of the last one, over (padded size − 1): size + 1, plus the extra
    // pixel if any.
    const span = g.add(g.add(size, one), extraPixel);
    const start = g.div(g.add(g.div(g.add(o, half), sc), half), span);
    const end = g.add(start, g.div(g.sub(cropSize, one), g.mul(sc, span)));
    return { start: flat(start), end: flat(end) };
  };
  const x = axis(0, w, crop.w, extra.w);
  const y = axis(1, h, crop.h, extra.h);
  const zero = g.constant([0], [1]);
  const roi = g.concat([zero, zero, y.start, x.start, g.constant([1], [1]), g.constant([1], [1]), y.end, x.end], 0);
  return (field) => {
    const padded = g.op('Pad', [field, pads], { mode: 'edge' });
    const sizes = g.concat([g.op('Shape', [field], { start: 0, end: 2 }), crop.hw], 0);
    return g.op('Resize', [padded, roi, '', sizes], { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' });
  };
}

/**
 * What every warp over images of one size shares: each pixel's own position shifted by half a pixel, as two planes
 * (x, y) shaped (1, 2, H, W), and per plane (shaped (1, 2, 1, 1)) the scale to GridSample units and the clamp bounds
 * (toUnits). The positions are worked out in planes and transposed to GridSample's (1, H, W, 2) last: onnxruntime
 * broadcasts a per-axis bound over a last axis of 2 two elements at a time (measured: ~4 ns per element, ten times a
 * plane-wise broadcast). Built once per size, it makes each warp a few nodes instead of thirty (session creation
 * time grows with the node count: the correspondence model warps 13 times).
 */
export interface WarpGrid {
  base: string;
  scale: string;
  low: string;
  high: string;
}

export function warpGrid(g: Graph, like: string): WarpGrid {
  const pixel = pixelGrid(g, like);
  const { h, w } = sizeHW(g, like);
  const x = sampleAxis(g, w);
  const y = sampleAxis(g, h);
  const half = g.scalar(0.5);
  const zero = g.scalar(0);
  const plane = (coordinate: string, other: string) => g.op('Unsqueeze', [g.add(g.add(coordinate, half), g.mul(other, zero)), g.ints([1])]);
  const base = g.concat([plane(pixel.x, pixel.y), plane(pixel.y, pixel.x)]);
  const pair = (a: string, b: string) => g.op('Reshape', [g.concat([g.op('Reshape', [a, g.ints([1])]), g.op('Reshape', [b, g.ints([1])])], 0), g.ints([1, 2, 1, 1])]);
  return { base, scale: pair(x.scale, y.scale), low: pair(x.low, y.low), high: pair(x.high, y.high) };
}

/**
 * Backward warp: out(x) = src(x + flow(x)), bilinear, border padding. `flow` is in pixels (channel 0 = dx,
 * channel 1 = dy); `src`, `flow` and the output share the height and width `grid` was built for.
 */
export function warpOn(g: Graph, grid: WarpGrid, src: string, flow: string): string {
  const units = toUnits(g, g.add(grid.base, flow), grid.low, grid.high, grid.scale);
  return gridSample(g, src, g.op('Transpose', [units], { perm: [0, 2, 3, 1] }));
}

/** warpOn with a grid of its own, for a model that warps once. */
export function warp(g: Graph, src: string, flow: string): string {
  return warpOn(g, warpGrid(g, flow), src, flow);
}

/** Bilinear resize of `x` to the spatial size of `like` (half-pixel centres). */
export function resizeLike(g: Graph, x: string, like: string): string {
  const nc = g.op('Shape', [x], { start: 0, end: 2 });
  const hw = g.op('Shape', [like], { start: 2, end: 4 });
  const sizes = g.concat([nc, hw], 0);
  return g.op('Resize', [x, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
}

/** Exact 2× bilinear upsampling (coarse-to-fine). */
export function upsample2(g: Graph, x: string): string {
  return g.op('Resize', [x, '', g.constant([1, 1, 2, 2])], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
}

/** 2× box downsampling. Sizes must be even. */
export function downsample2(g: Graph, x: string): string {
  return g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
}

/**
 * Matching features (6 channels): luma and two colour differences, each normalised by its local mean and deviation
 * so matching survives lighting changes (as NCC does; flat areas fall to ~0), plus the colour itself, scaled, so that
 * coarse levels and flat regions still tell an object from what is behind it.
 */
export const FEATURE_CHANNELS = 6;

export function matchingFeatures(g: Graph, rgb: string, radius: number): string {
  const toYcc = g.constant([0.299, 0.587, 0.114, -0.299, -0.587, 0.886, 0.701, -0.587, -0.114], [3, 3, 1, 1]);
  const ycc = g.op('Conv', [rgb, toYcc]);
  const mean = g.box(ycc, radius);
  const meanSq = g.box(g.mul(ycc, ycc), radius);
  const variance = g.op('Relu', [g.sub(meanSq, g.mul(mean, mean))]);
  // Colour channels get a larger floor: chroma noise in flat regions must not look like texture.
  const floor = g.constant([4e-4, 1e-3, 1e-3], [1, 3, 1, 1]);
  const normalised = g.div(g.sub(ycc, mean), g.sqrt(g.add(variance, floor)));
  return g.concat([normalised, g.mul(ycc, g.scalar(3))]);
}

/** Shift `x` by (dx, dy) with edge replication: out(p) = x(p + d). */
export function shifted(g: Graph, padded: string, radius: number, dx: number, dy: number): string {
  const startY = radius + dy;
  const startX = radius + dx;
  const endY = dy - radius === 0 ? 2 ** 31 - 1 : dy - radius;
  const endX = dx - radius === 0 ? 2 ** 31 - 1 : dx - radius;
  return g.op('Slice', [padded, g.ints([startY, startX]), g.ints([endY, endX]), g.ints([2, 3])]);
}

export function padEdge(g: Graph, x: string, radius: number): string {
  return g.op('Pad', [x, g.ints([0, 0, radius, radius, 0, 0, radius, radius])], { mode: 'edge' });
}

/**
 * 3×3 median per channel: removes isolated wrong matches, keeps motion edges. Median of the 9 shifted copies by
 * the optimal 19 compare-exchange network (Paeth): elementwise Min/Max, far cheaper than TopK on CPU.
 */
export function median3(g: Graph, x: string, channels: number): string {
  void channels; // elementwise: every channel at once
  const padded = padEdge(g, x, 1);
  const p: string[] = [];
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) p.push(shifted(g, padded, 1, dx, dy));
  const sort = (a: number, b: number) => {
    const low = g.min(p[a], p[b]);
    p[b] = g.max(p[a], p[b]);
    p[a] = low;
  };
  const network: Array<[number, number]> = [
    [1, 2], [4, 5], [7, 8], [0, 1], [3, 4], [6, 7], [1, 2], [4, 5], [7, 8], [0, 3],
    [5, 8], [4, 7], [3, 6], [1, 4], [2, 5], [4, 7], [4, 2], [6, 4], [4, 2],
  ];
  for (const [a, b] of network) sort(a, b);
  return p[4];
}

/**
 * He et al.'s guided filter of `p` (any channel count) with a grey guide: edge-aware smoothing whose edges are the
 * guide's, from box filters only.
 */
export function guidedFilter(g: Graph, guide: string, p: string, radius: number, eps: number): string {
  const meanI = g.box(guide, radius);
  const meanP = g.box(p, radius);
  const covIP = g.sub(g.box(g.mul(guide, p), radius), g.mul(meanI, meanP));
  const varI = g.sub(g.box(g.mul(guide, guide), radius), g.mul(meanI, meanI));
  const a = g.div(covIP, g.add(varI, g.scalar(eps)));
  const b = g.sub(meanP, g.mul(a, meanI));
  return g.add(g.mul(g.box(a, radius), guide), g.box(b, radius));
}
