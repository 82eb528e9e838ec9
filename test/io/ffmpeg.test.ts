import { chmodSync, mkdirSync, statSync, writeFileSync } from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../client/engine/errors';
import { encodeClip, parseVideoInfo, resolveFfmpeg, runFfmpeg } from '../../client/engine/io/ffmpeg';
import { tempDir, writeRgb } from './fixtures';

// The real binary shipped by @ffmpeg-installer/ffmpeg (installed as an optional dependency here).
const installed = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const absent = (name: string): never => {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};

function fakeBinaryDir(): string {
  const dir = tempDir('path');
  const file = path.join(dir, process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg');
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return dir;
}

describe('resolveFfmpeg', () => {
  it('prefers FFMPEG_PATH over everything else', () => {
    const found = resolveFfmpeg({ env: { FFMPEG_PATH: installed, PATH: fakeBinaryDir() }, load: (n) => ({ path: installed, n }) });
    expect(found).toEqual({ path: installed, source: 'FFMPEG_PATH' });
  });

  it('gives a clear error for a bogus FFMPEG_PATH instead of silently falling back', () => {
    expect(() => resolveFfmpeg({ env: { FFMPEG_PATH: '/no/such/ffmpeg' } })).toThrow(InputError);
    expect(() => resolveFfmpeg({ env: { FFMPEG_PATH: '/no/such/ffmpeg' } })).toThrow(
      'FFMPEG_PATH is set to /no/such/ffmpeg, which is not a file; point it at an ffmpeg binary or unset it.',
    );
  });

  it('then ffmpeg-static, then @ffmpeg-installer/ffmpeg, then PATH', () => {
    const both = (name: string): unknown => (name === 'ffmpeg-static' ? installed : { path: installed });
    expect(resolveFfmpeg({ env: {}, load: both }).source).toBe('ffmpeg-static');
    const installerOnly = (name: string): unknown => (name === 'ffmpeg-static' ? absent(name) : { path: installed });
    expect(resolveFfmpeg({ env: {}, load: installerOnly })).toEqual({ path: installed, source: '@ffmpeg-installer/ffmpeg' });
    const pathDir = fakeBinaryDir();
    expect(resolveFfmpeg({ env: { PATH: pathDir }, load: absent })).toEqual({ path: path.join(pathDir, 'ffmpeg'), source: 'PATH' });
  });

  it('skips a package whose binary is missing (e.g. ffmpeg-static whose download failed)', () => {
    const broken = (name: string): unknown => (name === 'ffmpeg-static' ? '/gone/ffmpeg' : { path: installed });
    expect(resolveFfmpeg({ env: {}, load: broken }).source).toBe('@ffmpeg-installer/ffmpeg');
  });

  it('names all four places when none has ffmpeg', () => {
    expect(() => resolveFfmpeg({ env: { PATH: tempDir('empty') }, load: absent })).toThrow(
      'ffmpeg not found: set FFMPEG_PATH, or install ffmpeg-static or @ffmpeg-installer/ffmpeg, or put ffmpeg on PATH.',
    );
  });

  it('finds the installed binary with the real environment', () => {
    const saved = process.env.FFMPEG_PATH;
    delete process.env.FFMPEG_PATH;
    try {
      expect(statSync(resolveFfmpeg().path).isFile()).toBe(true);
    } finally {
      if (saved !== undefined) process.env.FFMPEG_PATH = saved;
    }
  });
});

describe('parseVideoInfo', () => {
  it('reads size, rate and depth from ffmpeg -i output', () => {
    const h264 = '    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 8000 kb/s, 23.98 fps, 23.98 tbr, 24k tbn (default)';
    expect(parseVideoInfo(h264)).toEqual({ width: 1920, height: 1080, fps: 23.98, bitDepth: 8, pixelFormat: 'yuv420p' });
    const prores = '    Stream #0:0: Video: prores (ap4h / 0x68347061), yuva444p10le, 854x480, 120000 kb/s, 25 fps, 25 tbr, 12800 tbn';
    expect(parseVideoInfo(prores)).toMatchObject({ width: 854, height: 480, bitDepth: 16, pixelFormat: 'yuva444p10le' });
    expect(parseVideoInfo('Input #0, mp3\n    Stream #0:0: Audio: mp3, 44100 Hz')).toBeNull();
  });
});

describe('encodeClip', () => {
  async function frames(count: number, width: number, height: number): Promise<{ dir: string; names: string[] }> {
    const dir = tempDir('enc');
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      names.push(`shot_${i}`);
      await writeRgb(path.join(dir, `shot_${i}.png`), width, height, i);
    }
    return { dir, names };
  }

  async function describeFile(file: string): Promise<string> {
    return (await runFfmpeg(['-i', file])).stderr;
  }

  it('writes a playable H.264 clip, padding odd sizes to even', async () => {
    const { dir, names } = await frames(5, 33, 17);
    const out = path.join(tempDir('clip'), 'result.mp4');
    await encodeClip(dir, names, out, { fps: 25, alpha: false });
    const info = await describeFile(out);
    expect(info).toMatch(/Video: h264 .*yuv420p.*34x18/);
    expect(info).toMatch(/25 fps/);
    // Decodes end to end: the whole file, every frame.
    const { code, stderr } = await runFfmpeg(['-v', 'error', '-i', out, '-f', 'null', '-']);
    expect(stderr.trim()).toBe('');
    expect(code).toBe(0);
  });

  it('writes ProRes 4444 with alpha for an edit layer, and refuses .mp4 for it', async () => {
    const { dir, names } = await frames(3, 32, 16);
    const out = path.join(tempDir('clip'), 'layer.mov');
    await encodeClip(dir, names, out, { fps: 24, alpha: true });
    expect(await describeFile(out)).toMatch(/Video: prores \(4444\).*yuva444p1[02]le.*32x16/);
    await expect(encodeClip(dir, names, path.join(tempDir('clip'), 'layer.mp4'), { fps: 24, alpha: true })).rejects.toThrow(
      /needs a \.mov file/,
    );
  });

  it('leaves no partial clip and keeps the previous one when ffmpeg fails', async () => {
    const { dir, names } = await frames(2, 32, 16);
    const outDir = tempDir('clip');
    const out = path.join(outDir, 'result.mp4');
    writeFileSync(out, 'previous clip');
    writeFileSync(path.join(dir, 'shot_1.png'), 'corrupt'); // ffmpeg fails on the second frame
    await expect(encodeClip(dir, names, out, { fps: 25, alpha: false })).rejects.toThrow(/ffmpeg failed to encode result\.mp4/);
    expect(require('fs').readFileSync(out, 'utf8')).toBe('previous clip');
    expect(require('fs').readdirSync(outDir)).toEqual(['result.mp4']);
    expect(require('fs').readdirSync(dir).filter((n: string) => n.startsWith('.'))).toEqual([]);
  });

  it('is cancellable', async () => {
    const { dir, names } = await frames(2, 32, 16);
    mkdirSync(path.join(dir, 'x'));
    const controller = new AbortController();
    controller.abort();
    await expect(
      encodeClip(dir, names, path.join(tempDir('clip'), 'c.mp4'), { fps: 25, alpha: false, signal: controller.signal }),
    ).rejects.toThrow(/Cancelled/);
  });
});
