/**
 * Premiere Pro: reading the project, the active sequence and the selected clip (no writes).
 */
import type { FrameRange, HostContext } from '../../client/shared/host-api';
import { fail } from '../shared/errors';
import {
  fpsFromTicksPerFrame,
  parsePixelAspect,
  ticksPerFrameOf,
  ticksToFrame,
  ticksToSeconds,
  frameToTicks,
} from './ticks';

export function requireProject(): Project {
  if (!app.project || !app.project.rootItem) fail('no-project', 'Open a Premiere Pro project first.');
  return app.project;
}

export function requireSequence(): Sequence {
  const sequence = requireProject().activeSequence;
  if (!sequence) fail('no-sequence', 'Open a sequence in the Timeline panel so it is active, then try again.');
  return sequence;
}

export interface LocatedClip {
  clip: TrackItem;
  /** Video track index, 0 = V1. */
  trackIndex: number;
}

/** Finds a track item among the video tracks by node id (getSelection gives items without their track). */
export function locateVideoClip(sequence: Sequence, clip: TrackItem): LocatedClip | null {
  for (let t = 0; t < sequence.videoTracks.numTracks; t++) {
    const clips = sequence.videoTracks[t].clips;
    for (let c = 0; c < clips.numItems; c++) {
      if (clips[c].nodeId === clip.nodeId) return { clip: clips[c], trackIndex: t };
    }
  }
  return null;
}

function selectedVideoClip(sequence: Sequence): LocatedClip {
  const selection = sequence.getSelection();
  const video: TrackItem[] = [];
  for (let i = 0; i < selection.length; i++) {
    if (selection[i].mediaType === 'Video') video.push(selection[i]);
  }
  if (video.length === 0) {
    fail('no-selection', 'Select one video clip in the timeline of "' + sequence.name + '", then click Capture.');
  }
  if (video.length > 1) {
    fail('no-selection', video.length + ' video clips are selected: select just the one to edit, then click Capture.');
  }
  const located = locateVideoClip(sequence, video[0]);
  if (!located) fail('no-selection', 'The selected clip is not on a video track of "' + sequence.name + '".');
  return located;
}

/** Sequence in/out as a frame range, or null when they are unset (they then span the whole sequence). */
function inOutRange(sequence: Sequence, ticksPerFrame: number, durationFrames: number, fps: number): FrameRange | null {
  const inFrame = ticksToFrame(sequence.getInPointAsTime().ticks, ticksPerFrame);
  const outFrame = ticksToFrame(sequence.getOutPointAsTime().ticks, ticksPerFrame);
  if (outFrame <= inFrame) return null;
  if (inFrame <= 0 && outFrame >= durationFrames) return null;
  return { startFrame: inFrame, frameCount: outFrame - inFrame, fps: fps };
}

export function readContext(): HostContext {
  const project = requireProject();
  const sequence = requireSequence();
  const ticksPerFrame = ticksPerFrameOf(sequence.timebase);
  const fps = fpsFromTicksPerFrame(ticksPerFrame);
  const durationFrames = ticksToFrame(sequence.end, ticksPerFrame);
  const located = selectedVideoClip(sequence);
  const clip = located.clip;
  const startFrame = ticksToFrame(clip.start.ticks, ticksPerFrame);
  const endFrame = ticksToFrame(clip.end.ticks, ticksPerFrame);
  const mediaPath = clip.projectItem ? clip.projectItem.getMediaPath() : '';
  return {
    app: 'PPRO',
    appVersion: String(app.version),
    projectPath: project.path ? project.path : null,
    container: {
      name: sequence.name,
      id: String(sequence.sequenceID),
      width: sequence.frameSizeHorizontal,
      height: sequence.frameSizeVertical,
      pixelAspect: parsePixelAspect(sequence.getSettings().videoPixelAspectRatio),
      fps: fps,
      durationFrames: durationFrames,
    },
    selection: {
      name: clip.name,
      trackOrLayerIndex: located.trackIndex,
      mediaPath: mediaPath ? mediaPath : null,
      range: { startFrame: startFrame, frameCount: endFrame - startFrame, fps: fps },
      startSeconds: ticksToSeconds(frameToTicks(startFrame, ticksPerFrame)),
    },
    workArea: inOutRange(sequence, ticksPerFrame, durationFrames, fps),
  };
}
