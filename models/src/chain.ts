/**
 * Chain model: composes a neighbour step with the neighbour's flow to the anchor (flow_t→k = step + flow_s→k∘step)
 * and carries a confidence along it. Forward–backward consistency of the step marks occlusions: a pixel whose step
 * does not come back to itself had no counterpart in the neighbour, so whatever the chain says about it is unproven.
 * `coverage` (how much of the previous frame lands on each pixel, see pipeline/correspondence.ts) catches
 * disocclusions that consistency alone misses.
 */
import { Graph } from './onnx/graph';
import { warp } from './ops';

/** Chain confidence from which a pixel keeps its own composed motion entirely (below, it borrows in proportion). */
export const OWN_MOTION_CONFIDENCE = 0.25;

export function buildChain(): Graph {
  const g = new Graph('chain', 'Compose a neighbour flow with a flow to the anchor; forward-backward confidence.');
  const step = g.input('step_flow', [1, 2, 'H', 'W']);
  const back = g.input('back_flow', [1, 2, 'H', 'W']);
  const chainFlow = g.input('chain_flow', [1, 2, 'H', 'W']);
  const chainConf = g.input('chain_conf', [1, 1, 'H', 'W']);
  const coverage = g.input('coverage', [1, 1, 'H', 'W']);

  // One warp carries the chain's flow, the backward step and the chain's confidence (one sampling grid, not three).
  const carried = warp(g, g.concat([chainFlow, back, chainConf]), step);
  const composed = g.add(step, g.channels(carried, 0, 2));
  const backAtTarget = g.channels(carried, 2, 4);
  const roundTrip = g.add(step, backAtTarget);
  const sq = (v: string) => g.sumChannels(g.mul(v, v));
  // Sundaram et al. style tolerance: grows with the motion, plus half a pixel². Within it a step is fully
  // consistent (1), beyond twice it not at all (0).
  const tolerance = g.add(g.mul(g.add(sq(step), sq(backAtTarget)), g.scalar(0.01)), g.scalar(0.5));
  const consistent = g.clip(g.sub(g.scalar(2), g.div(sq(roundTrip), tolerance)), 0, 1);
  // A chain is as trustworthy as its weakest step: min, not a product (which would decay along any long chain).
  // Pixels the previous frame's motion does not land on were hidden there (disocclusion): the smoothed flows can
  // look consistent across a motion edge, so coverage is checked on its own.
  const conf = g.min(g.min(g.channels(carried, 4, 5), consistent), coverage);
  // Where the chain broke (occlusion), borrow the motion of confident neighbours: objects move coherently, and the
  // direct anchor match that follows starts from there. Only a broken chain borrows: a pixel with some confidence
  // keeps its own motion. Blended with a 17×17 neighbourhood, a small object's edge took its background's motion a
  // little more at every link, which matters where the pipeline keeps the chain's flow rather than the direct match
  // (pipeline/correspondence.ts refineTrust; measured on a real clip of an object approaching the camera).
  const weight = g.add(conf, g.scalar(1e-4));
  const neighbourFlow = g.div(g.box(g.mul(composed, weight), 8), g.box(weight, 8));
  const own = g.clip(g.div(conf, g.scalar(OWN_MOTION_CONFIDENCE)), 0, 1);
  const filled = g.add(g.mul(composed, own), g.mul(neighbourFlow, g.sub(g.scalar(1), own)));
  g.output('flow', filled, [1, 2, 'H', 'W']);
  g.output('conf', conf, [1, 1, 'H', 'W']);
  return g;
}
