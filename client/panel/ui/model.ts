/** The panel's state shapes and the pure helpers over them (no DOM, no I/O). */
import type { DeviceName, PropagateRequest, PropagateResult } from '../../shared/protocol';
import type { HostContext, ImportResultResult } from '../../shared/host-api';
import type { JobPaths, JobRecord, OutputMode } from '../../shared/panel-services';

export type StepId = 'capture' | 'anchor' | 'propagate' | 'import';

export const STEPS: { id: StepId; label: string }[] = [
  { id: 'capture', label: 'Capture' },
  { id: 'anchor', label: 'Anchor' },
  { id: 'propagate', label: 'Propagate' },
  { id: 'import', label: 'Import' },
];

export interface PanelSettings {
  /** Node >= 18.17 for the engine; empty = bundled runtime, then `node` on PATH. */
  nodePath: string;
  device: DeviceName;
  /** Job root; empty = next to the project file. */
  jobRoot: string;
  output: OutputMode;
  /** Photoshop executable/app; empty = located by the Node side, else the OS default app for PSD. */
  photoshopPath: string;
}

export const DEFAULT_SETTINGS: PanelSettings = { nodePath: '', device: 'auto', jobRoot: '', output: 'frames', photoshopPath: '' };

export interface Frame {
  index: number;
  file: string;
  /** Thumbnail data URL (null until loaded). */
  thumb: string | null;
}

export interface Anchor {
  index: number;
  /** Edited anchor PNG handed to the engine. */
  image: string;
  mask?: string;
  /** Where it came from: the PSD, exported file or dropped image. */
  source: string;
  preview: string | null;
  warnings: string[];
}

export interface RunProgress {
  runId: string;
  stage: string;
  done: number;
  total: number;
  etaSeconds: number | null;
  preview: { index: number; dataUrl: string } | null;
  cancelling: boolean;
}

export interface Notice {
  tone: 'error' | 'warning' | 'info' | 'success';
  title: string;
  message: string;
  /** What the user should do next, one line. */
  nextStep: string;
  /** The action a Retry button on the card repeats, when repeating it is the next step. */
  retry?: RetryAction;
}

/** Actions an error card can offer to repeat (kept as names so a notice stays plain data). */
export type RetryAction = 'capture' | 'photoshop' | 'propagate' | 'import';

export function padIndex(index: number): string {
  return String(index).padStart(5, '0');
}

/** "≈ 1 min 05 s left", "≈ 12 s left", "estimating…". */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating time left…';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `about ${whole} s left`;
  const minutes = Math.floor(whole / 60);
  return `about ${minutes} min ${String(whole % 60).padStart(2, '0')} s left`;
}

/** Seconds as the timecode-ish string editors read: 00:00:01.50. */
export function formatSeconds(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds - hours * 3600 - minutes * 60;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${rest.toFixed(2).padStart(5, '0')}`;
}

/** Where the host put the import, in the app's own words. */
export function describePlacement(app: HostContext['app'], placed: ImportResultResult): string {
  const where = app === 'PPRO' ? `video track V${placed.trackOrLayerIndex + 1}` : `layer ${placed.trackOrLayerIndex}`;
  return `${placed.itemName} on ${where} at ${formatSeconds(placed.startSeconds)}`;
}

export function buildRequest(job: JobPaths, anchors: Anchor[], settings: PanelSettings): PropagateRequest {
  const sorted = [...anchors].sort((a, b) => a.index - b.index);
  return {
    frames: job.framesDir,
    anchors: sorted.map((anchor) => ({ index: anchor.index, image: anchor.image })),
    masks: sorted.flatMap((anchor) => (anchor.mask ? [{ index: anchor.index, image: anchor.mask }] : [])),
    out: job.resultsDir,
    layer: settings.output === 'layer',
    device: settings.device,
  };
}

export function newJobRecord(context: HostContext | null, settings: PanelSettings, now: Date): JobRecord {
  return {
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    context,
    request: null,
    settings: { device: settings.device, output: settings.output },
    engine: null,
    result: null,
    imported: null,
  };
}

export function withResult(job: JobRecord, request: PropagateRequest, result: PropagateResult, now: Date): JobRecord {
  const engineVersion = (result as PropagateResult & { engineVersion?: string }).engineVersion ?? null;
  return {
    ...job,
    updatedAt: now.toISOString(),
    request,
    engine: { version: engineVersion, device: result.device },
    result: { out: result.out, frameCount: result.frames.length, seconds: result.seconds },
  };
}

/** Upserts by frame index: a frame has at most one anchor. */
export function putAnchor(anchors: Anchor[], anchor: Anchor): Anchor[] {
  return [...anchors.filter((existing) => existing.index !== anchor.index), anchor].sort((a, b) => a.index - b.index);
}

const ANCHOR_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.psd'];

export function isAnchorFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return ANCHOR_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** The step a user may open: later steps need the earlier ones' results. */
export function stepAvailable(step: StepId, have: { frames: boolean; anchors: boolean; result: boolean }): boolean {
  switch (step) {
    case 'capture':
      return true;
    case 'anchor':
      return have.frames;
    case 'propagate':
      return have.frames && have.anchors;
    case 'import':
      return have.result;
  }
}
