/**
 * Premiere Pro: choosing the video track the result goes on. The DOM cannot add tracks (only the unsupported QE DOM
 * can), so the result goes on the first unlocked track above the original that is empty over the clip's span.
 */
export interface TickSpan {
  start: number;
  end: number;
}

export function trackIsFreeOver(track: Track, span: TickSpan): boolean {
  const clips = track.clips;
  for (let c = 0; c < clips.numItems; c++) {
    const clipStart = parseFloat(clips[c].start.ticks);
    const clipEnd = parseFloat(clips[c].end.ticks);
    if (clipStart < span.end && clipEnd > span.start) return false;
  }
  return true;
}

/** Index of the first free video track above `originalTrack`, or -1 when there is none. */
export function findFreeTrackAbove(sequence: Sequence, originalTrack: number, span: TickSpan): number {
  const tracks = sequence.videoTracks;
  for (let t = originalTrack + 1; t < tracks.numTracks; t++) {
    if (tracks[t].isLocked()) continue;
    if (trackIsFreeOver(tracks[t], span)) return t;
  }
  return -1;
}
