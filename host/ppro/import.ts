/**
 * Premiere Pro: importing the propagated result and placing it on a free track directly above the original clip.
 * Only adds things (a bin if needed, one project item, one track item); nothing existing is moved or overwritten:
 * the target track is checked to be empty over the span before `overwriteClip` is called.
 */
import type { ImportResultArgs, ImportResultResult } from '../../client/shared/host-api';
import { fail } from '../shared/errors';
import { resolveImportSource } from '../shared/import-source';
import { readSelection } from '../shared/args';
import { requireCapturedContainer } from '../shared/container';
import { requireProject, requireSequence } from './context';
import { findFreeTrackAbove } from './tracks';
import { frameToTicks, ticksPerFrameOf, ticksString, ticksToFrame, ticksToSeconds } from './ticks';

function findOrCreateBin(root: ProjectItem, name: string): ProjectItem {
  for (let i = 0; i < root.children.numItems; i++) {
    const child = root.children[i];
    if (child.type === ProjectItemType.BIN && child.name === name) return child;
  }
  return root.createBin(name);
}

function childIds(bin: ProjectItem): { [nodeId: string]: boolean } {
  const ids: { [nodeId: string]: boolean } = {};
  for (let i = 0; i < bin.children.numItems; i++) ids[bin.children[i].nodeId] = true;
  return ids;
}

/** The item `importFiles` just added to the bin (importFiles only returns a boolean). */
function newChild(bin: ProjectItem, before: { [nodeId: string]: boolean }): ProjectItem | null {
  for (let i = 0; i < bin.children.numItems; i++) {
    const child = bin.children[i];
    if (!before.hasOwnProperty(child.nodeId) && child.type !== ProjectItemType.BIN) return child;
  }
  return null;
}

function trackLabel(index: number): string {
  return 'V' + (index + 1);
}

export function importResult(args: ImportResultArgs): ImportResultResult {
  const project = requireProject();
  const sequence = requireSequence();
  requireCapturedContainer({ id: String(sequence.sequenceID), name: sequence.name }, args.placement, 'sequence');
  const selection = readSelection(args.placement.selection);
  const ticksPerFrame = ticksPerFrameOf(sequence.timebase);
  const source = resolveImportSource(args.path);

  const frameCount = source.numberedStills ? source.fileCount : selection.range.frameCount;
  const startTicks = frameToTicks(selection.range.startFrame, ticksPerFrame);
  const span = { start: startTicks, end: startTicks + frameToTicks(frameCount, ticksPerFrame) };
  // Checked before importing so that a refusal leaves the project exactly as it was.
  const trackIndex = findFreeTrackAbove(sequence, selection.trackOrLayerIndex, span);
  if (trackIndex < 0) {
    fail(
      'no-free-track',
      'No unlocked video track above ' + trackLabel(selection.trackOrLayerIndex) + ' is empty from ' +
        ticksToSeconds(span.start).toFixed(2) + ' s to ' + ticksToSeconds(span.end).toFixed(2) +
        ' s: add a video track (Sequence > Add Tracks) or clear that span, then import again.',
    );
  }

  const bin = findOrCreateBin(project.rootItem, args.binName);
  const before = childIds(bin);
  if (!project.importFiles([source.firstFile], true, bin, source.numberedStills)) {
    fail('import-failed', 'Premiere could not import ' + source.firstFile + '.');
  }
  const item = newChild(bin, before);
  if (!item) fail('import-failed', 'Premiere reported importing ' + source.firstFile + ' but no new item appeared in bin "' + args.binName + '".');
  // Numbered stills import at the default still frame rate; the result must play at the sequence's.
  if (source.numberedStills) item.setOverrideFrameRate(args.placement.fps);

  const track = sequence.videoTracks[trackIndex];
  // The scripting guide gives the time as a tick string; the typings also allow a Time, so the string is cast.
  track.overwriteClip(item, ticksString(startTicks) as unknown as number);

  const placed = findPlacedClip(track, item, ticksToFrame(startTicks, ticksPerFrame), ticksPerFrame);
  if (!placed) {
    fail('import-failed', 'Premiere imported "' + item.name + '" but did not place it on ' + trackLabel(trackIndex) + ' at frame ' + selection.range.startFrame + ': place it from bin "' + args.binName + '".');
  }
  return { itemName: item.name, trackOrLayerIndex: trackIndex, startSeconds: ticksToSeconds(startTicks) };
}

function findPlacedClip(track: Track, item: ProjectItem, startFrame: number, ticksPerFrame: number): TrackItem | null {
  for (let c = 0; c < track.clips.numItems; c++) {
    const clip = track.clips[c];
    if (clip.projectItem && clip.projectItem.nodeId === item.nodeId && ticksToFrame(clip.start.ticks, ticksPerFrame) === startFrame) {
      return clip;
    }
  }
  return null;
}
