/**
 * Premiere Pro: exporting a frame range of the active sequence as a numbered PNG sequence.
 *
 * Route: Adobe Media Encoder (`app.encoder.encodeSequence`) when it launches, `sequence.exportAsMediaDirect`
 * otherwise, both with the bundled PNG-sequence preset and the sequence's in/out set to the range. The user's
 * in/out points are restored afterwards. Frame count and numbering are checked on disk after the export.
 */
import type { ExportFramesArgs, ExportFramesResult, FrameRange } from '../../client/shared/host-api';
import { fail } from '../shared/errors';
import { checkNumberedSequence } from '../shared/frames';
import { fileExists, folderExists, folderPath, joinPath, listNumberedFiles } from '../shared/files';
import { bundledFile } from '../shared/script-location';
import { requireSequence } from './context';
import { frameToTicks, ticksPerFrameOf, ticksToSeconds, fpsFromTicksPerFrame } from './ticks';

export const FRAME_PREFIX = 'frame_';
export const PRESET_PATH = 'presets/png-sequence.epr';
/** Documented value of ENCODE_IN_TO_OUT for both encodeSequence and exportAsMediaDirect (WorkAreaType 1). */
const ENCODE_IN_TO_OUT = 1;
/** Media Encoder runs in its own process: wait this long plus per frame before calling the export failed. */
const AME_BASE_TIMEOUT_MS = 120000;
const AME_PER_FRAME_TIMEOUT_MS = 2000;
const AME_POLL_MS = 500;

interface SavedInOut {
  inSeconds: number;
  outSeconds: number;
}

function setInOut(sequence: Sequence, range: FrameRange, ticksPerFrame: number): SavedInOut {
  const saved: SavedInOut = {
    inSeconds: ticksToSeconds(parseFloat(sequence.getInPointAsTime().ticks)),
    outSeconds: ticksToSeconds(parseFloat(sequence.getOutPointAsTime().ticks)),
  };
  // The out point is the end of the last frame, so in + frameCount frames exports exactly frameCount frames.
  sequence.setInPoint(ticksToSeconds(frameToTicks(range.startFrame, ticksPerFrame)));
  sequence.setOutPoint(ticksToSeconds(frameToTicks(range.startFrame + range.frameCount, ticksPerFrame)));
  return saved;
}

function restoreInOut(sequence: Sequence, saved: SavedInOut): void {
  sequence.setInPoint(saved.inSeconds);
  sequence.setOutPoint(saved.outSeconds);
}

/** Starts an AME job; returns false when Media Encoder is not available so the direct export can run instead. */
function queueInMediaEncoder(sequence: Sequence, outputPath: string, presetPath: string): boolean {
  const encoder = app.encoder;
  if (!encoder || !encoder.launchEncoder()) return false;
  const jobId = encoder.encodeSequence(sequence, outputPath, presetPath, ENCODE_IN_TO_OUT, 1);
  return jobId !== undefined && jobId !== null && String(jobId) !== '' && String(jobId) !== '0';
}

function nowMs(): number {
  return new Date().getTime();
}

/**
 * Waits until Media Encoder has written the expected number of frames (and the count stopped growing), or times
 * out. AME's completion event cannot be delivered while this script runs, so the files on disk are the signal.
 */
function waitForFrames(folder: string, frameCount: number): void {
  const deadline = nowMs() + AME_BASE_TIMEOUT_MS + AME_PER_FRAME_TIMEOUT_MS * frameCount;
  let previousCount = -1;
  while (nowMs() < deadline) {
    const count = listNumberedFiles(folder, FRAME_PREFIX, 'png').length;
    if (count >= frameCount && count === previousCount) return;
    previousCount = count;
    $.sleep(AME_POLL_MS);
  }
}

export function exportFrames(args: ExportFramesArgs): ExportFramesResult {
  const sequence = requireSequence();
  const ticksPerFrame = ticksPerFrameOf(sequence.timebase);
  const fps = fpsFromTicksPerFrame(ticksPerFrame);
  if (Math.abs(fps - args.range.fps) > 0.001) {
    fail('export-failed', 'Sequence "' + sequence.name + '" runs at ' + fps + ' fps but the range was captured at ' + args.range.fps + ' fps: capture again.');
  }
  if (!folderExists(args.folder)) fail('export-failed', 'Export folder ' + args.folder + ' does not exist.');
  const folder = folderPath(args.folder);
  if (listNumberedFiles(folder, FRAME_PREFIX, 'png').length > 0) {
    fail('export-failed', 'Export folder ' + folder + ' already holds frames: export into a new, empty folder.');
  }
  const presetPath = bundledFile(PRESET_PATH);
  if (!fileExists(presetPath)) fail('export-failed', 'The PNG-sequence preset is missing at ' + presetPath + ': reinstall the extension.');

  // Premiere numbers the stills itself, inserting the frame number before the extension.
  const outputPath = joinPath(folder, FRAME_PREFIX + '.png');
  let method: ExportFramesResult['method'];
  const saved = setInOut(sequence, args.range, ticksPerFrame);
  try {
    if (queueInMediaEncoder(sequence, outputPath, presetPath)) {
      method = 'ameEncodeSequence';
      waitForFrames(folder, args.range.frameCount);
    } else {
      method = 'exportAsMediaDirect';
      sequence.exportAsMediaDirect(outputPath, presetPath, ENCODE_IN_TO_OUT as WorkAreaType);
    }
  } finally {
    restoreInOut(sequence, saved);
  }

  const check = checkNumberedSequence(listNumberedFiles(folder, FRAME_PREFIX, 'png'), args.range.frameCount);
  if (!check.ok) {
    fail('frame-count-mismatch', 'Premiere exported the wrong frames (' + check.problem + ') into ' + folder + ': check the sequence frame rate and export again.');
  }
  return { folder: folder, files: check.names, method: method };
}
