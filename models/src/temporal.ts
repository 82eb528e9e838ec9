/**
 * Temporal model (ConsistI2V's local window, VideoJAM's motion guidance): a frame's correspondence to the anchor is
 * averaged with what its two neighbours say, carried along the motion between them (neighbour's flow to the anchor,
 * composed with the flow to the neighbour). Each vote is weighted by its confidence, so an occluded neighbour does
 * not pull. Smooth correspondence in time means the carried edit does not flicker or swim.
 */
import { Graph } from './onnx/graph';
import { warp } from './ops';

export function buildTemporal(): Graph {
  const g = new Graph('temporal', 'Confidence-weighted smoothing of flow-to-anchor over a 3-frame window along motion.');
  const flow = g.input('flow', [1, 2, 'H', 'W']);
  const conf = g.input('conf', [1, 1, 'H', 'W']);
  const prevFlow = g.input('prev_flow', [1, 2, 'H', 'W']);
  const prevConf = g.input('prev_conf', [1, 1, 'H', 'W']);
  const toPrev = g.input('to_prev', [1, 2, 'H', 'W']);
  const nextFlow = g.input('next_flow', [1, 2, 'H', 'W']);
  const nextConf = g.input('next_conf', [1, 1, 'H', 'W']);
  const toNext = g.input('to_next', [1, 2, 'H', 'W']);

  // One warp per neighbour carries its flow and confidence together (one sampling grid, not two).
  const prevCarried = warp(g, g.concat([prevFlow, prevConf]), toPrev);
  const nextCarried = warp(g, g.concat([nextFlow, nextConf]), toNext);
  const viaPrev = g.add(toPrev, g.channels(prevCarried, 0, 2));
  const viaNext = g.add(toNext, g.channels(nextCarried, 0, 2));
  const wSelf = g.mul(conf, g.scalar(2));
  const wPrev = g.channels(prevCarried, 2, 3);
  const wNext = g.channels(nextCarried, 2, 3);
  const total = g.add(g.add(g.add(wSelf, wPrev), wNext), g.scalar(1e-6));
  const smoothed = g.div(g.add(g.add(g.mul(flow, wSelf), g.mul(viaPrev, wPrev)), g.mul(viaNext, wNext)), total);
  // Smoothing may steady confidence but never raise it: a pixel its own chain rejected (revealed background) must
  // not borrow the confidence of the surface that covered it a frame earlier.
  const smoothedConf = g.min(conf, g.div(g.add(g.add(wSelf, wPrev), wNext), g.scalar(4)));
  g.output('flow_out', smoothed, [1, 2, 'H', 'W']);
  g.output('conf_out', smoothedConf, [1, 1, 'H', 'W']);
  return g;
}
