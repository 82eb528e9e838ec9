/** An RGB image as the pipeline sees it: planar float32 in [0, 1] (R plane, then G, then B). */
export interface RgbImage {
  width: number;
  height: number;
  /** length 3 * width * height */
  data: Float32Array;
  /** Bit depth of the source file; outputs keep it (8 or 16). */
  bitDepth: 8 | 16;
  /**
   * The file's own samples, interleaved RGB, when it was decoded from a 3-channel file: outputs copy them for every
   * pixel the edit leaves alone (bit-exact by construction, and no float round trip over the whole frame). Only valid
   * while `data` is the file's unmodified pixels: anything that builds a new image from this one must not carry it.
   */
  fileSamples?: Uint8Array | Uint16Array;
}

/** A single-channel image (masks, alpha, confidence): float32 in [0, 1]. */
export interface GreyImage {
  width: number;
  height: number;
  /** length width * height */
  data: Float32Array;
}

/** Samples ready to encode: interleaved, 0..255 (8-bit) or 0..65535 (16-bit). */
export interface InterleavedImage {
  width: number;
  height: number;
  channels: 3 | 4;
  samples: Uint8Array | Uint16Array;
}
