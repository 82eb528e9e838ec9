/** A tiny graph used to prove an execution provider works before a run trusts it: y = GridSample(x, grid) + 1. */
import { Graph } from './onnx/graph';
import { warp } from './ops';

export function buildSelfTest(): Graph {
  const g = new Graph('selftest', 'Device self-test: a warp and an add; compared with the CPU result.');
  const x = g.input('x', [1, 1, 'H', 'W']);
  const flow = g.input('flow', [1, 2, 'H', 'W']);
  g.output('y', g.add(warp(g, x, flow), g.scalar(1)), [1, 1, 'H', 'W']);
  return g;
}
