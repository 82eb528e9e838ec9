/** An RGB image as the pipeline sees it: planar float32 in [0, 1] (R plane, then G, then B). */
export interface RgbImage {
  width: number;
  height: number;
  /** length 3 * width * height */
  data: Float32Array;
  /** Bit depth of the source file; outputs keep it (8 or 16). */
  bitDepth: 8 | 16;
}

/** A single-channel image (masks, alpha, confidence): float32 in [0, 1]. */
export interface GreyImage {
  width: number;
  height: number;
  /** length width * height */
  data: Float32Array;
}
