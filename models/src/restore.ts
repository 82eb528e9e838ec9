/**
 * Hero stage (after Zero-to-Hero): repair what transfer damages, without a learned network.
 *  - blur: carried content is bilinearly resampled at sub-pixel positions, which damps its fine detail; a mild
 *    unsharp mask of the content undoes that on average (the colour path keeps the frame's own detail already);
 *  - over-saturation / colour drift: the result is clamped to the range of colours the designer actually made
 *    (the anchor's edit statistics, widened a little);
 *  - seams: the carried alpha's border can sit a pixel or two off the object's real edge (flow is smooth across
 *    motion edges). For colour edits a guided filter with the frame's own luma as guide pulls the border onto the
 *    frame's edges, and re-sharpening makes alpha exactly 0 again on the keep side; finally alpha is feathered
 *    inward only.
 */
import { Graph } from './onnx/graph';
import { guidedFilter } from './ops';

/** Guided filter radius (full-resolution pixels) and regularisation (luma variance units). */
const SEAM_RADIUS = 3;
const SEAM_EPS = 1e-3;

export function buildRestore(): Graph {
  const g = new Graph('restore', 'Hero stage: detail, colour range and seam repair of the transferred edit.');
  const frame = g.input('frame', [1, 3, 'H', 'W']);
  const colour = g.input('colour', [1, 3, 'H', 'W']);
  const content = g.input('content', [1, 3, 'H', 'W']);
  const explained = g.input('explained', [1, 1, 'H', 'W']);
  const alpha = g.input('alpha', [1, 1, 'H', 'W']);
  const editLow = g.input('edit_low', [1, 3, 1, 1]);
  const editHigh = g.input('edit_high', [1, 3, 1, 1]);

  // Bilinear resampling at a random sub-pixel phase halves the Nyquist band on average: a 0.3 unsharp gain puts most
  // of it back without ringing on hard decal edges (the clamp below bounds any overshoot).
  const sharpened = g.add(content, g.mul(g.sub(content, g.box(content, 1)), g.scalar(0.3)));
  const mixed = g.add(g.mul(colour, explained), g.mul(sharpened, g.sub(g.scalar(1), explained)));
  const inRange = g.min(g.max(mixed, editLow), editHigh);
  const clamped = g.clip(inRange, 0, 1);
  // A MatMul by the weights, not a 1×1 Conv: onnxruntime reorders a Conv's planes into its blocked layout and back,
  // which cost more than the convolution itself (measured per 1080p band: 2.4 + 2.8 ms).
  const luma = g.weightedChannelSum(frame, [0.299, 0.587, 0.114]);
  const snapped = guidedFilter(g, luma, alpha, SEAM_RADIUS, SEAM_EPS);
  // Below a quarter → exactly 0 (keep side), above three quarters → 1: the border moves, it does not smear.
  const snappedSharp = g.clip(g.div(g.sub(snapped, g.scalar(0.25)), g.scalar(0.5)), 0, 1);
  // Only a colour edit's border is an edge of the frame (the object's). A painted decal's border is not in the frame
  // at all: snapping it to the frame's edges would only erode its thin parts. So snap in proportion to `explained`.
  const seamed = g.add(g.mul(snappedSharp, explained), g.mul(alpha, g.sub(g.scalar(1), explained)));
  // Inward feather: min(alpha, blurred alpha) is zero wherever alpha is zero.
  const feathered = g.min(seamed, g.box(seamed, 1));
  g.output('layer', clamped, [1, 3, 'H', 'W']);
  g.output('layer_alpha', feathered, [1, 1, 'H', 'W']);
  return g;
}
