/**
 * After Effects: rendering a frame range of the active comp to a numbered PNG sequence through the render queue.
 *
 * The PNG output-module template is looked up in `om.templates` at run time (its name is not documented and is
 * localised). Queue items the user already had are paused for this render and re-enabled after it; the queue
 * item added here is removed again. Frame count and numbering are checked on disk after the render.
 */
import type { ExportFramesArgs, ExportFramesResult } from '../../client/shared/host-api';
import { fail } from '../shared/errors';
import { checkNumberedSequence } from '../shared/frames';
import { folderExists, folderPath, joinPath, listNumberedFiles } from '../shared/files';
import { requireComp } from './context';

export const FRAME_PREFIX = 'frame_';
/** AE replaces [#####] with the zero-padded frame number. */
const OUTPUT_FILE_TEMPLATE = FRAME_PREFIX + '[#####].png';
const PREFERRED_TEMPLATES = ['PNG Sequence', 'PNG Sequence with Alpha'];

/** Exact preferred name first, then any template mentioning PNG; null when the app has none. */
export function pickPngTemplate(templates: string[]): string | null {
  for (let p = 0; p < PREFERRED_TEMPLATES.length; p++) {
    for (let i = 0; i < templates.length; i++) if (templates[i] === PREFERRED_TEMPLATES[p]) return templates[i];
  }
  for (let i = 0; i < templates.length; i++) if (/png/i.test(templates[i])) return templates[i];
  return null;
}

/** Unticks every queued item so render() renders only ours; returns them to re-tick afterwards. */
function pauseQueuedItems(queue: RenderQueue): RenderQueueItem[] {
  const paused: RenderQueueItem[] = [];
  for (let i = 1; i <= queue.numItems; i++) {
    const item = queue.item(i);
    if (item.render) {
      item.render = false;
      paused.push(item);
    }
  }
  return paused;
}

function resumeQueuedItems(paused: RenderQueueItem[]): void {
  for (let i = 0; i < paused.length; i++) paused[i].render = true;
}

export function exportFrames(args: ExportFramesArgs): ExportFramesResult {
  const comp = requireComp();
  if (Math.abs(comp.frameRate - args.range.fps) > 0.001) {
    fail('export-failed', 'Composition "' + comp.name + '" runs at ' + comp.frameRate + ' fps but the range was captured at ' + args.range.fps + ' fps: capture again.');
  }
  if (!folderExists(args.folder)) fail('export-failed', 'Export folder ' + args.folder + ' does not exist.');
  const folder = folderPath(args.folder);
  if (listNumberedFiles(folder, FRAME_PREFIX, 'png').length > 0) {
    fail('export-failed', 'Export folder ' + folder + ' already holds frames: export into a new, empty folder.');
  }
  const queue = app.project.renderQueue;
  if (queue.rendering) fail('export-failed', 'The render queue is busy: wait for it to finish, then export again.');

  const paused = pauseQueuedItems(queue);
  const item = queue.items.add(comp);
  let status: RQItemStatus;
  try {
    item.timeSpanStart = args.range.startFrame * comp.frameDuration;
    item.timeSpanDuration = args.range.frameCount * comp.frameDuration;
    const template = pickPngTemplate(item.outputModule(1).templates);
    if (template === null) {
      fail('export-failed', 'After Effects has no PNG output-module template: add one named "PNG Sequence" (Edit > Templates > Output Module), then export again.');
    }
    item.outputModule(1).applyTemplate(template);
    // Number files from 0 rather than from the comp frame number; the module is re-fetched after each change
    // because setSettings/applyTemplate can replace the object.
    item.outputModule(1).setSettings({ 'Use Comp Frame Number': false, 'Starting #': 0 });
    item.outputModule(1).file = new File(joinPath(folder, OUTPUT_FILE_TEMPLATE));
    queue.render();
    status = item.status;
  } finally {
    item.remove();
    resumeQueuedItems(paused);
  }
  if (status !== RQItemStatus.DONE) {
    fail('export-failed', 'The After Effects render did not finish (status ' + status + '): see the Render Queue panel, then export again.');
  }
  const check = checkNumberedSequence(listNumberedFiles(folder, FRAME_PREFIX, 'png'), args.range.frameCount);
  if (!check.ok) {
    fail('frame-count-mismatch', 'After Effects rendered the wrong frames (' + check.problem + ') into ' + folder + ': check the output module, then export again.');
  }
  if (check.firstNumber !== 0) {
    fail('frame-count-mismatch', 'After Effects numbered the frames from ' + check.firstNumber + ' instead of 0 in ' + folder + ': untick "Use Comp Frame Number" in the PNG output module, then export again.');
  }
  return { folder: folder, files: check.names, method: 'aeRenderQueue' };
}
