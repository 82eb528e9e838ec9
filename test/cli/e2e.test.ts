/**
 * The CLI end to end on a small synthetic clip with exact ground truth (client/engine/synth `sample`: a star decal
 * painted on a drifting, turning card). Runs the real pipeline on the CPU.
 */
import { existsSync, mkdirSync, readdirSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../client/shared/protocol';
import { encodeClip, runFfmpeg } from '../../client/engine/io/ffmpeg';
import { checksums, tempDir } from '../io/fixtures';
import { psnr, readRgb8, runCli, writeSampleClip, type Clip } from './helpers';

const FRAMES = 12;
// Measured: edit region 28.9 dB (doing nothing: 14.0 dB), keep region 58.2 dB (73 dB before decals' masks were carried
// whole, which gained their borders). The keep floor is the
// issue's 50 dB target; the edit floors leave ~4 dB of headroom. Raise them as the pipeline improves, never lower.
const EDIT_PSNR_FLOOR = 25;
const EDIT_GAIN_OVER_NOTHING = 8;
const KEEP_PSNR_FLOOR = 50;

let root: string;
let clip: Clip;
let inputsBefore: Record<string, string>;

beforeAll(async () => {
  root = tempDir('cli-e2e');
  clip = await writeSampleClip(path.join(root, 'input'), FRAMES);
  inputsBefore = checksums(path.join(root, 'input'));
});

function jsonEvents(stdout: string): EngineEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => JSON.parse(line) as EngineEvent); // throws on any non-JSON line
}

describe('anchorflow propagate (end to end)', () => {
  it('writes every frame, an H.264 clip, JSON events only, leaves no temp files, and beats doing nothing by a margin', async () => {
    const out = path.join(root, 'out');
    const clipFile = path.join(root, 'result.mp4');
    const tmp = path.join(root, 'tmp');
    mkdirSync(tmp);
    const run = await runCli(
      [
        'propagate', '--frames', clip.frames, '--anchor', `${clip.anchorIndex}=${clip.anchor}`, '--out', out,
        '--encode', clipFile, '--fps', '24', '--device', 'cpu', '--json',
      ],
      { env: { TMPDIR: tmp } },
    );
    expect(run.code, run.stderr).toBe(0);
    // The engine's scratch folder is gone, and onnxruntime's telemetry (mat-debug-<pid>.log, .ses) never started.
    // tsx, which runs the CLI from sources here, keeps its compile cache there.
    expect(readdirSync(tmp).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
    const events = jsonEvents(run.stdout);
    expect(new Set(events.map((e) => e.event))).toEqual(new Set(['progress', 'done']));
    expect(events.at(-1)?.event).toBe('done');
    const progress = events.filter((e): e is Extract<EngineEvent, { event: 'progress' }> => e.event === 'progress');
    expect(progress.every((e) => e.done <= e.total && (e.etaSeconds === null || e.etaSeconds >= 0))).toBe(true);

    expect(readdirSync(out).sort()).toEqual(clip.names.map((n) => `${n}.png`));
    expect((await runFfmpeg(['-i', clipFile])).stderr).toMatch(/Video: h264 .*160x96.*24 fps/);
    expect(checksums(path.join(root, 'input'))).toEqual(inputsBefore);

    let edit = 0;
    let nothing = 0;
    let keep = 0;
    let editFrames = 0;
    for (let i = 0; i < FRAMES; i++) {
      if (i === clip.anchorIndex) continue;
      const result = await readRgb8(path.join(out, `${clip.names[i]}.png`));
      const mask = clip.masks[i];
      if (mask.some((m) => m > 0)) {
        edit += psnr(result, clip.truth[i], (p) => mask[p] > 0);
        nothing += psnr(clip.source[i], clip.truth[i], (p) => mask[p] > 0);
        editFrames++;
      }
      keep += psnr(result, clip.truth[i], (p) => mask[p] === 0);
    }
    const scores = { edit: edit / editFrames, nothing: nothing / editFrames, keep: keep / (FRAMES - 1) };
    console.log(`sample clip: edit-region ${scores.edit.toFixed(1)} dB (doing nothing: ${scores.nothing.toFixed(1)} dB), keep-region ${scores.keep.toFixed(1)} dB`);
    expect(scores.edit).toBeGreaterThanOrEqual(EDIT_PSNR_FLOOR);
    expect(scores.edit).toBeGreaterThanOrEqual(scores.nothing + EDIT_GAIN_OVER_NOTHING);
    expect(scores.keep).toBeGreaterThanOrEqual(KEEP_PSNR_FLOOR);
  });

  it('--range renders only those frames, the same as the full run', async () => {
    const out = path.join(root, 'range');
    const run = await runCli([
      'propagate', '--frames', clip.frames, '--anchor', `${clip.anchorIndex}=${clip.anchor}`, '--out', out, '--range', '4:6',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(readdirSync(out).sort()).toEqual(['00004.png', '00005.png', '00006.png']);
    for (const name of ['00004', '00005', '00006']) {
      const partial = await readRgb8(path.join(out, `${name}.png`));
      const full = await readRgb8(path.join(root, 'out', `${name}.png`));
      let maxDiff = 0;
      for (let i = 0; i < full.length; i++) maxDiff = Math.max(maxDiff, Math.abs(full[i] - partial[i]));
      expect(maxDiff, name).toBeLessThanOrEqual(1);
    }
  });

  it('--layer writes RGBA frames and a ProRes 4444 .mov', async () => {
    const out = path.join(root, 'layer');
    const mov = path.join(root, 'layer.mov');
    const run = await runCli([
      'propagate', '--frames', clip.frames, '--anchor', `${clip.anchorIndex}=${clip.anchor}`, '--out', out, '--layer', '--encode', mov,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const meta = await sharp(path.join(out, '00005.png')).metadata();
    expect(meta.channels).toBe(4);
    expect((await runFfmpeg(['-i', mov])).stderr).toMatch(/Video: prores \(4444\).*yuva444p1[02]le/);
  });

  it('takes a video as --frames and names outputs 00000.png, ...', async () => {
    const video = path.join(root, 'input-clip.mp4');
    await encodeClip(clip.frames, clip.names, video, { fps: 25, alpha: false });
    const out = path.join(root, 'from-video');
    const run = await runCli(['propagate', '--frames', video, '--anchor', `${clip.anchorIndex}=${clip.anchor}`, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(clip.names.map((n) => `${n}.png`));
    expect(existsSync(video)).toBe(true);
  });
});
