/**
 * Quality metrics for edit propagation against an exact ground truth. Pure functions over 8-bit interleaved RGB.
 *
 * - edit region: pixels where the ground truth differs from the source (in any channel), per frame;
 * - keep region: every other pixel (the engine must leave them as they were);
 * - PSNR pools the squared error over all frames of the clip, then converts (so a clip is one number);
 * - flicker: for each pair of consecutive frames, the mean |(out - gt)_t - (out - gt)_{t-1}| over the union of both
 *   frames' edit regions (8-bit levels), averaged over the pairs. An error that stays put scores 0; one that
 *   crawls or pulses scores high.
 */

export interface QualityResult {
  /** dB; Infinity when exact, NaN when the clip has no such pixels. */
  editPsnr: number;
  keepPsnr: number;
  /** 8-bit levels; NaN when no frame pair has an edit region. */
  flicker: number;
  editPixels: number;
  keepPixels: number;
  frames: number;
}

/** PSNR (dB, peak 255) of a summed squared error over `samples` channel values. */
export function psnrFromSse(sse: number, samples: number): number {
  if (samples === 0) return NaN;
  if (sse === 0) return Infinity;
  return 10 * Math.log10((255 * 255 * samples) / sse);
}

/** 255 where `groundTruth` differs from `source` in any channel. */
export function editMaskOf(groundTruth: Uint8Array, source: Uint8Array): Uint8Array {
  const n = source.length / 3;
  const mask = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const i = p * 3;
    if (groundTruth[i] !== source[i] || groundTruth[i + 1] !== source[i + 1] || groundTruth[i + 2] !== source[i + 2]) {
      mask[p] = 255;
    }
  }
  return mask;
}

/** Accumulates a clip's metrics frame by frame, in order, holding only the previous frame's error. */
export class QualityAccumulator {
  private editSse = 0;
  private keepSse = 0;
  private editPixels = 0;
  private keepPixels = 0;
  private frames = 0;
  private flickerSum = 0;
  private flickerPairs = 0;
  private previousError: Int16Array | undefined;
  private previousMask: Uint8Array | undefined;

  /** `editMask` defaults to where `groundTruth` differs from `source`. */
  addFrame(output: Uint8Array, groundTruth: Uint8Array, source: Uint8Array, editMask?: Uint8Array): void {
    if (output.length !== groundTruth.length || source.length !== groundTruth.length) {
      throw new Error(`frame ${this.frames}: output, ground truth and source differ in size`);
    }
    const mask = editMask ?? editMaskOf(groundTruth, source);
    const error = new Int16Array(output.length);
    const n = mask.length;
    for (let p = 0; p < n; p++) {
      const i = p * 3;
      const e0 = output[i] - groundTruth[i];
      const e1 = output[i + 1] - groundTruth[i + 1];
      const e2 = output[i + 2] - groundTruth[i + 2];
      error[i] = e0;
      error[i + 1] = e1;
      error[i + 2] = e2;
      const se = e0 * e0 + e1 * e1 + e2 * e2;
      if (mask[p] !== 0) {
        this.editSse += se;
        this.editPixels++;
      } else {
        this.keepSse += se;
        this.keepPixels++;
      }
    }
    if (this.previousError && this.previousMask) {
      const change = meanErrorChange(this.previousError, error, this.previousMask, mask);
      if (!Number.isNaN(change)) {
        this.flickerSum += change;
        this.flickerPairs++;
      }
    }
    this.previousError = error;
    this.previousMask = mask;
    this.frames++;
  }

  result(): QualityResult {
    return {
      editPsnr: psnrFromSse(this.editSse, this.editPixels * 3),
      keepPsnr: psnrFromSse(this.keepSse, this.keepPixels * 3),
      flicker: this.flickerPairs > 0 ? this.flickerSum / this.flickerPairs : NaN,
      editPixels: this.editPixels,
      keepPixels: this.keepPixels,
      frames: this.frames,
    };
  }
}

/** Mean absolute change of the error between two frames over the union of their edit masks; NaN if empty. */
export function meanErrorChange(previous: Int16Array, current: Int16Array, previousMask: Uint8Array, mask: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0 && previousMask[p] === 0) continue;
    const i = p * 3;
    sum += Math.abs(current[i] - previous[i]) + Math.abs(current[i + 1] - previous[i + 1]) + Math.abs(current[i + 2] - previous[i + 2]);
    count += 3;
  }
  return count > 0 ? sum / count : NaN;
}

/** Convenience: metrics of a whole clip held in memory. */
export function measureClip(outputs: Uint8Array[], groundTruth: Uint8Array[], sources: Uint8Array[]): QualityResult {
  const acc = new QualityAccumulator();
  outputs.forEach((out, i) => acc.addFrame(out, groundTruth[i], sources[i]));
  return acc.result();
}
