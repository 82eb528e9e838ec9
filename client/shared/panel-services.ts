/**
 * The panel's only door to Node: what the React UI may ask of the file system, the engine process and the OS.
 *
 * Implemented by client/panel-node/ (runs on CEP's embedded Node 15.9 / 17.7 and on Node 20 in tests), bundled to
 * `<extension>/panel/node/services.js`, which exports `createServices: CreateServices`.
 *
 * Everything crossing this seam is JSON-able: every method takes at most one plain object and returns a Promise of a
 * plain object (or void); the only function ever passed is the single `emit` callback given to `createServices`.
 * That keeps the seam bridgeable over an RPC (the headless-Chromium test runs the Node side in the test process and
 * forwards calls with playwright's `exposeBinding`). Expected failures are values (`{ ok: false, ... }` or an outcome
 * status), not rejections, because a rejection crossing an RPC keeps only its message. A rejection means a bug.
 *
 * Types only (plus one name constant): no runtime imports, no runtime code.
 */
import type { DeviceName, EngineEvent, PropagateRequest, PropagateResult } from './protocol';

type EngineProgress = Extract<EngineEvent, { event: 'progress' }>;
import type { HostContext } from './host-api';

/** Given once to `createServices`. */
export interface ServicesOptions {
  /** Extension root (CEP: `getSystemPath('extension')`). The engine and models are found relative to it. */
  extensionRoot: string;
  /** Per-user data folder (CEP: `getSystemPath('userData')`): fallback job root for unsaved projects. */
  userDataDir: string;
  /**
   * Engine entry script (`bin/anchorflow.js`). Default: the one bundled in the extension. Tests point it at the repo's
   * built engine.
   */
  engineScript?: string;
}

/** Settings the user can change in the settings drawer; sent again whenever they change. */
export interface EngineSettings {
  /** Node >= 18.17 binary for the engine. Empty: the runtime bundled in the release, then `node` on PATH. */
  nodePath: string;
  device: DeviceName;
}

export type EngineCheck =
  | { ok: true; nodePath: string; nodeVersion: string }
  /** `message` says what is wrong, `nextStep` what the user should do (one line each). */
  | { ok: false; message: string; nextStep: string };

/** Where a job's files live; every path absolute. Created by `createJob`, never inside the user's media folders. */
export interface JobPaths {
  dir: string;
  /** Captured frames (PNG sequence written by the host export). */
  framesDir: string;
  /** Anchor images, designer files (PSD/PNG/TIFF) and dropped images. */
  anchorsDir: string;
  masksDir: string;
  /** Engine output: one PNG per frame. */
  resultsDir: string;
  /** Filmstrip thumbnails. */
  thumbsDir: string;
  /** `job.json`. */
  jobFile: string;
}

export interface CreateJobArgs {
  /** Project file path from the host, or null for an unsaved project (then `userDataDir` is used). */
  projectPath: string | null;
  /** Settings-drawer override for the job root; empty means "next to the project file". */
  jobRoot: string;
  /** Human part of the folder name, e.g. the clip name; sanitised by the implementation. */
  name: string;
  /**
   * The clip's source media path (`HostContext.selection.mediaPath`). The job folder must never lie in that media's
   * folder: a Settings job root inside it is refused, and a project saved among its media moves the default to
   * `userDataDir` (with a `warning` event).
   */
  mediaPath?: string | null;
}

/**
 * The answer of a call whose failure the user can fix (createJob, writeAnchorPsd): the value, or one line saying what
 * went wrong and one saying what to do next. The panel shows the failure as an error card; it never rejects for these.
 */
export type Attempt<T> = ({ ok: true } & T) | { ok: false; message: string; nextStep: string };

/** How to re-run a job from a terminal (stored in job.json by `writeJob`). */
export interface RerunCommand {
  /** Folder the command was written for (the job folder; every path in `argv` is absolute). */
  cwd: string;
  /** `npx anchorflow propagate ...`, one argument per entry. */
  argv: string[];
  /** `argv` quoted for the current OS's shell. */
  command: string;
  /** One-line caveats, e.g. "no anchors yet". */
  notes: string[];
}

/** `job.json`: enough to re-run the job from the CLI (`anchorflow propagate` with `request`). */
export interface JobRecord {
  version: 1;
  createdAt: string;
  updatedAt: string;
  /** The host selection the frames came from (null for a job made outside a host). */
  context: HostContext | null;
  /** The propagate request of the latest run (paths absolute). */
  request: PropagateRequest | null;
  settings: { device: DeviceName; output: OutputMode };
  /** Filled from the engine's `done` result. */
  engine: { version: string | null; device: string | null } | null;
  result: { out: string; frameCount: number; seconds: number } | null;
  /** The last host import, when done. */
  imported: { itemName: string; trackOrLayerIndex: number; startSeconds: number } | null;
  /** Added by `writeJob` (the panel need not send them): the CLI command that re-runs `request`, or null without one. */
  rerun?: RerunCommand | null;
  /** Added by `writeJob`: the engine's `ping` answer (version, Node, model summary), or null before the engine ran. */
  engineInfo?: unknown;
}

/** Full edited frames, or only the edit layer with alpha (to sit above the untouched original). */
export type OutputMode = 'frames' | 'layer';

export interface AnchorFiles {
  /** Edited anchor image (PNG) for the engine. */
  image: string;
  /** Edit mask (PNG, white = may change), when the source carried one (a PSD's "Edit" layer alpha). */
  mask?: string;
  /** One-line notes for the user, e.g. "PSD has no composite: composited the layers; re-save with Maximize Compatibility". */
  warnings: string[];
}

export type PropagateOutcome =
  | { status: 'done'; result: PropagateResult }
  | { status: 'cancelled'; message: string }
  /**
   * `engine-missing`: no usable Node/engine; `engine-crashed`: the process died mid-run (earlier results untouched);
   * others as the engine's protocol ErrorCode.
   */
  | { status: 'failed'; code: 'bad-input' | 'internal' | 'engine-missing' | 'engine-crashed'; message: string; nextStep: string };

/** Events pushed to the panel through the `emit` callback. */
export type ServicesEvent =
  /** The engine's progress event (stage, done/total, ETA, message, preview thumbnail), tagged with its run. */
  | ({ kind: 'progress'; runId: string } & Omit<EngineProgress, 'event' | 'id'>)
  | { kind: 'warning'; runId: string | null; message: string }
  /** A watched file was saved (debounced; its size stopped changing). */
  | { kind: 'file-changed'; watchId: string; file: string }
  /** The engine process exited outside a run (or during one, before the run's outcome is returned). */
  | { kind: 'engine-exit'; code: number | null; signal: string | null; stderrTail: string };

export interface PanelServices {
  /** Apply settings; a changed Node path restarts the engine on next use. */
  configure(settings: EngineSettings): Promise<void>;
  /** Start (if needed) and ping the engine. */
  checkEngine(): Promise<EngineCheck>;

  /**
   * Make a new job folder with its subfolders and an initial job.json. `ok: false` when the folder may not or cannot
   * be made (job root inside the clip's media folder, not writable, disk full).
   */
  createJob(args: CreateJobArgs): Promise<Attempt<{ paths: JobPaths }>>;
  readJob(args: { dir: string }): Promise<JobRecord | null>;
  /** Atomic write (temp file then rename). */
  writeJob(args: { dir: string; job: JobRecord }): Promise<void>;

  /** Image files (PNG/JPEG/TIFF) in a folder, sorted by name, absolute paths. Empty when the folder is missing. */
  listFrames(args: { dir: string }): Promise<{ files: string[] }>;
  /** Small JPEG thumbnails made by the engine, one per frame, in frame order. */
  thumbnails(args: { framesDir: string; outDir: string; height: number }): Promise<{ thumbnails: { index: number; file: string }[] }>;
  /** A file as a data: URL, so the page can show it whatever its origin (CEP file://, test http://). */
  readDataUrl(args: { file: string }): Promise<{ dataUrl: string }>;
  exists(args: { path: string }): Promise<{ exists: boolean; isDirectory: boolean }>;
  /** Write bytes the page holds (a dropped image) into `dir`, atomically; returns the absolute path written. */
  saveBytes(args: { dir: string; name: string; base64: string }): Promise<{ path: string }>;

  /**
   * Anchor as a layered PSD: locked "Original" below, empty "Edit" above (engine `writeAnchorPsd`). `ok: false` when
   * the engine is unavailable, crashed or could not write the file.
   */
  writeAnchorPsd(args: { frame: string; psd: string }): Promise<Attempt<{ psd: string }>>;
  /**
   * A designer's PSD/PNG/TIFF or a dropped image, read back by the engine (`readAnchor`) into `outImage` (+ `outMask`
   * for a PSD). Expected failures (unreadable file, size mismatch) come back as `ok: false`.
   */
  readAnchor(args: { file: string; frame: string; outImage: string; outMask: string }): Promise<({ ok: true } & AnchorFiles) | { ok: false; message: string }>;
  /** Open a file in Photoshop (Vulcan-located path or `photoshopPath`), else with the OS default app. */
  openInPhotoshop(args: { file: string; photoshopPath?: string }): Promise<{ ok: boolean; message: string }>;
  /** Watch one file; each save emits `file-changed` with this `watchId`. */
  watchFile(args: { watchId: string; file: string }): Promise<void>;
  unwatch(args: { watchId: string }): Promise<void>;

  /**
   * Run the engine. Resolves when the run ends (progress arrives as `progress` events with this `runId`).
   * Writes into `request.out` only through the engine, which keeps earlier results when cancelled or crashed.
   */
  propagate(args: { runId: string; request: PropagateRequest }): Promise<PropagateOutcome>;
  cancel(args: { runId: string }): Promise<void>;

  /** Stop the engine and all watchers (panel unload). */
  dispose(): Promise<void>;
}

/** What `<extension>/panel/node/services.js` exports as `createServices`. */
export type CreateServices = (options: ServicesOptions, emit: (event: ServicesEvent) => void) => PanelServices;

/**
 * Page global holding `{ createServices }` with the same shape as the Node module. The browser test installs it
 * instead of `window.require(...)`; the panel checks it first.
 */
export const SERVICES_GLOBAL = '__anchorflowServices';
