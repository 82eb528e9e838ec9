/** Parsing `anchorflow propagate` arguments into a PropagateRequest. Every mistake is one InputError line (exit 2). */
import * as path from 'path';
import { parseArgs } from 'util';
import type { AnchorSpec, DeviceName, MaskSpec, PropagateRequest } from '../../shared/protocol';
import { InputError } from '../errors';
import { DEVICES } from '../io/validate';

export const SEE_HELP = 'see anchorflow propagate --help';

export function usageError(message: string): InputError {
  return new InputError(`${message}; ${SEE_HELP}.`);
}

export interface PropagateCommand {
  request: PropagateRequest;
  json: boolean;
  help: boolean;
}

const OPTIONS = {
  frames: { type: 'string' },
  anchor: { type: 'string', multiple: true },
  mask: { type: 'string', multiple: true },
  out: { type: 'string' },
  encode: { type: 'string' },
  layer: { type: 'boolean' },
  device: { type: 'string' },
  json: { type: 'boolean' },
  range: { type: 'string' },
  fps: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** "12=edit.png" → { index: 12, image: <absolute path> }. Splits at the first '=' (paths may hold '=' later). */
export function parseIndexedImage(flag: '--anchor' | '--mask', value: string, cwd: string): AnchorSpec | MaskSpec {
  const match = /^(\d+)=(.+)$/.exec(value);
  if (!match) {
    throw usageError(`${flag} ${value} is not <i>=<image> (e.g. ${flag} 12=edit.png, i = zero-based frame index)`);
  }
  const index = Number(match[1]);
  if (!Number.isSafeInteger(index)) throw usageError(`${flag} ${value}: the frame index is too large`);
  return { index, image: path.resolve(cwd, match[2]) };
}

export function parseRange(value: string): [number, number] {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw usageError(`--range ${value} is not first:last (e.g. --range 10:47, zero-based, inclusive)`);
  return [Number(match[1]), Number(match[2])];
}

function parseFps(value: string): number {
  const fps = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(fps > 0)) throw usageError(`--fps ${value} is not a positive number (e.g. --fps 24)`);
  return fps;
}

/** Turns Node's parseArgs errors (long, multi-sentence) into our one-liners. */
function explainParseError(error: unknown): InputError {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return usageError(`Unknown option ${option ?? message}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return usageError(`${option ?? 'An option'} needs a value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return usageError(`Unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ''}`.trim());
    default:
      return usageError(message.split('\n')[0]);
  }
}

/** `--anchor -1=x.png` would read as a missing value followed by an option; join it so the index check explains it. */
function joinDashValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if ((argv[i] === '--anchor' || argv[i] === '--mask') && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i++;
    } else {
      joined.push(argv[i]);
    }
  }
  return joined;
}

export function parsePropagateArgs(argv: string[], cwd = process.cwd()): PropagateCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: joinDashValues(argv), options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw explainParseError(error);
  }
  const v = parsed.values;
  if (v.help) return { request: { frames: '', anchors: [], masks: [], out: '' }, json: false, help: true };
  for (const [name, value] of [['--frames', v.frames], ['--out', v.out]] as const) {
    if (value === undefined) throw usageError(`Missing ${name}`);
    if (value === '') throw usageError(`${name} is empty`);
  }
  if (!v.anchor || v.anchor.length === 0) throw usageError('Missing --anchor <i>=<image>');
  const device = v.device as DeviceName | undefined;
  if (device !== undefined && !DEVICES.includes(device)) {
    throw usageError(`--device ${device} is not one of ${DEVICES.join('|')}`);
  }
  if (v.encode !== undefined && v.encode === '') throw usageError('--encode is empty');
  const request: PropagateRequest = {
    frames: path.resolve(cwd, v.frames as string),
    anchors: v.anchor.map((a) => parseIndexedImage('--anchor', a, cwd)),
    masks: (v.mask ?? []).map((m) => parseIndexedImage('--mask', m, cwd)),
    out: path.resolve(cwd, v.out as string),
    ...(v.encode !== undefined ? { encode: path.resolve(cwd, v.encode) } : {}),
    ...(v.layer ? { layer: true } : {}),
    ...(device ? { device } : {}),
    ...(v.range !== undefined ? { range: parseRange(v.range) } : {}),
    ...(v.fps !== undefined ? { fps: parseFps(v.fps) } : {}),
  };
  return { request, json: v.json === true, help: false };
}
