/**
 * Premiere Pro time math. Premiere counts time in ticks: 254016000000 per second, and `sequence.timebase` is the
 * number of ticks per frame as a string. Tick counts stay below 2^53 for timelines shorter than ~9.9 hours, so
 * plain numbers are exact here; they are passed back to Premiere as integer strings.
 */
export const TICKS_PER_SECOND = 254016000000;

export function ticksPerFrameOf(timebase: string): number {
  const ticks = parseFloat(timebase);
  if (!(ticks > 0)) throw new Error('Sequence timebase "' + timebase + '" is not a tick count.');
  return ticks;
}

export function fpsFromTicksPerFrame(ticksPerFrame: number): number {
  return TICKS_PER_SECOND / ticksPerFrame;
}

/** Whole frame nearest to a tick position (clips sit on frame boundaries; rounding absorbs float noise). */
export function ticksToFrame(ticks: string | number, ticksPerFrame: number): number {
  return Math.round(parseFloat(String(ticks)) / ticksPerFrame);
}

export function frameToTicks(frame: number, ticksPerFrame: number): number {
  return frame * ticksPerFrame;
}

/** Integer tick count as Premiere expects it in DOM calls (a decimal string, no exponent). */
export function ticksString(ticks: number): string {
  return String(Math.round(ticks));
}

export function ticksToSeconds(ticks: number): number {
  return ticks / TICKS_PER_SECOND;
}

/** Pixel aspect from sequence settings, which report it as "1:1", "1.0" or "10:11" depending on version. */
export function parsePixelAspect(value: unknown): number {
  const text = String(value);
  const ratio = /^\s*([0-9.]+)\s*[:\/]\s*([0-9.]+)\s*$/.exec(text);
  if (ratio) {
    const den = parseFloat(ratio[2]);
    return den > 0 ? parseFloat(ratio[1]) / den : 1;
  }
  const number = parseFloat(text);
  return number > 0 ? number : 1;
}
