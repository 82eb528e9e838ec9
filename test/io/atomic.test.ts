import { promises as fs, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  isTempName,
  prepareOutputFolder,
  removeStaleTemps,
  tempPathFor,
  withAtomicFile,
  writeFileAtomic,
} from '../../client/engine/io/atomic';
import { writePng } from '../../client/engine/io/images';
import { tempDir } from './fixtures';

describe('atomic writes', () => {
  it('replaces a file in one step and leaves no temp file', async () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, '00001.png');
    writeFileSync(file, 'previous');
    await writeFileAtomic(file, 'next');
    expect(readFileSync(file, 'utf8')).toBe('next');
    expect(readdirSync(dir)).toEqual(['00001.png']);
  });

  it('keeps the previous file and removes the partial temp when the write fails midway', async () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, '00002.png');
    writeFileSync(file, 'previous result');
    let tempSeen = '';
    await expect(
      withAtomicFile(file, async (temp) => {
        tempSeen = temp;
        await fs.writeFile(temp, 'half a fr'); // partial content on disk...
        throw new Error('disk full'); // ...then the writer dies
      }),
    ).rejects.toThrow('disk full');
    expect(path.dirname(tempSeen)).toBe(dir); // same folder: rename never crosses filesystems
    expect(readFileSync(file, 'utf8')).toBe('previous result');
    expect(readdirSync(dir)).toEqual(['00002.png']);
  });

  it('writePng that fails to encode leaves the previous PNG untouched', async () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, '00003.png');
    writeFileSync(file, 'previous');
    await expect(writePng(file, { width: 4, height: 4, bitDepth: 8, data: new Float32Array(3) }, 8)).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['00003.png']);
  });

  it('cleans temp files of dead writers only', async () => {
    const dir = tempDir('atomic');
    const mine = tempPathFor(path.join(dir, 'a.png'));
    const dead = path.join(dir, '.b.png.anchorflow-2147483646-0badf00d.tmp');
    writeFileSync(mine, 'x');
    writeFileSync(dead, 'x');
    writeFileSync(path.join(dir, 'c.png'), 'final');
    expect(isTempName(path.basename(mine))).toBe(true);
    expect(isTempName('c.png')).toBe(false);
    expect(await removeStaleTemps(dir)).toEqual([path.basename(dead)]);
    expect(readdirSync(dir).sort()).toEqual([path.basename(mine), 'c.png'].sort());
  });

  it('prepareOutputFolder creates nested folders and keeps existing results', async () => {
    const dir = tempDir('atomic');
    const out = path.join(dir, 'a', 'b');
    await prepareOutputFolder(out);
    writeFileSync(path.join(out, 'keep.png'), 'x');
    await prepareOutputFolder(out);
    expect(readdirSync(out)).toEqual(['keep.png']);
  });
});
