/**
 * Hero stage (after Zero-to-Hero): repair what transfer damages, without a learned network.
 *  - blur: carried content is bilinearly resampled at sub-pixel positions, which damps its fine detail; a mild
 *    unsharp mask of the content undoes that on average (the colour path keeps the frame's own detail already);
 *  - over-saturation / colour drift: the result is clamped to the range of colours the designer actually made
 *    (the anchor's edit statistics, widened a little);
 *  - seams: the edit's alpha is feathered inward only, so nothing outside the propagated region changes.
 */
import { Graph } from './onnx/graph';

export function buildRestore(): Graph {
  const g = new Graph('restore', 'Hero stage: detail, colour range and seam repair of the transferred edit.');
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
  // Inward feather: min(alpha, blurred alpha) is zero wherever alpha is zero.
  const feathered = g.min(alpha, g.box(alpha, 1));
  g.output('layer', clamped, [1, 3, 'H', 'W']);
  g.output('layer_alpha', feathered, [1, 1, 'H', 'W']);
  return g;
}
