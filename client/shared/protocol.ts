/**
 * The engine's wire protocol: JSON lines over stdio.
 *
 * - `anchorflow propagate --json` prints one `EngineEvent` per line on stdout.
 * - `anchorflow serve` (the process the panel spawns) reads one `EngineCommand` per line on stdin and answers with
 *   `EngineEvent`s carrying the command's `id`.
 *
 * This file is shared by the engine (Node >= 18.17) and the panel's Node side (CEP's Node 15.9/17.7), so it holds
 * types only: no imports, no runtime code.
 */

/** One anchor: frame index (zero-based, frames sorted by name) and the edited image for that frame. */
export interface AnchorSpec {
  index: number;
  image: string;
}

/** An edit mask for one frame (white = may change). Usually given at an anchor index. */
export interface MaskSpec {
  index: number;
  image: string;
}

export type DeviceName = 'auto' | 'cpu' | 'webgpu' | 'dml' | 'coreml' | 'cuda';

export interface PropagateRequest {
  /** A folder of frames (PNG/JPEG/TIFF, sorted by file name) or a video file. */
  frames: string;
  anchors: AnchorSpec[];
  masks: MaskSpec[];
  /** Output folder: one PNG per frame, same base name as the source frame (video: 00000.png, ...). */
  out: string;
  /** Also encode a clip (ProRes 4444 with alpha for `layer`, H.264 otherwise). */
  encode?: string;
  /** Write the edit layer alone with alpha instead of full frames. */
  layer?: boolean;
  device?: DeviceName;
  /** Optional sub-range [first, last] (inclusive) to render; gives the same frames as a full run. */
  range?: [number, number];
  /** Frames per second for --encode when the source is a folder. */
  fps?: number;
}

export interface FrameStats {
  index: number;
  /** Output file written for this frame. */
  file: string;
  /** Fraction of the frame that the edit covers (0..1). */
  coverage: number;
  /** Mean correspondence confidence inside the edit region (0..1); low values suggest a new anchor. */
  confidence: number;
}

export interface PropagateResult {
  out: string;
  frames: FrameStats[];
  encoded?: string;
  device: string;
  seconds: number;
  /** Milliseconds spent per pipeline stage over the run (capture, correspondence, transfer, restore, …). */
  stageMs?: Record<string, number>;
}

export type ErrorCode = 'bad-input' | 'cancelled' | 'internal';

export type EngineEvent =
  | {
      event: 'progress';
      id?: string;
      stage: string;
      done: number;
      total: number;
      /** Seconds left, null until it can be estimated. */
      etaSeconds: number | null;
      message?: string;
      /** Small JPEG data URL of the latest finished frame (serve mode only). */
      preview?: { index: number; dataUrl: string };
    }
  | { event: 'warning'; id?: string; message: string }
  | { event: 'done'; id?: string; result: unknown }
  | { event: 'error'; id?: string; code: ErrorCode; message: string };

export type EngineCommand =
  | { id: string; cmd: 'propagate'; request: PropagateRequest }
  | { id: string; cmd: 'cancel'; target: string }
  | { id: string; cmd: 'ping' }
  /** Write the anchor as a layered PSD: locked "Original" layer below, empty "Edit" layer above. */
  | { id: string; cmd: 'writeAnchorPsd'; frame: string; psd: string }
  /**
   * Read a designer's file (PSD, PNG, TIFF) back: writes the edited anchor (composite) and, for a PSD, the mask
   * (alpha of the "Edit" layer) as PNGs. Result: { image: string; mask?: string; warnings: string[] }.
   */
  | { id: string; cmd: 'readAnchor'; file: string; frame: string; outImage: string; outMask: string }
  /** Small JPEG thumbnails of frames for the filmstrip. Result: { thumbnails: { index: number; file: string }[] }. */
  | { id: string; cmd: 'thumbnails'; frames: string; outDir: string; height: number };
