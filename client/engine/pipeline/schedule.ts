/**
 * Which anchors serve which frames, and in what order chains walk. Pure.
 *
 * Frames before the first anchor are served by it alone (walking backwards), frames after the last anchor by it
 * alone, and frames between two anchors by both (one chain from each side). A chain always starts at its anchor and
 * walks every frame up to the other end of its segment that is needed, so a frame's result does not depend on which
 * range was asked for: rendering frames 30–35 alone gives the same frames as a full run.
 */

export interface Segment {
  /** Anchor that walks forwards into the segment (the anchor before it), or null for the head. */
  fromLeft: number | null;
  /** Anchor that walks backwards into the segment (the anchor after it), or null for the tail. */
  fromRight: number | null;
  /** First and last frame strictly inside the segment. */
  first: number;
  last: number;
  /** Frames of the segment to render (ascending). */
  render: number[];
}

export interface Plan {
  anchorFrames: number[];
  segments: Segment[];
}

export function planSegments(frameCount: number, anchorIndices: number[], range: [number, number]): Plan {
  const anchors = [...anchorIndices].sort((a, b) => a - b);
  const inRange = (t: number) => t >= range[0] && t <= range[1];
  const segments: Segment[] = [];
  const add = (fromLeft: number | null, fromRight: number | null, first: number, last: number) => {
    if (first > last) return;
    const render: number[] = [];
    for (let t = first; t <= last; t++) if (inRange(t)) render.push(t);
    if (render.length) segments.push({ fromLeft, fromRight, first, last, render });
  };
  add(null, anchors[0], 0, anchors[0] - 1);
  for (let i = 0; i + 1 < anchors.length; i++) add(anchors[i], anchors[i + 1], anchors[i] + 1, anchors[i + 1] - 1);
  add(anchors[anchors.length - 1], null, anchors[anchors.length - 1] + 1, frameCount - 1);
  return { anchorFrames: anchors.filter(inRange), segments };
}

/** One chain: from `anchor` in `direction`, giving states for frames up to `last`, never walking past `segmentEnd`. */
export interface ChainWalk {
  anchor: number;
  direction: 1 | -1;
  last: number;
  segmentEnd: number;
}

/** The chains a segment needs, in the order they run: when two anchors serve it, the backward chain first. */
export function chainWalksOf(segment: Segment): ChainWalk[] {
  const firstWanted = segment.render[0];
  const lastWanted = segment.render[segment.render.length - 1];
  const walks: ChainWalk[] = [];
  if (segment.fromRight !== null) walks.push({ anchor: segment.fromRight, direction: -1, last: firstWanted, segmentEnd: segment.first });
  if (segment.fromLeft !== null) walks.push({ anchor: segment.fromLeft, direction: 1, last: lastWanted, segmentEnd: segment.last });
  return walks;
}

/** The last frame a chain links: one beyond `last` (smoothing a state needs the next link), within the segment. */
export function linkEnd(walk: ChainWalk): number {
  const next = walk.last + walk.direction;
  return walk.direction > 0 ? Math.min(next, walk.segmentEnd) : Math.max(next, walk.segmentEnd);
}

/** Nearer anchors weigh more when two anchors serve a frame. */
export function temporalWeight(frame: number, anchor: number): number {
  return 1 / (1 + Math.abs(frame - anchor));
}
