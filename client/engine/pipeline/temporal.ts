/**
 * Temporal stage: steadies each chain state with its two neighbours along the motion where it is in doubt (see
 * models/src/temporal.ts).
 * Runs as a one-frame delay over the chain's sequence of links, so memory stays three states deep.
 */
import type { FlowGrid } from './anchor-model';
import type { ChainLink, ChainModels, ChainState } from './correspondence';
import { runModel } from './tensors';

export async function smoothState(models: ChainModels, grid: FlowGrid, previous: ChainState, current: ChainLink, next: ChainLink | null): Promise<ChainState> {
  const dims1 = [1, 1, grid.height, grid.width];
  const dims2 = [1, 2, grid.height, grid.width];
  // Without a next frame (chain end) the frame votes for itself in the next one's place.
  const nextFlow = next ? next.state.flow : current.state.flow;
  const nextConf = next ? next.state.conf : current.state.conf;
  const toNext = next ? next.fromPrevious : new Float32Array(current.state.flow.length);
  const out = await runModel(models, 'temporal', {
    flow: { data: current.state.flow, dims: dims2 },
    conf: { data: current.state.conf, dims: dims1 },
    prev_flow: { data: previous.flow, dims: dims2 },
    prev_conf: { data: previous.conf, dims: dims1 },
    to_prev: { data: current.toPrevious, dims: dims2 },
    next_flow: { data: nextFlow, dims: dims2 },
    next_conf: { data: nextConf, dims: dims1 },
    to_next: { data: toNext, dims: dims2 },
  });
  return { index: current.state.index, flow: out.flow_out, conf: out.conf_out };
}
