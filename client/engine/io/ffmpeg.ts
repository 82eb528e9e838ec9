/**
 * ffmpeg: finding it, decoding a video into numbered PNGs, encoding output frames into a clip.
 *
 * Resolution order (first hit wins; FFMPEG_PATH is never silently skipped, a wrong value is an error):
 *   1. FFMPEG_PATH            – the studio's own build
 *   2. ffmpeg-static          – optional dependency; its install downloads a binary and fails offline
 *   3. @ffmpeg-installer/ffmpeg – optional dependency shipping the binary inside the npm package
 *   4. `ffmpeg` on PATH
 */
import { spawn } from 'child_process';
import { existsSync, statSync, promises as fs } from 'fs';
import * as path from 'path';
import { CancelledError, InputError } from '../errors';
import { makeScratchFolder, withAtomicFile } from './atomic';

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

export interface ResolveDeps {
  env?: NodeJS.ProcessEnv;
  /** Module loader, replaceable in tests to simulate packages being absent. */
  load?: (name: string) => unknown;
}

function isExecutableFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function fromPackage(load: (name: string) => unknown, name: 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg'): string | null {
  try {
    const exported = load(name);
    // ffmpeg-static exports the path (or null on unsupported platforms); @ffmpeg-installer exports { path }.
    const candidate =
      typeof exported === 'string' ? exported : (exported as { path?: unknown } | null)?.path;
    return typeof candidate === 'string' && isExecutableFile(candidate) ? candidate : null;
  } catch {
    return null; // not installed (optional dependency), or its platform package is missing
  }
}

function fromPathVariable(env: NodeJS.ProcessEnv): string | null {
  const names = process.platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg'] : ['ffmpeg'];
  for (const dir of (env.PATH ?? env.Path ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

export function resolveFfmpeg(deps: ResolveDeps = {}): ResolvedFfmpeg {
  const env = deps.env ?? process.env;
  const load = deps.load ?? ((name: string) => require(name));
  const configured = env.FFMPEG_PATH;
  if (configured) {
    if (!isExecutableFile(configured)) {
      throw new InputError(
        `FFMPEG_PATH is set to ${configured}, which is not a file; point it at an ffmpeg binary or unset it.`,
      );
    }
    return { path: configured, source: 'FFMPEG_PATH' };
  }
  const fromStatic = fromPackage(load, 'ffmpeg-static');
  if (fromStatic) return { path: fromStatic, source: 'ffmpeg-static' };
  const fromInstaller = fromPackage(load, '@ffmpeg-installer/ffmpeg');
  if (fromInstaller) return { path: fromInstaller, source: '@ffmpeg-installer/ffmpeg' };
  const onPath = fromPathVariable(env);
  if (onPath) return { path: onPath, source: 'PATH' };
  throw new InputError(
    'ffmpeg not found: set FFMPEG_PATH, or install ffmpeg-static or @ffmpeg-installer/ffmpeg, or put ffmpeg on PATH.',
  );
}

export interface RunResult {
  code: number;
  stderr: string;
}

/** Runs ffmpeg; resolves with its exit code and stderr (the last 64 KB). Abort kills it and rejects. */
export function runFfmpeg(args: string[], options: { signal?: AbortSignal; ffmpeg?: string } = {}): Promise<RunResult> {
  const binary = options.ffmpeg ?? resolveFfmpeg().path;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    const child = spawn(binary, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-65536);
    });
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new InputError(`ffmpeg could not be started (${binary}): ${error.message}.`));
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new CancelledError());
      resolve({ code: code ?? 1, stderr });
    });
  });
}

export interface VideoInfo {
  width: number;
  height: number;
  fps: number | null;
  /** 16 when the video carries more than 8 bits per sample (ProRes, 10-bit H.265, ...). */
  bitDepth: 8 | 16;
  pixelFormat: string;
}

/** Reads the first video stream's size, rate and pixel format from `ffmpeg -i` (no ffprobe needed). */
export function parseVideoInfo(stderr: string): VideoInfo | null {
  const line = stderr.split('\n').find((l) => /Stream #\d+:\d+.*: Video: /.test(l));
  if (!line) return null;
  const size = /, (\d{2,6})x(\d{2,6})[ ,]/.exec(line);
  if (!size) return null;
  const fps = /, ([\d.]+) fps/.exec(line) ?? /, ([\d.]+) tbr/.exec(line);
  const afterCodec = line.split(': Video: ')[1] ?? '';
  const pixelFormat = /^[^,]+, ([a-z0-9_]+)/.exec(afterCodec)?.[1] ?? 'unknown';
  const deep = /(p|le|be)?(9|10|12|14|16)(le|be)?$/.test(pixelFormat) || /(48|64)(le|be)$/.test(pixelFormat);
  return {
    width: Number(size[1]),
    height: Number(size[2]),
    fps: fps ? Number(fps[1]) : null,
    bitDepth: deep ? 16 : 8,
    pixelFormat,
  };
}

export async function probeVideo(video: string, options: { signal?: AbortSignal } = {}): Promise<VideoInfo> {
  const { stderr } = await runFfmpeg(['-i', video], options); // exits 1 ("no output file"); stderr has the streams
  const info = parseVideoInfo(stderr);
  if (!info) {
    const name = path.basename(video);
    const reason = /Invalid data found|could not find codec|moov atom not found/i.test(stderr)
      ? 'ffmpeg cannot read it'
      : 'it has no video stream';
    throw new InputError(`--frames ${name} is neither a folder of images nor a video (${reason}); check the path.`);
  }
  return info;
}

export interface DecodedVideo extends VideoInfo {
  /** Decoded frame names without extension, in order: 00000, 00001, ... */
  names: string[];
  dir: string;
}

/** Decodes every frame of `video` into `dir` as 00000.png, 00001.png, ... (16-bit PNGs for deep sources). */
export async function decodeVideo(video: string, dir: string, options: { signal?: AbortSignal } = {}): Promise<DecodedVideo> {
  const info = await probeVideo(video, options);
  await fs.mkdir(dir, { recursive: true });
  const { code, stderr } = await runFfmpeg(
    [
      '-v', 'error', '-i', video, '-map', '0:v:0',
      '-vsync', '0', // one PNG per coded frame: indices match the clip's own frame numbers
      '-start_number', '0',
      '-pix_fmt', info.bitDepth === 16 ? 'rgb48be' : 'rgb24',
      '-compression_level', '1',
      path.join(dir, '%05d.png'),
    ],
    options,
  );
  if (code !== 0) {
    throw new InputError(`${path.basename(video)} could not be decoded (${lastLine(stderr)}); re-export the video.`);
  }
  const names = (await fs.readdir(dir))
    .filter((n) => /^\d+\.png$/.test(n))
    .map((n) => n.slice(0, -4))
    .sort((a, b) => Number(a) - Number(b));
  if (names.length === 0) throw new InputError(`${path.basename(video)} has no frames to decode.`);
  return { ...info, names, dir };
}

export interface EncodeOptions {
  fps: number;
  /** ProRes 4444 with alpha (.mov) for edit layers; otherwise H.264 yuv420p. */
  alpha: boolean;
  signal?: AbortSignal;
}

/** ffmpeg arguments for the codec part of an encode. */
export function codecArguments(outFile: string, alpha: boolean): string[] {
  const ext = path.extname(outFile).toLowerCase();
  const container = ext === '.mov' ? 'mov' : 'mp4';
  const bt709 = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'];
  if (alpha) {
    return [
      '-vf', 'scale=out_color_matrix=bt709,format=yuva444p10le',
      '-c:v', 'prores_ks', '-profile:v', '4', '-pix_fmt', 'yuva444p10le', '-alpha_bits', '16', '-vendor', 'apl0',
      ...bt709, '-f', container,
    ];
  }
  return [
    // H.264 4:2:0 needs even sizes: pad by one black row/column rather than resample.
    '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p',
    ...bt709, '-movflags', '+faststart', '-f', container,
  ];
}

/**
 * Encodes `framesDir/<name>.png` (in the order given) into `outFile`, through a temp file renamed at the end.
 * Frames are hard-linked (copied where links fail) into a scratch folder as a numbered sequence, because their
 * names need not be numbered.
 */
export async function encodeClip(framesDir: string, names: string[], outFile: string, options: EncodeOptions): Promise<void> {
  if (names.length === 0) throw new InputError('Nothing to encode: no frames were written.');
  if (options.alpha && path.extname(outFile).toLowerCase() !== '.mov') {
    throw new InputError(`--encode ${path.basename(outFile)}: an edit layer with alpha needs a .mov file (ProRes 4444).`);
  }
  const scratch = await makeScratchFolder(framesDir, 'encode');
  try {
    for (let i = 0; i < names.length; i++) {
      const from = path.join(framesDir, `${names[i]}.png`);
      const to = path.join(scratch, `${String(i).padStart(6, '0')}.png`);
      await fs.link(from, to).catch(() => fs.copyFile(from, to));
    }
    await withAtomicFile(outFile, async (tempPath) => {
      const { code, stderr } = await runFfmpeg(
        [
          // -xerror: a frame ffmpeg cannot read must fail the encode, not be skipped (it would shift the timing).
          '-v', 'error', '-xerror', '-y', '-framerate', String(options.fps), '-start_number', '0',
          '-i', path.join(scratch, '%06d.png'),
          ...codecArguments(outFile, options.alpha),
          '-r', String(options.fps), tempPath,
        ],
        { signal: options.signal },
      );
      if (code !== 0) throw new Error(`ffmpeg failed to encode ${path.basename(outFile)}: ${lastLine(stderr)}`);
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? 'no message';
}

export const ffmpegAvailable = (): boolean => {
  try {
    return existsSync(resolveFfmpeg().path);
  } catch {
    return false;
  }
};
