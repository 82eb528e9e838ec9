/**
 * The capture thread (pipeline/capture.ts + runtime/capture-worker.ts): what it streams must be exactly what the
 * pipeline would compute in line (the frame decoded, at flow resolution, and both neighbour searches), in either
 * direction; a consumer may leave a walk early; the walk that follows starts ahead; failures keep their kind and
 * name the frame.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../client/engine/errors';
import { openFrameSource, readFrame, type FrameSource } from '../../client/engine/io/frames';
import { chooseFlowGrid } from '../../client/engine/pipeline/anchor-model';
import { CaptureThread, type CapturedLink } from '../../client/engine/pipeline/capture';
import { neighbourMotion } from '../../client/engine/pipeline/correspondence';
import { resampleArea } from '../../client/engine/pipeline/raster';
import { StageTimer } from '../../client/engine/pipeline/timing';
import { openModels, type SessionSet } from '../../client/engine/runtime/models';
import { write16, writeTruncated } from '../io/fixtures';
import { CLIP, frameName, writeClip } from './clip';

let root: string;
let source: FrameSource;
let models: SessionSet<'correspondence_search'>;
const grid = chooseFlowGrid(CLIP.width, CLIP.height);

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-capture-'));
  await writeClip(path.join(root, 'clip'));
  source = await openFrameSource(path.join(root, 'clip'), { workDir: root });
  models = await openModels('cpu', { only: ['correspondence_search'], threads: 1 });
});

afterAll(async () => {
  await models?.release();
  await fs.rm(root, { recursive: true, force: true });
});

async function lowOf(index: number): Promise<Float32Array> {
  const full = await readFrame(source.files, index, source);
  return resampleArea(full.data, 3, full.width, full.height, grid.width, grid.height);
}

/** What the pipeline would compute in line for the walk from `from` over `links`. */
async function expectInLine(from: number, links: CapturedLink[]): Promise<void> {
  let previousLow = await lowOf(from);
  let guess: Float32Array = new Float32Array(2 * grid.width * grid.height);
  for (const link of links) {
    const full = await readFrame(source.files, link.frame.index, source);
    expect(link.frame.full.data).toEqual(full.data);
    expect(link.frame.full.fileSamples).toEqual(full.fileSamples);
    const low = await lowOf(link.frame.index);
    expect(link.frame.low).toEqual(low);
    const motion = await neighbourMotion(models, grid, low, previousLow, guess);
    expect(link.motion.toPrevious).toEqual(motion.toPrevious);
    expect(link.motion.fromPrevious).toEqual(motion.fromPrevious);
    previousLow = low;
    guess = motion.toPrevious;
  }
}

describe('capture thread', () => {
  it('streams each link with its frame and the neighbour motion an in-line search gives, forwards', async () => {
    const timer = new StageTimer();
    const capture = new CaptureThread(source, grid, timer);
    capture.open('cpu', 1);
    try {
      const links: CapturedLink[] = [];
      for await (const link of capture.walk(2, 1, 6)) links.push(link);
      expect(links.map((l) => l.frame.index)).toEqual([3, 4, 5, 6]);
      await expectInLine(2, links);
    } finally {
      await capture.close();
    }
    // The thread's own stage times join the run's.
    expect(timer.summary()['neighbour motion']).toBeGreaterThan(0);
  });

  it('walks backwards, lets the consumer leave early, and keeps serving afterwards', async () => {
    const capture = new CaptureThread(source, grid, new StageTimer());
    capture.open('cpu', 1);
    try {
      const links: CapturedLink[] = [];
      for await (const link of capture.walk(9, -1, 0)) {
        links.push(link);
        if (links.length === 2) break;
      }
      expect(links.map((l) => l.frame.index)).toEqual([8, 7]);
      await expectInLine(9, links);
      // The frame just walked comes from the cache, unchanged; another walk runs after the stopped one.
      expect((await capture.frame(7)).full.data).toEqual(links[1].frame.full.data);
      const again: number[] = [];
      for await (const link of capture.walk(0, 1, 1)) again.push(link.frame.index);
      expect(again).toEqual([1]);
    } finally {
      await capture.close();
    }
  });

  it('serves a walk started ahead to the walk that asks for it, and only to that one', async () => {
    const capture = new CaptureThread(source, grid, new StageTimer());
    capture.open('cpu', 1);
    try {
      capture.startWalk({ from: 4, direction: 1, end: 7 });
      const other: number[] = [];
      for await (const link of capture.walk(4, 1, 5)) other.push(link.frame.index);
      expect(other).toEqual([5]);
      const links: CapturedLink[] = [];
      for await (const link of capture.walk(4, 1, 7)) links.push(link);
      expect(links.map((l) => l.frame.index)).toEqual([5, 6, 7]);
      await expectInLine(4, links);
    } finally {
      await capture.close();
    }
  });

  it('starts the walk that follows once the consumer is two links from the end, and serves it to its consumer', async () => {
    const capture = new CaptureThread(source, grid, new StageTimer());
    capture.open('cpu', 1);
    try {
      const startedAt: number[] = [];
      for await (const link of capture.walk(2, 1, 6, { from: 2, direction: -1, end: 0 })) {
        // White-box: the walks started ahead, by key (no other observable tells "started early" from "started now").
        if (capture['started'].size > 0 && startedAt.length === 0) startedAt.push(link.frame.index);
      }
      expect(startedAt).toEqual([4]);
      const links: CapturedLink[] = [];
      for await (const link of capture.walk(2, -1, 0)) links.push(link);
      expect(links.map((l) => l.frame.index)).toEqual([1, 0]);
      expect(capture['started'].size).toBe(0);
      await expectInLine(2, links);
    } finally {
      await capture.close();
    }
  });

  it('hands 16-bit frames over whole: 16-bit samples, the same values as read in line', async () => {
    const dir = path.join(root, 'deep');
    await fs.mkdir(dir);
    const written = [];
    for (let t = 0; t < 3; t++) written.push(await write16(path.join(dir, frameName(t)), 40, 24));
    const deep = await openFrameSource(dir, { workDir: root });
    const capture = new CaptureThread(deep, chooseFlowGrid(40, 24), new StageTimer());
    capture.open('cpu', 1);
    try {
      const links: CapturedLink[] = [];
      for await (const link of capture.walk(0, 1, 2)) links.push(link);
      expect(links.map((l) => l.frame.index)).toEqual([1, 2]);
      for (const link of links) {
        expect(link.frame.full.bitDepth).toBe(16);
        expect(link.frame.full.fileSamples).toBeInstanceOf(Uint16Array);
        expect(link.frame.full.fileSamples).toEqual(written[link.frame.index]);
        expect(link.frame.full.data).toEqual((await readFrame(deep.files, link.frame.index, deep)).data);
      }
    } finally {
      await capture.close();
    }
  });

  it('reports a corrupt frame as bad input that names it, and the frames before it arrive', async () => {
    const dir = path.join(root, 'cut');
    await fs.mkdir(dir);
    for (let t = 0; t < 6; t++) await fs.copyFile(path.join(root, 'clip', frameName(t)), path.join(dir, frameName(t)));
    await writeTruncated(path.join(dir, frameName(4)), CLIP.width, CLIP.height, 'png');
    const cut = await openFrameSource(dir, { workDir: root });
    const capture = new CaptureThread(cut, grid, new StageTimer());
    capture.open('cpu', 1);
    const seen: number[] = [];
    try {
      const walking = (async () => {
        for await (const link of capture.walk(1, 1, 5)) seen.push(link.frame.index);
      })();
      await expect(walking).rejects.toThrow(InputError);
      await expect(walking).rejects.toThrow(/^frame 4 \(00004\.png\) is truncated or corrupt/);
      expect(seen).toEqual([2, 3]);
    } finally {
      await capture.close();
    }
  });
});
