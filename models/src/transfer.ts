/**
 * Zero stage (after Zero-to-Hero): transfer the anchor's *edit* to a target frame along the correspondence.
 *
 * Two transfers are made and mixed per pixel by how well a local colour model explained the edit at the anchor:
 *  - colour: the anchor's local affine colour transform (A·x + b, fitted between original and edited anchor, see
 *    pipeline/anchor-model.ts) is carried to the frame and applied to the frame's OWN pixels — detail, lighting and
 *    pose stay the frame's;
 *  - content: for paint/decals the colour model cannot explain, the edited anchor is warped, and re-lit by the
 *    low-frequency gain between the frame and the warped original anchor.
 * Everything anchor-side that is smooth (coefficients, gain, confidence) travels at flow resolution and is upsampled;
 * only the edited pixels and the edit mask are warped at full resolution.
 *
 * `frame` may be a crop of the full frame (the region the edit can reach): `origin` is the crop's top-left corner in
 * full-resolution pixels, `flow_scale` the full-resolution pixels per flow-resolution pixel. The frame-side
 * flow-resolution inputs (flow, confidence, frame_low, fill) likewise cover only a box around the crop, whose
 * top-left corner is `low_origin` in flow-resolution pixels (pipeline/transfer.ts `flowBoxOf` leaves the margin the
 * box filter and bilinear upsampling need, so the result equals that of whole fields).
 */
import { Graph } from './onnx/graph';
import { channelPlane, cropUpsampler, pixelGrid, sampleAt } from './ops';

export const COEFF_CHANNELS = 12; // A (3×3, row-major: out channel × in channel) then b (3)

export function buildTransfer(): Graph {
  const g = new Graph('transfer', 'Zero stage: correspondence-guided transfer of the anchor edit to a frame.');
  const frame = g.input('frame', [1, 3, 'H', 'W']);
  const anchorStack = g.input('anchor_stack', [1, 5, 'H', 'W']);
  // The frame-side flow-resolution fields cover only a box around the crop (hb × wb, top-left `low_origin`); the
  // anchor-side ones (coeffs, anchor_low) are whole, since the correspondence may point anywhere in the anchor.
  const flow = g.input('flow', [1, 2, 'hb', 'wb']);
  const flowScale = g.input('flow_scale', [1, 2, 1, 1]);
  const origin = g.input('origin', [1, 2, 1, 1]);
  const lowOrigin = g.input('low_origin', [1, 2, 1, 1]);
  const confidence = g.input('confidence', [1, 1, 'hb', 'wb']);
  const coeffs = g.input('coeffs', [1, COEFF_CHANNELS, 'h', 'w']);
  const anchorLow = g.input('anchor_low', [1, 3, 'h', 'w']);
  const frameLow = g.input('frame_low', [1, 3, 'hb', 'wb']);
  const fill = g.input('fill', [1, 1, 'hb', 'wb']);

  const boxGrid = pixelGrid(g, flow);
  const anchorSide = sampleAt(
    g,
    g.concat([coeffs, anchorLow]),
    g.add(g.add(boxGrid.x, channelPlane(g, lowOrigin, 0)), channelPlane(g, flow, 0)),
    g.add(g.add(boxGrid.y, channelPlane(g, lowOrigin, 1)), channelPlane(g, flow, 1)),
  );
  const coeffsAtFrame = g.channels(anchorSide, 0, COEFF_CHANNELS);
  const anchorLowAtFrame = g.channels(anchorSide, COEFF_CHANNELS, COEFF_CHANNELS + 3);
  // Low-frequency re-lighting of carried content; bounded so a bad match cannot blow colours up.
  const eps = g.scalar(0.02);
  const gain = g.clip(g.div(g.add(g.box(frameLow, 2), eps), g.add(g.box(anchorLowAtFrame, 2), eps)), 0.5, 2);
  // Full-resolution pixel centres of the crop, and the flow-resolution fields upsampled onto them (half-pixel centres).
  const grid = pixelGrid(g, frame);
  const fullX = g.add(grid.x, channelPlane(g, origin, 0));
  const fullY = g.add(grid.y, channelPlane(g, origin, 1));
  // The crop's origin relative to the box, in full-resolution pixels.
  const originInBox = g.sub(origin, g.mul(lowOrigin, flowScale));
  const upsample = cropUpsampler(g, flow, frame, originInBox, flowScale);
  const fullFlow = g.mul(upsample(flow), flowScale);
  const anchorX = g.add(fullX, channelPlane(g, fullFlow, 0));
  const anchorY = g.add(fullY, channelPlane(g, fullFlow, 1));
  const anchorAtFrame = sampleAt(g, anchorStack, anchorX, anchorY);

  const channel = (x: string, c: number) => g.channels(x, c, c + 1);
  // colour = A·frame + b per pixel: A's 9 planes as (out, in) pairs times the frame's planes broadcast over `out`,
  // summed over `in` (three whole-tensor ops instead of 18 plane-by-plane ones and their slices). The sum is a
  // batched MatMul by a row of ones, (1, 3) × (3 out, 3 in, pixels): onnxruntime's ReduceSum over a middle axis is
  // several times slower (Graph.weightedChannelSum).
  const matrix = upsample(g.channels(coeffsAtFrame, 0, 9));
  const offset = upsample(g.channels(coeffsAtFrame, 9, COEFF_CHANNELS));
  const pixelsFlat = (x: string, rows: number[]) => g.op('Reshape', [x, g.ints([...rows, -1])]);
  const products = g.mul(pixelsFlat(matrix, [3, 3]), pixelsFlat(frame, [1, 3]));
  const summed = g.op('MatMul', [g.constant([1, 1, 1], [1, 3]), products]);
  const colour = g.add(g.op('Reshape', [summed, g.op('Shape', [frame])]), offset);
  const content = g.mul(g.channels(anchorAtFrame, 0, 3), upsample(gain));
  // Confidence above ~0.5 means a proven correspondence: full strength. Below ~0.15 (occluders, unseen content)
  // the frame keeps its own pixels. A colour edit risks little from an imperfect correspondence (the coefficients
  // are smooth and apply to the frame's own pixels), so where the colour model explains the edit the ramp is
  // lower: 0.05 → 0.3.
  const explained = channel(anchorAtFrame, 4);
  const rampLow = g.sub(g.scalar(0.15), g.mul(explained, g.scalar(0.1)));
  const rampHigh = g.sub(g.scalar(0.5), g.mul(explained, g.scalar(0.2)));
  const trust = g.clip(g.div(g.sub(upsample(confidence), rampLow), g.sub(rampHigh, rampLow)), 0, 1);
  // Unsure pixels that belong to the edit by colour (pipeline/membership.ts: by the anchor's colours and the
  // neighbourhood, or at a colour edit's edge by the colours tracked around them) take the colour path.
  const alpha = g.max(g.mul(channel(anchorAtFrame, 3), trust), g.mul(upsample(fill), explained));

  g.output('colour', colour, [1, 3, 'H', 'W']);
  g.output('content', content, [1, 3, 'H', 'W']);
  g.output('explained', explained, [1, 1, 'H', 'W']);
  g.output('alpha', alpha, [1, 1, 'H', 'W']);
  return g;
}
