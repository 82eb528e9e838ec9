/** Small synthetic clips and an event-loop liveness probe for the worker-thread tests. */
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import type { PropagateRequest } from '../../client/shared/protocol';
import { sample, writeCase, type WrittenCase } from '../../client/engine/synth';

/** The `sample` scene (a star painted on a drifting card) at 160×96: small enough for CI, big enough to block. */
export function writeSmallCase(dir: string, frameCount: number): Promise<WrittenCase> {
  return writeCase(sample, dir, { width: 160, height: 96, frameCount });
}

export function requestFor(written: WrittenCase, out: string): PropagateRequest {
  return { frames: written.framesDir, anchors: written.anchors.map((a) => ({ index: a.index, image: a.image })), masks: [], out };
}

export interface Liveness<T> {
  value: T;
  /** Ticks of the interval timer that fired while `work` ran. */
  ticks: number;
  /** Ticks a free event loop would have fired in the same time. */
  expected: number;
  /** Longest time between two ticks (or from the start to the first one), in ms. */
  maxGapMs: number;
}

/**
 * Runs `work` while a `intervalMs` timer ticks on this thread. A blocked event loop shows as few ticks and long gaps:
 * timers cannot fire while JavaScript or a synchronous native call holds the thread.
 */
export async function measureLiveness<T>(work: () => Promise<T>, intervalMs = 20): Promise<Liveness<T>> {
  const started = Date.now();
  let last = started;
  let ticks = 0;
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, intervalMs);
  try {
    const value = await work();
    const elapsed = Date.now() - started;
    return { value, ticks, expected: Math.floor(elapsed / intervalMs), maxGapMs: Math.max(maxGapMs, Date.now() - last) };
  } finally {
    clearInterval(timer);
  }
}

/** File name → bytes of the final (not hidden) files in an output folder. */
export function finalFiles(dir: string): Map<string, Buffer> {
  const names = readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
  return new Map(names.map((n) => [n, readFileSync(path.join(dir, n))]));
}
