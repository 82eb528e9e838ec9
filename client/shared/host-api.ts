/**
 * The typed contract between the panel and the ExtendScript host (bolt-cep style: one namespace, JSON in and out).
 *
 * Host functions live under `$.global.AnchorFlowHost` (see host/). The panel calls them only through its typed
 * bridge (`evalHost('getContext')`), which serialises calls and applies a timeout. Every host function takes one
 * JSON-able argument and returns a `HostResult` serialised as a JSON string, because evalScript only carries strings.
 *
 * Types only: this file is compiled into the panel (browser), the panel's Node side and type-checked with the host.
 */

export type HostApp = 'PPRO' | 'AEFT';

export interface FrameRange {
  /** First frame, in the frame grid of the sequence/comp (inclusive). */
  startFrame: number;
  /** Number of frames. */
  frameCount: number;
  /** Frame rate of that grid. */
  fps: number;
}

export interface HostContext {
  app: HostApp;
  appVersion: string;
  /** Full path of the saved project file, or null for an unsaved project. */
  projectPath: string | null;
  /** Active sequence (Premiere) or comp (After Effects). */
  container: { name: string; id: string; width: number; height: number; pixelAspect: number; fps: number; durationFrames: number };
  /** The selected clip (Premiere track item) or layer (After Effects), with its range on the container's timeline. */
  selection: {
    name: string;
    /** Premiere: video track index (0 = V1). After Effects: layer index (1-based). */
    trackOrLayerIndex: number;
    /** Source media path, when the item has one. Never written to. */
    mediaPath: string | null;
    range: FrameRange;
    /** Start on the timeline in seconds. */
    startSeconds: number;
  };
  /** Work area (AE) or in/out (Premiere), when set. */
  workArea: FrameRange | null;
}

export interface ExportFramesArgs {
  range: FrameRange;
  /** Folder to write the PNG sequence into (created by the panel, inside the job folder). */
  folder: string;
}

export interface ExportFramesResult {
  folder: string;
  /** File names written, in frame order. */
  files: string[];
  /** Which route exported: AE render queue, Premiere Media Encoder, or exportAsMediaDirect. */
  method: 'aeRenderQueue' | 'ameEncodeSequence' | 'exportAsMediaDirect';
}

export interface ImportResultArgs {
  /** First PNG of a numbered sequence, or an encoded clip (.mov/.mp4). */
  path: string;
  /**
   * Where to place it: directly above the selection captured in `context`, in the sequence/comp it was captured from
   * (`context.container.id` / `.name`). The host refuses with `wrong-container` when another one is active, rather
   * than placing the result in the wrong timeline.
   */
  placement: { selection: HostContext['selection']; fps: number; containerId: string; containerName: string };
  /** Bin / folder name to import into. */
  binName: string;
}

export interface ImportResultResult {
  /** Project item / footage id created by the import. */
  itemName: string;
  /** Premiere: video track index it was placed on. AE: index of the new layer. */
  trackOrLayerIndex: number;
  startSeconds: number;
}

export interface HostApi {
  getContext(args: Record<string, never>): HostContext;
  exportFrames(args: ExportFramesArgs): ExportFramesResult;
  importResult(args: ImportResultArgs): ImportResultResult;
}

export type HostErrorCode =
  | 'no-project'
  | 'no-sequence'
  | 'no-selection'
  /** importResult: the active sequence/comp is not the one the frames were captured from. */
  | 'wrong-container'
  | 'nothing-to-import'
  | 'frame-count-mismatch'
  | 'no-free-track'
  | 'export-failed'
  | 'import-failed'
  | 'internal';

export type HostResult<T> = { ok: true; value: T } | { ok: false; error: { code: HostErrorCode; message: string } };

export const HOST_NAMESPACE = 'AnchorFlowHost';
