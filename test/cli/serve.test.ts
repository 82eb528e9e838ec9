/** `anchorflow serve`, driven over stdio the way the panel drives it. */
import type { ChildProcess } from 'child_process';
import { existsSync, mkdirSync, readdirSync } from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreviewTracker } from '../../client/engine/serve';
import type { EngineEvent } from '../../client/shared/protocol';
import { tempDir } from '../io/fixtures';
import { collect, startCli, writeSampleClip, type CliRun, type Clip } from './helpers';

class ServeClient {
  readonly events: EngineEvent[] = [];
  readonly exited: Promise<CliRun>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    this.exited = collect(child);
    let buffer = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) this.events.push(JSON.parse(line) as EngineEvent); // any non-JSON line fails here
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  send(command: object | string): void {
    this.child.stdin?.write(`${typeof command === 'string' ? command : JSON.stringify(command)}\n`);
  }

  async waitFor(predicate: (e: EngineEvent) => boolean): Promise<EngineEvent> {
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  final(id: string): Promise<EngineEvent> {
    return this.waitFor((e) => e.id === id && (e.event === 'done' || e.event === 'error'));
  }
}

let root: string;
let clip: Clip;
let serve: ServeClient;
/** The engine's temp folder. */
let serveTmp: string;

beforeAll(async () => {
  root = tempDir('serve');
  clip = await writeSampleClip(path.join(root, 'input'), 12);
  serveTmp = path.join(root, 'tmp');
  mkdirSync(serveTmp);
  serve = new ServeClient(startCli(['serve'], { env: { TMPDIR: serveTmp } }));
});

afterAll(() => {
  serve.child.kill();
});

describe('anchorflow serve', () => {
  it('answers ping with versions and the models summary', async () => {
    serve.send({ id: 'p1', cmd: 'ping' });
    const answer = await serve.final('p1');
    expect(answer).toMatchObject({ event: 'done', id: 'p1', result: { version: '0.1.0', node: process.versions.node } });
    expect((answer as { result: { models: { manifest: string } } }).result.models.manifest).toMatch(/manifest\.json$/);
  });

  it('answers malformed and unknown commands with an error, and keeps serving', async () => {
    serve.send('this is not json');
    await serve.waitFor((e) => e.event === 'error' && e.id === undefined && /not a JSON command/.test(e.message));
    serve.send({ id: 'u1', cmd: 'explode' });
    expect(await serve.final('u1')).toMatchObject({ event: 'error', code: 'bad-input', message: expect.stringMatching(/unknown command "explode"/) });
    serve.send({ id: 'c0', cmd: 'cancel', target: 'nothing' });
    expect(await serve.final('c0')).toMatchObject({ event: 'done', result: { cancelled: false } });
  });

  it('makes filmstrip thumbnails', async () => {
    const outDir = path.join(root, 'thumbs');
    serve.send({ id: 't1', cmd: 'thumbnails', frames: clip.frames, outDir, height: 32 });
    const answer = (await serve.final('t1')) as { event: string; result: { thumbnails: { index: number; file: string }[] } };
    expect(answer.event).toBe('done');
    expect(answer.result.thumbnails).toHaveLength(12);
    const meta = await sharp(answer.result.thumbnails[3].file).metadata();
    expect([meta.format, meta.height]).toEqual(['jpeg', 32]);

    serve.send({ id: 't2', cmd: 'thumbnails', frames: path.join(root, 'no-such-folder'), outDir, height: 32 });
    expect(await serve.final('t2')).toMatchObject({ event: 'error', code: 'bad-input' });
    // Neither job left its work folder behind (tsx, which runs the engine from sources here, keeps its cache there).
    expect(readdirSync(serveTmp).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
  });

  it('propagates with progress and JPEG previews, reporting bad input as an error event', async () => {
    const out = path.join(root, 'out');
    serve.send({ id: 'bad', cmd: 'propagate', request: { frames: clip.frames, anchors: [{ index: 99, image: clip.anchor }], masks: [], out } });
    expect(await serve.final('bad')).toMatchObject({ event: 'error', code: 'bad-input', message: expect.stringMatching(/out of range/) });
    serve.send({ id: 'run', cmd: 'propagate', request: { frames: clip.frames, anchors: [{ index: clip.anchorIndex, image: clip.anchor }], masks: [], out } });
    const answer = await serve.final('run');
    expect(answer.event, JSON.stringify(answer)).toBe('done');
    const progress = serve.events.filter((e) => e.id === 'run' && e.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    const previews = progress.flatMap((e) => (e.event === 'progress' && e.preview ? [e.preview] : []));
    console.log(`serve: ${progress.length} progress events, ${previews.length} with a preview`);
    expect(previews.length).toBeGreaterThan(0);
    for (const preview of previews) {
      expect(preview.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
      expect(preview.index).toBeGreaterThanOrEqual(0);
    }
    expect(existsSync(path.join(out, '00011.png'))).toBe(true);
  });

  it('round-trips an anchor through a layered PSD', async () => {
    const frame = path.join(clip.frames, `${clip.names[0]}.png`);
    const psd = path.join(root, 'anchor.psd');
    serve.send({ id: 'w1', cmd: 'writeAnchorPsd', frame, psd });
    expect(await serve.final('w1')).toMatchObject({ event: 'done', result: { psd } });
    const outImage = path.join(root, 'anchor-back.png');
    serve.send({ id: 'r1', cmd: 'readAnchor', file: psd, frame, outImage, outMask: path.join(root, 'anchor-mask.png') });
    expect(await serve.final('r1')).toMatchObject({ event: 'done', result: { image: outImage } });
    const meta = await sharp(outImage).metadata();
    expect([meta.width, meta.height]).toEqual([clip.width, clip.height]);
  });

  it('cancels a running job', async () => {
    const long = await writeSampleClip(path.join(root, 'long'), 48);
    serve.send({ id: 'long', cmd: 'propagate', request: { frames: long.frames, anchors: [{ index: long.anchorIndex, image: long.anchor }], masks: [], out: path.join(root, 'long-out') } });
    await serve.waitFor((e) => e.id === 'long' && e.event === 'progress' && e.done >= 1);
    serve.send({ id: 'c1', cmd: 'cancel', target: 'long' });
    expect(await serve.final('c1')).toMatchObject({ event: 'done', result: { cancelled: true } });
    expect(await serve.final('long')).toMatchObject({ event: 'error', code: 'cancelled' });
  });

  it('exits when stdin closes', async () => {
    serve.child.stdin?.end();
    const run = await serve.exited;
    expect(run.code).toBe(0);
  });
});

describe('serve previews', () => {
  it('looks again at the next event when no frame was finished yet, then waits out the interval', async () => {
    const dir = tempDir('preview');
    const tracker = new PreviewTracker(dir, (file) => Number(path.basename(file, '.png')));
    // The run's first progress event comes before any frame is written: nothing to show.
    expect(await tracker.previewFor()).toBeNull();
    await sharp({ create: { width: 32, height: 24, channels: 3, background: '#808080' } }).png().toFile(path.join(dir, '00003.png'));
    // The next event, at once, shows the frame just written (a job shorter than the interval still gets one).
    const preview = await tracker.previewFor();
    expect(preview?.index).toBe(3);
    expect(preview?.dataUrl).toMatch(/^data:image\/jpeg;base64,/);
    // Right after a preview, none until the interval has passed.
    expect(await tracker.previewFor()).toBeNull();
  });
});
