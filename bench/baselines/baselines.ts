/**
 * The two baselines of the benchmark, built on OpenCV.js only:
 * - flow-warp: Farnebäck flow from each frame to its anchor, `remap` the edited anchor (and its mask) into the
 *   frame, and show the warped anchor inside the warped mask, the source elsewhere;
 * - roto+grade: fit one colour matrix between the original and edited anchor inside its mask, track the mask with
 *   the same flow, and apply the matrix to the frame's own pixels inside the tracked mask.
 * With several anchors each frame uses the nearest one. The flow is computed once per frame and shared.
 */
import { fitColourMatrix, type Matrix3x4 } from './colour-fit';
import { loadOpenCv, type OpenCv } from './opencv';

export interface BaselineAnchor {
  index: number;
  /** Source frame at the anchor (RGB). */
  original: Uint8Array;
  /** The edited anchor (RGB). */
  edited: Uint8Array;
  /** One byte per pixel, > 127 = edited region. */
  mask: Uint8Array;
}

export interface BaselineFrame {
  flowWarp: Uint8Array;
  rotoGrade: Uint8Array;
  /** Milliseconds spent on the shared flow, and on each method's own work (tracked mask included). */
  flowMs: number;
  flowWarpMs: number;
  rotoGradeMs: number;
}

/** Farnebäck settings a compositor would reach for: deep pyramid for large motion, a fairly wide window. */
const FARNEBACK = { pyrScale: 0.5, levels: 5, winSize: 21, iterations: 3, polyN: 7, polySigma: 1.5, flags: 0 };

type Mat = InstanceType<OpenCv['Mat']>;

/** A frame's flow to its nearest anchor, as an absolute backward map (CV_32FC2) ready for `remap`. */
export interface FrameFlow {
  anchorIndex: number;
  map: Mat;
  ms: number;
  dispose(): void;
}

/** Farnebäck flow from each frame to its nearest anchor. One per clip; shared by every edit of that clip. */
export class AnchorFlow {
  private constructor(
    private readonly cv: OpenCv,
    private readonly width: number,
    private readonly height: number,
    private readonly anchors: Array<{ index: number; grey: Mat }>,
  ) {}

  static async create(width: number, height: number, anchors: Array<{ index: number; original: Uint8Array }>): Promise<AnchorFlow> {
    if (anchors.length === 0) throw new Error('the baselines need at least one anchor');
    const { cv } = await loadOpenCv();
    return new AnchorFlow(cv, width, height, anchors.map((a) => ({ index: a.index, grey: greyMat(cv, a.original, width, height) })));
  }

  flowTo(index: number, source: Uint8Array): FrameFlow {
    const { cv, width, height } = this;
    let anchor = this.anchors[0];
    for (const a of this.anchors) if (Math.abs(a.index - index) < Math.abs(anchor.index - index)) anchor = a;
    const t0 = performance.now();
    const grey = greyMat(cv, source, width, height);
    const flow = new cv.Mat();
    // Flow from this frame to the anchor: frame(x) ≈ anchor(x + flow(x)), i.e. a backward map for remap.
    cv.calcOpticalFlowFarneback(
      grey, anchor.grey, flow,
      FARNEBACK.pyrScale, FARNEBACK.levels, FARNEBACK.winSize, FARNEBACK.iterations,
      FARNEBACK.polyN, FARNEBACK.polySigma, FARNEBACK.flags,
    );
    grey.delete();
    const map = flow.data32F;
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i += 2) {
        map[i] += x;
        map[i + 1] += y;
      }
    }
    return { anchorIndex: anchor.index, map: flow, ms: performance.now() - t0, dispose: () => flow.delete() };
  }

  dispose(): void {
    for (const a of this.anchors) a.grey.delete();
  }
}

/** One edit's anchors, warped by a frame's flow: both baselines' outputs for that frame. */
export class BaselineEdit {
  private constructor(
    private readonly cv: OpenCv,
    private readonly anchors: Map<number, { edited: Mat; mask: Mat; matrix: Matrix3x4 }>,
  ) {}

  static async create(width: number, height: number, anchors: BaselineAnchor[]): Promise<BaselineEdit> {
    const { cv } = await loadOpenCv();
    const prepared = new Map<number, { edited: Mat; mask: Mat; matrix: Matrix3x4 }>();
    for (const a of anchors) {
      prepared.set(a.index, {
        edited: matFrom(cv, a.edited, width, height, cv.CV_8UC3),
        mask: matFrom(cv, a.mask, width, height, cv.CV_8UC1),
        matrix: fitColourMatrix(cv, a.original, a.edited, a.mask),
      });
    }
    return new BaselineEdit(cv, prepared);
  }

  apply(flow: FrameFlow, source: Uint8Array): Omit<BaselineFrame, 'flowMs'> & { maskMs: number } {
    const { cv } = this;
    const anchor = this.anchors.get(flow.anchorIndex);
    if (!anchor) throw new Error(`no edit for anchor ${flow.anchorIndex}`);
    const t0 = performance.now();
    const noMap = new cv.Mat();
    const warpedMask = new cv.Mat();
    // Replicate at the borders: content that enters the frame keeps the mask state of the edge it came from.
    cv.remap(anchor.mask, warpedMask, flow.map, noMap, cv.INTER_LINEAR, cv.BORDER_REPLICATE);
    const t1 = performance.now();
    const warpedEdited = new cv.Mat();
    cv.remap(anchor.edited, warpedEdited, flow.map, noMap, cv.INTER_LINEAR, cv.BORDER_REPLICATE);
    const flowWarp = blend(source, warpedEdited.data, warpedMask.data);
    warpedEdited.delete();
    const t2 = performance.now();
    const rotoGrade = blend(source, applyMatrix(source, anchor.matrix), warpedMask.data);
    const t3 = performance.now();
    warpedMask.delete();
    noMap.delete();
    // Both methods need the tracked mask: its cost is counted in each.
    return { flowWarp, rotoGrade, maskMs: t1 - t0, flowWarpMs: t1 - t0 + (t2 - t1), rotoGradeMs: t1 - t0 + (t3 - t2) };
  }

  dispose(): void {
    for (const a of this.anchors.values()) {
      a.edited.delete();
      a.mask.delete();
    }
  }
}

/** Convenience for a clip with one edit: flow and both baselines per frame. */
export class Baselines {
  private constructor(private readonly flow: AnchorFlow, private readonly edit: BaselineEdit) {}

  static async create(width: number, height: number, anchors: BaselineAnchor[]): Promise<Baselines> {
    return new Baselines(await AnchorFlow.create(width, height, anchors), await BaselineEdit.create(width, height, anchors));
  }

  process(index: number, source: Uint8Array): BaselineFrame {
    const flow = this.flow.flowTo(index, source);
    try {
      const r = this.edit.apply(flow, source);
      return { flowWarp: r.flowWarp, rotoGrade: r.rotoGrade, flowMs: flow.ms, flowWarpMs: r.flowWarpMs, rotoGradeMs: r.rotoGradeMs };
    } finally {
      flow.dispose();
    }
  }

  dispose(): void {
    this.flow.dispose();
    this.edit.dispose();
  }
}

/** Mixes `inside` over `source` by a 0..255 mask; pixels with mask 0 are the source, bit-exact. */
function blend(source: Uint8Array, inside: Uint8Array, mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(source.length);
  for (let p = 0; p < mask.length; p++) {
    const m = mask[p] / 255;
    const i = p * 3;
    for (let c = 0; c < 3; c++) {
      out[i + c] = m === 0 ? source[i + c] : Math.round(source[i + c] + (inside[i + c] - source[i + c]) * m);
    }
  }
  return out;
}

function applyMatrix(source: Uint8Array, m: Matrix3x4): Uint8Array {
  const out = new Uint8Array(source.length);
  for (let i = 0; i < source.length; i += 3) {
    const r = source[i];
    const g = source[i + 1];
    const b = source[i + 2];
    for (let c = 0; c < 3; c++) {
      const v = m[c * 4] * r + m[c * 4 + 1] * g + m[c * 4 + 2] * b + m[c * 4 + 3];
      out[i + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

function matFrom(cv: OpenCv, pixels: Uint8Array, width: number, height: number, type: number) {
  const mat = new cv.Mat(height, width, type);
  mat.data.set(pixels);
  return mat;
}

function greyMat(cv: OpenCv, rgb: Uint8Array, width: number, height: number) {
  const colour = matFrom(cv, rgb, width, height, cv.CV_8UC3);
  const grey = new cv.Mat();
  cv.cvtColor(colour, grey, cv.COLOR_RGB2GRAY);
  colour.delete();
  return grey;
}
