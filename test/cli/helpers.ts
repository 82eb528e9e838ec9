/** Running the CLI as a user does (a child process) and making small clips with exact ground truth. */
import { spawn, type ChildProcess } from 'child_process';
import { mkdirSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { sample } from '../../client/engine/synth/cases';
import { renderScene } from '../../client/engine/synth/render';

export const REPO = path.resolve(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `anchorflow <args>` from the TypeScript sources through tsx (no build needed). */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'client/engine/cli.ts'), ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  const child = startCli(args, options);
  child.stdin?.end();
  return collect(child);
}

/** stderr without onnxruntime's own native log lines (provider probing noise), which are not ours to format. */
export function ourLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => !/onnxruntime|^\s*at operator|Couldn't load Vulkan|^\x1b\[m$/.test(l));
}

export interface Clip {
  frames: string;
  anchor: string;
  anchorIndex: number;
  names: string[];
  width: number;
  height: number;
  /** Ground truth edited frames and masks (interleaved 8-bit RGB / 1 byte per pixel). */
  truth: Uint8Array[];
  source: Uint8Array[];
  masks: Uint8Array[];
}

/** Writes the synthetic `sample` scene (frames + edited anchor) under `dir`. */
export async function writeSampleClip(dir: string, frameCount: number, width = 160, height = 96): Promise<Clip> {
  const scene = renderScene(sample, { width, height, frameCount });
  const frames = path.join(dir, 'frames');
  mkdirSync(frames, { recursive: true });
  const names = scene.frames.map((_, i) => String(i).padStart(5, '0'));
  for (let i = 0; i < frameCount; i++) {
    await sharp(scene.frames[i], { raw: { width, height, channels: 3 } }).png().toFile(path.join(frames, `${names[i]}.png`));
  }
  const anchorIndex = scene.anchors[0];
  const anchor = path.join(dir, 'anchor.png');
  await sharp(scene.edited[anchorIndex], { raw: { width, height, channels: 3 } }).png().toFile(anchor);
  return { frames, anchor, anchorIndex, names, width, height, truth: scene.edited, source: scene.frames, masks: scene.masks };
}

export function psnr(a: Uint8Array, b: Uint8Array, select: (pixel: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < a.length / 3; p++) {
    if (!select(p)) continue;
    for (let c = 0; c < 3; c++) sum += (a[3 * p + c] - b[3 * p + c]) ** 2;
    count += 3;
  }
  return count === 0 || sum === 0 ? 99 : Math.min(99, 10 * Math.log10((255 * 255 * count) / sum));
}

export async function readRgb8(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).removeAlpha().raw().toBuffer());
}
