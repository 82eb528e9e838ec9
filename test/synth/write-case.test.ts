import { mkdtemp, readdir, rm } from 'fs/promises';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMask, readRgb } from '../../bench/images';
import { renderScene, twoAnchors, writeCase } from '../../client/engine/synth';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writeCase', () => {
  it('writes frames, ground truth, and one anchor image + mask per anchor, matching the in-memory render', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'anchorflow-synth-'));
    dirs.push(dir);
    const size = { width: 96, height: 54, frameCount: 5 };
    const written = await writeCase(twoAnchors, dir, { ...size, groundTruth: true });
    const clip = renderScene(twoAnchors, size);
    expect(await readdir(written.framesDir)).toEqual(['00000.png', '00001.png', '00002.png', '00003.png', '00004.png']);
    expect(written.anchors.map((a) => a.index)).toEqual([0, 4]);
    for (const a of written.anchors) {
      const image = await readRgb(a.image);
      expect(Buffer.compare(Buffer.from(image.data), Buffer.from(clip.edited[a.index]))).toBe(0);
      const mask = await readMask(a.mask);
      // The anchor mask covers every pixel the edit changed (it is dilated, so it may cover a little more).
      let missed = 0;
      let covered = 0;
      for (let p = 0; p < mask.data.length; p++) {
        if (clip.masks[a.index][p] && !mask.data[p]) missed++;
        if (mask.data[p]) covered++;
      }
      expect(missed).toBe(0);
      expect(covered).toBeGreaterThan(0);
    }
    const frame2 = await readRgb(path.join(written.framesDir, '00002.png'));
    expect(Buffer.compare(Buffer.from(frame2.data), Buffer.from(clip.frames[2]))).toBe(0);
    const gt2 = await readRgb(path.join(written.groundTruthDir!, '00002.png'));
    expect(Buffer.compare(Buffer.from(gt2.data), Buffer.from(clip.edited[2]))).toBe(0);
    // No temporary files are left behind.
    expect((await readdir(written.framesDir)).some((f) => f.includes('.tmp'))).toBe(false);
  });
});
