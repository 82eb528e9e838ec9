/**
 * Plain-TypeScript references for the ONNX graphs, written as the straightforward loops the maths describes (float64,
 * per pixel, per window) — deliberately not transcriptions of the graph code, so a wrong op, axis or attribute in a
 * graph shows up as a mismatch. Images are planar (NCHW with N = 1): channel c of a w×h image starts at c·w·h.
 */

export interface Planes {
  data: Float64Array | Float32Array;
  channels: number;
  width: number;
  height: number;
}

export function planes(data: Float64Array | Float32Array, channels: number, width: number, height: number): Planes {
  if (data.length !== channels * width * height) throw new Error(`expected ${channels * width * height} values, got ${data.length}`);
  return { data, channels, width, height };
}

export function at(p: Planes, c: number, x: number, y: number): number {
  return p.data[(c * p.height + y) * p.width + x];
}

export function make(channels: number, width: number, height: number, value: (c: number, x: number, y: number) => number): Planes {
  const data = new Float64Array(channels * width * height);
  for (let c = 0; c < channels; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = value(c, x, y);
  return { data, channels, width, height };
}

/** Mean over the part of the (2r+1)² window that lies inside the image (padding not counted). */
export function boxMeanRef(p: Planes, r: number): Planes {
  return make(p.channels, p.width, p.height, (c, x, y) => {
    let sum = 0;
    let count = 0;
    for (let yy = y - r; yy <= y + r; yy++) {
      for (let xx = x - r; xx <= x + r; xx++) {
        if (xx < 0 || yy < 0 || xx >= p.width || yy >= p.height) continue;
        sum += at(p, c, xx, yy);
        count++;
      }
    }
    return sum / count;
  });
}

/** Bilinear value at continuous pixel coordinates (centres at integers), coordinates clamped to the border. */
export function bilinearClamped(p: Planes, c: number, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), p.width - 1);
  const cy = Math.min(Math.max(y, 0), p.height - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const pick = (xx: number, yy: number) => at(p, c, Math.min(xx, p.width - 1), Math.min(yy, p.height - 1));
  return (1 - fy) * ((1 - fx) * pick(x0, y0) + fx * pick(x0 + 1, y0)) + fy * ((1 - fx) * pick(x0, y0 + 1) + fx * pick(x0 + 1, y0 + 1));
}

/** Backward warp: out(x) = src(x + flow(x)), flow channel 0 = dx, 1 = dy, in pixels; border clamp. */
export function warpRef(src: Planes, flow: Planes): Planes {
  return make(src.channels, flow.width, flow.height, (c, x, y) => bilinearClamped(src, c, x + at(flow, 0, x, y), y + at(flow, 1, x, y)));
}

/** Bilinear resize with half-pixel centres: output pixel o samples input position (o + 0.5)·in/out − 0.5. */
export function resizeRef(p: Planes, width: number, height: number): Planes {
  return make(p.channels, width, height, (c, x, y) =>
    bilinearClamped(p, c, ((x + 0.5) * p.width) / width - 0.5, ((y + 0.5) * p.height) / height - 0.5),
  );
}

/** Mean of each 2×2 block. */
export function downsample2Ref(p: Planes): Planes {
  return make(p.channels, p.width / 2, p.height / 2, (c, x, y) =>
    (at(p, c, 2 * x, 2 * y) + at(p, c, 2 * x + 1, 2 * y) + at(p, c, 2 * x, 2 * y + 1) + at(p, c, 2 * x + 1, 2 * y + 1)) / 4,
  );
}

/** Median of the 3×3 neighbourhood, edges replicated, by sorting the 9 values. */
export function median3Ref(p: Planes): Planes {
  return make(p.channels, p.width, p.height, (c, x, y) => {
    const values: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = Math.min(Math.max(x + dx, 0), p.width - 1);
        const yy = Math.min(Math.max(y + dy, 0), p.height - 1);
        values.push(at(p, c, xx, yy));
      }
    }
    values.sort((a, b) => a - b);
    return values[4];
  });
}

/**
 * Matching features: Y, Cb-like and Cr-like differences (BT.601 luma, B−Y, R−Y); each standardised by its local
 * mean and deviation over a (2r+1)² window (variance floor 4e-4 for Y, 1e-3 for colour), then the 3 colour values ×3.
 */
export function matchingFeaturesRef(rgb: Planes, r: number): Planes {
  const ycc = make(3, rgb.width, rgb.height, (c, x, y) => {
    const [R, G, B] = [at(rgb, 0, x, y), at(rgb, 1, x, y), at(rgb, 2, x, y)];
    const luma = 0.299 * R + 0.587 * G + 0.114 * B;
    return c === 0 ? luma : c === 1 ? B - luma : R - luma;
  });
  const floors = [4e-4, 1e-3, 1e-3];
  return make(6, rgb.width, rgb.height, (c, x, y) => {
    if (c >= 3) return 3 * at(ycc, c - 3, x, y);
    let sum = 0;
    let sumSq = 0;
    let count = 0;
    for (let yy = Math.max(0, y - r); yy <= Math.min(rgb.height - 1, y + r); yy++) {
      for (let xx = Math.max(0, x - r); xx <= Math.min(rgb.width - 1, x + r); xx++) {
        const v = at(ycc, c, xx, yy);
        sum += v;
        sumSq += v * v;
        count++;
      }
    }
    const mean = sum / count;
    const variance = Math.max(0, sumSq / count - mean * mean);
    return (at(ycc, c, x, y) - mean) / Math.sqrt(variance + floors[c]);
  });
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/**
 * Chain: composed flow t→anchor = step + chain(x + step); forward–backward consistency of the step with a tolerance
 * of 0.01·(|step|² + |back(x+step)|²) + 0.5 px² (1 within it, 0 beyond twice it); confidence = min(consistency,
 * chain confidence carried along the step, coverage); pixels under confidence 0.25 take, in proportion, the
 * confidence-weighted mean flow of a 17×17 neighbourhood.
 */
export function chainRef(step: Planes, back: Planes, chainFlow: Planes, chainConf: Planes, coverage: Planes): { flow: Planes; conf: Planes } {
  const { width, height } = step;
  const composed = make(2, width, height, () => 0);
  const conf = make(1, width, height, () => 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = at(step, 0, x, y);
      const sy = at(step, 1, x, y);
      const px = x + sx;
      const py = y + sy;
      const bx = bilinearClamped(back, 0, px, py);
      const by = bilinearClamped(back, 1, px, py);
      const roundTrip = (sx + bx) ** 2 + (sy + by) ** 2;
      const tolerance = 0.01 * (sx * sx + sy * sy + bx * bx + by * by) + 0.5;
      const consistent = clamp(2 - roundTrip / tolerance, 0, 1);
      const carried = bilinearClamped(chainConf, 0, px, py);
      const i = y * width + x;
      conf.data[i] = Math.min(carried, consistent, at(coverage, 0, x, y));
      composed.data[i] = sx + bilinearClamped(chainFlow, 0, px, py);
      composed.data[width * height + i] = sy + bilinearClamped(chainFlow, 1, px, py);
    }
  }
  const flow = make(2, width, height, (c, x, y) => {
    let num = 0;
    let den = 0;
    let count = 0;
    for (let yy = Math.max(0, y - 8); yy <= Math.min(height - 1, y + 8); yy++) {
      for (let xx = Math.max(0, x - 8); xx <= Math.min(width - 1, x + 8); xx++) {
        const w = at(conf, 0, xx, yy) + 1e-4;
        num += w * at(composed, c, xx, yy);
        den += w;
        count++;
      }
    }
    void count;
    const k = clamp(at(conf, 0, x, y) / 0.25, 0, 1);
    return k * at(composed, c, x, y) + (1 - k) * (num / den);
  });
  return { flow, conf };
}

/**
 * Temporal: weighted mean of own flow (weight 2·conf) and the two neighbours' votes carried along the motion, each
 * weighted by the neighbour's confidence × (1 − own confidence) × exp(−|vote − own|² / σ²); confidence unchanged.
 */
export function temporalRef(inputs: Record<string, Planes>, sigma: number): { flow: Planes; conf: Planes } {
  const { flow, conf, prev_flow, prev_conf, to_prev, next_flow, next_conf, to_next } = inputs;
  const { width, height } = flow;
  const out = make(2, width, height, () => 0);
  const outConf = make(1, width, height, (c, x, y) => at(conf, 0, x, y));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const own = at(conf, 0, x, y);
      const vote = (neighbourFlow: Planes, neighbourConf: Planes, to: Planes) => {
        const nx = x + at(to, 0, x, y);
        const ny = y + at(to, 1, x, y);
        const via = [0, 1].map((c) => at(to, c, x, y) + bilinearClamped(neighbourFlow, c, nx, ny));
        const distance2 = (via[0] - at(flow, 0, x, y)) ** 2 + (via[1] - at(flow, 1, x, y)) ** 2;
        return { via, weight: bilinearClamped(neighbourConf, 0, nx, ny) * (1 - own) * Math.exp(-distance2 / (sigma * sigma)) };
      };
      const previous = vote(prev_flow, prev_conf, to_prev);
      const next = vote(next_flow, next_conf, to_next);
      const wSelf = 2 * own;
      for (let c = 0; c < 2; c++) {
        out.data[c * width * height + i] =
          (wSelf * at(flow, c, x, y) + previous.weight * previous.via[c] + next.weight * next.via[c]) / (wSelf + previous.weight + next.weight + 1e-6);
      }
    }
  }
  return { flow: out, conf: outConf };
}

/**
 * Transfer (Zero stage). `frame` is a crop of the full frame with its top-left corner at `origin` (full-resolution
 * pixels). Low-resolution fields (colour coefficients and anchor low image warped by the flow, the re-lighting
 * gain, confidence, the flow itself) are sampled bilinearly at each crop pixel's position on the flow grid,
 * ((X + 0.5) / scale − 0.5); the anchor stack is sampled at (X, Y) + flow·scale. colour = A·frame + b;
 * content = warped edit × gain; alpha = max(warped mask × trust, fill × explained), trust a ramp of confidence from
 * 0.15 → 0.5, lowered towards 0.05 → 0.3 as explained → 1.
 */
export function transferRef(inputs: Record<string, Planes>, flowScale: [number, number], origin: [number, number] = [0, 0]): Record<'colour' | 'content' | 'explained' | 'alpha', Planes> {
  const { frame, anchor_stack, flow, confidence, coeffs, anchor_low, frame_low, fill } = inputs;
  const { width, height } = frame;
  const coeffsAt = warpRef(coeffs, flow);
  const anchorLowAt = boxMeanRef(warpRef(anchor_low, flow), 2);
  const frameLowBox = boxMeanRef(frame_low, 2);
  const gain = make(3, flow.width, flow.height, (c, x, y) => clamp((at(frameLowBox, c, x, y) + 0.02) / (at(anchorLowAt, c, x, y) + 0.02), 0.5, 2));
  const onGrid = (p: Planes) =>
    make(p.channels, width, height, (c, x, y) =>
      bilinearClamped(p, c, (x + origin[0] + 0.5) / flowScale[0] - 0.5, (y + origin[1] + 0.5) / flowScale[1] - 0.5),
    );
  const coeffsFull = onGrid(coeffsAt);
  const gainFull = onGrid(gain);
  const confFull = onGrid(confidence);
  const fillFull = onGrid(fill);
  const flowFull = onGrid(flow);
  const anchorAt = make(anchor_stack.channels, width, height, (c, x, y) =>
    bilinearClamped(anchor_stack, c, x + origin[0] + at(flowFull, 0, x, y) * flowScale[0], y + origin[1] + at(flowFull, 1, x, y) * flowScale[1]),
  );
  const colour = make(3, width, height, (o, x, y) => {
    let v = at(coeffsFull, 9 + o, x, y);
    for (let k = 0; k < 3; k++) v += at(coeffsFull, o * 3 + k, x, y) * at(frame, k, x, y);
    return v;
  });
  const content = make(3, width, height, (c, x, y) => at(anchorAt, c, x, y) * at(gainFull, c, x, y));
  const explained = make(1, width, height, (_c, x, y) => at(anchorAt, 4, x, y));
  const alpha = make(1, width, height, (_c, x, y) =>
    {
      const e = at(anchorAt, 4, x, y);
      const [lo, hi] = [0.15 - 0.1 * e, 0.5 - 0.2 * e];
      return Math.max(at(anchorAt, 3, x, y) * clamp((at(confFull, 0, x, y) - lo) / (hi - lo), 0, 1), at(fillFull, 0, x, y) * e);
    },
  );
  return { colour, content, explained, alpha };
}

/** He et al.'s guided filter of single-channel `p` with grey guide `guide` (box means of radius r). */
export function guidedFilterRef(guide: Planes, p: Planes, radius: number, eps: number): Planes {
  const { width, height } = guide;
  const product = (a: Planes, b: Planes) => make(1, width, height, (_c, x, y) => at(a, 0, x, y) * at(b, 0, x, y));
  const meanI = boxMeanRef(guide, radius);
  const meanP = boxMeanRef(p, radius);
  const meanIP = boxMeanRef(product(guide, p), radius);
  const meanII = boxMeanRef(product(guide, guide), radius);
  const a = make(1, width, height, (_c, x, y) => (at(meanIP, 0, x, y) - at(meanI, 0, x, y) * at(meanP, 0, x, y)) / (at(meanII, 0, x, y) - at(meanI, 0, x, y) ** 2 + eps));
  const b = make(1, width, height, (_c, x, y) => at(meanP, 0, x, y) - at(a, 0, x, y) * at(meanI, 0, x, y));
  const meanA = boxMeanRef(a, radius);
  const meanB = boxMeanRef(b, radius);
  return make(1, width, height, (_c, x, y) => at(meanA, 0, x, y) * at(guide, 0, x, y) + at(meanB, 0, x, y));
}

/**
 * Restore (Hero stage): content sharpened by an unsharp mask of gain 0.3 over a 3×3 box; mixed with the colour path
 * by `explained`; clamped to [edit_low, edit_high] and [0, 1]. Alpha: guided filter (radius 3, eps 1e-3) with the
 * frame's Rec. 601 luma as guide, re-sharpened clamp((q − 0.25)/0.5, 0, 1), mixed with the input alpha by
 * `explained`, feathered inward = min(α, 3×3 box of α).
 */
export function restoreRef(inputs: Record<string, Planes>, editLow: number[], editHigh: number[]): { layer: Planes; alpha: Planes } {
  const { frame, colour, content, explained, alpha } = inputs;
  const blurred = boxMeanRef(content, 1);
  const layer = make(3, colour.width, colour.height, (c, x, y) => {
    const sharpened = at(content, c, x, y) + 0.3 * (at(content, c, x, y) - at(blurred, c, x, y));
    const e = at(explained, 0, x, y);
    const mixed = e * at(colour, c, x, y) + (1 - e) * sharpened;
    return clamp(clamp(mixed, editLow[c], editHigh[c]), 0, 1);
  });
  const luma = make(1, frame.width, frame.height, (_c, x, y) => 0.299 * at(frame, 0, x, y) + 0.587 * at(frame, 1, x, y) + 0.114 * at(frame, 2, x, y));
  const snapped = guidedFilterRef(luma, alpha, 3, 1e-3);
  const seamed = make(1, frame.width, frame.height, (_c, x, y) => {
    const e = at(explained, 0, x, y);
    return e * clamp((at(snapped, 0, x, y) - 0.25) / 0.5, 0, 1) + (1 - e) * at(alpha, 0, x, y);
  });
  const blurredSeamed = boxMeanRef(seamed, 1);
  const feathered = make(1, colour.width, colour.height, (_c, x, y) => Math.min(at(seamed, 0, x, y), at(blurredSeamed, 0, x, y)));
  return { layer, alpha: feathered };
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
