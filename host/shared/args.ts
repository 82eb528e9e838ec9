/**
 * Reading the panel's JSON arguments defensively: evalScript carries strings, so every field is checked here once
 * and the app modules work with typed values.
 */
import type { FrameRange, HostContext } from '../../client/shared/host-api';
import { fail } from './errors';

type Loose = { [key: string]: unknown };

export function asRecord(value: unknown, what: string): Loose {
  if (value === null || typeof value !== 'object') fail('internal', 'Host call needs ' + what + ' as an object.');
  return value as Loose;
}

export function requireString(record: Loose, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') fail('internal', 'Host call is missing the text field "' + key + '".');
  return value;
}

export function requireNumber(record: Loose, key: string): number {
  const value = record[key];
  if (typeof value !== 'number' || !isFinite(value)) fail('internal', 'Host call is missing the number "' + key + '".');
  return value;
}

export function readRange(value: unknown): FrameRange {
  const record = asRecord(value, 'a frame range');
  const range: FrameRange = {
    startFrame: requireNumber(record, 'startFrame'),
    frameCount: requireNumber(record, 'frameCount'),
    fps: requireNumber(record, 'fps'),
  };
  if (range.frameCount < 1 || range.startFrame < 0 || range.fps <= 0) {
    fail('internal', 'Frame range must start at 0 or later, hold at least one frame and have a positive frame rate.');
  }
  return range;
}

export function readSelection(value: unknown): HostContext['selection'] {
  const record = asRecord(value, 'the captured selection');
  const mediaPath = record['mediaPath'];
  return {
    name: requireString(record, 'name'),
    trackOrLayerIndex: requireNumber(record, 'trackOrLayerIndex'),
    mediaPath: typeof mediaPath === 'string' ? mediaPath : null,
    range: readRange(record['range']),
    startSeconds: requireNumber(record, 'startSeconds'),
  };
}
