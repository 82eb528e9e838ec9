import { promises as fs, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../client/engine/errors';
import { compareFrameNames, openFrameSource } from '../../client/engine/io/frames';
import { encodeClip } from '../../client/engine/io/ffmpeg';
import { tempDir, write16, writeRgb, writeTruncated } from './fixtures';

const W = 16;
const H = 8;

async function folderOf(names: string[], size = { width: W, height: H }): Promise<string> {
  const dir = tempDir('frames');
  for (const [i, name] of names.entries()) await writeRgb(path.join(dir, name), size.width, size.height, i);
  return dir;
}

async function inputError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

describe('compareFrameNames', () => {
  it('sorts digit runs as numbers and zero-padded names like a plain sort', () => {
    expect(['f10.png', 'f2.png', 'f1.png'].sort(compareFrameNames)).toEqual(['f1.png', 'f2.png', 'f10.png']);
    const padded = ['00010.jpg', '00002.jpg', '00001.jpg', '00100.jpg'];
    expect([...padded].sort(compareFrameNames)).toEqual([...padded].sort());
    expect(['shot_b_1.png', 'shot_a_2.png'].sort(compareFrameNames)).toEqual(['shot_a_2.png', 'shot_b_1.png']);
  });
});

describe('openFrameSource (folder)', () => {
  it('lists image files in natural order, any case of extension, skipping hidden and other files', async () => {
    const dir = await folderOf(['f10.PNG', 'f2.jpg', 'f1.tif']);
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    writeFileSync(path.join(dir, '.f3.png.anchorflow-1-aa.tmp'), 'x');
    await writeRgb(path.join(dir, '.hidden.png'), W, H);
    const source = await openFrameSource(dir, { workDir: tempDir('work') });
    expect(source.names).toEqual(['f1', 'f2', 'f10']);
    expect([source.count, source.width, source.height, source.bitDepth, source.kind]).toEqual([3, W, H, 8, 'folder']);
    const second = await source.read(1);
    expect(second.width).toBe(W);
  });

  it('reports 16-bit frames as 16-bit', async () => {
    const dir = tempDir('frames');
    await write16(path.join(dir, '0.png'), W, H);
    await write16(path.join(dir, '1.png'), W, H);
    const source = await openFrameSource(dir, { workDir: tempDir('work') });
    expect(source.bitDepth).toBe(16);
    expect((await source.read(0)).bitDepth).toBe(16);
  });

  it('follows a symlinked frames folder', async () => {
    const dir = await folderOf(['0.png']);
    const link = path.join(tempDir('link'), 'shot');
    symlinkSync(dir, link);
    const source = await openFrameSource(link, { workDir: tempDir('work') });
    expect(source.sourcePath).toBe(await fs.realpath(dir));
  });

  it('refuses an empty folder, a missing path and a single image', async () => {
    const empty = tempDir('frames');
    writeFileSync(path.join(empty, 'readme.txt'), 'x');
    expect(await inputError(openFrameSource(empty, { workDir: tempDir('w') }))).toMatch(/holds no frames \(looked for \.png/);
    expect(await inputError(openFrameSource(path.join(empty, 'nope'), { workDir: tempDir('w') }))).toMatch(/was not found/);
    const dir = await folderOf(['0.png']);
    expect(await inputError(openFrameSource(path.join(dir, '0.png'), { workDir: tempDir('w') }))).toMatch(
      /is a single image; give the folder/,
    );
  });

  it('names the frame whose size differs', async () => {
    const dir = await folderOf(['00000.png', '00001.png']);
    await writeRgb(path.join(dir, '00002.png'), W + 2, H);
    expect(await inputError(openFrameSource(dir, { workDir: tempDir('w') }))).toBe(
      'frame 2 (00002.png) is 18x8 but frame 0 (00000.png) is 16x8; all frames must be the same size.',
    );
  });

  it('refuses two frames that would give the same output name', async () => {
    const dir = await folderOf(['00001.png', '00001.jpg']);
    expect(await inputError(openFrameSource(dir, { workDir: tempDir('w') }))).toMatch(/holds both 00001\.jpg and 00001\.png/);
  });

  it('opens a folder with a truncated frame, and names it when read', async () => {
    const dir = await folderOf(['00000.jpg'], { width: 64, height: 64 });
    await writeTruncated(path.join(dir, '00001.jpg'), 64, 64, 'jpeg');
    const source = await openFrameSource(dir, { workDir: tempDir('w') });
    expect(await inputError(source.read(1))).toMatch(/^frame 1 \(00001\.jpg\) is truncated or corrupt/);
  });
});

describe('openFrameSource (video)', () => {
  it('decodes a video into numbered frames and cleans up on dispose', async () => {
    const dir = await folderOf(['a.png', 'b.png', 'c.png', 'd.png'], { width: 32, height: 16 });
    const video = path.join(tempDir('video'), 'clip.mp4');
    await encodeClip(dir, ['a', 'b', 'c', 'd'], video, { fps: 24, alpha: false });
    const workDir = tempDir('work');
    const source = await openFrameSource(video, { workDir });
    expect(source.kind).toBe('video');
    expect(source.names).toEqual(['00000', '00001', '00002', '00003']);
    expect([source.width, source.height, source.fps]).toEqual([32, 16, 24]);
    const frame = await source.read(3);
    expect(frame.width).toBe(32);
    await source.dispose();
    expect(await fs.readdir(workDir)).toEqual([]);
  });

  it('refuses a file that is not a video', async () => {
    const file = path.join(tempDir('video'), 'clip.mp4');
    writeFileSync(file, 'this is not a video');
    expect(await inputError(openFrameSource(file, { workDir: tempDir('w') }))).toMatch(
      /--frames clip\.mp4 is neither a folder of images nor a video/,
    );
  });
});
