/**
 * `createServices` (the panel's Node side) on the test's Node, against the fake engine and, for the Photoshop round
 * trip, a small `serve` that runs the real client/engine/psd.ts. The same code under CEP's Node 15/17 is checked in
 * cep-node.test.ts. No real Photoshop: opening is checked with a stand-in executable and the launch plans per OS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { initializeCanvas, readPsd, writePsdBuffer } from 'ag-psd';
import { createServices } from '../../client/panel-node/index';
import { chooseJobRoot, isSameOrInside, rerunCommand } from '../../client/panel-node/job-folder';
import { defaultAppStep, photoshopLaunchPlan, SaveWatcher } from '../../client/panel-node/photoshop';
import { parsePropagateArgs } from '../../client/engine/cli/args';
import type { Attempt, JobPaths, PanelServices, ServicesEvent } from '../../client/shared/panel-services';
import type { PropagateRequest } from '../../client/shared/protocol';

const FIXTURES = path.join(__dirname, 'fixtures');
let work: string;
let services: PanelServices | null = null;
let events: ServicesEvent[];

/** The paths of a job `createJob` must have made (its failure message as the assertion text otherwise). */
function jobOf(attempt: Attempt<{ paths: JobPaths }>): JobPaths {
  if (!attempt.ok) throw new Error(`createJob failed: ${attempt.message} / ${attempt.nextStep}`);
  return attempt.paths;
}

function make(engine = 'fake-engine.js', extra: Record<string, unknown> = {}): PanelServices {
  events = [];
  services = createServices(
    {
      extensionRoot: path.join(work, 'extension'),
      userDataDir: path.join(work, 'user-data'),
      engineScript: path.join(FIXTURES, engine),
      settings: { nodePath: process.execPath },
      watch: { debounceMs: 250, pollMs: 100 },
      timeouts: { startMs: 15_000 },
      ...extra,
    },
    (event) => events.push(event),
  );
  return services;
}

async function until<T>(probe: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function request(frames: string, out: string): PropagateRequest {
  return { frames, anchors: [{ index: 0, image: path.join(work, 'anchor.png') }], masks: [], out };
}

beforeEach(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-services-'));
});

afterEach(async () => {
  await services?.dispose();
  services = null;
  await fs.rm(work, { recursive: true, force: true });
});

describe('engine through the services', () => {
  it('checks the engine and reports the Node it runs on', async () => {
    const check = await make().checkEngine();
    expect(check).toEqual({ ok: true, nodePath: process.execPath, nodeVersion: process.version });
  });

  it('reports a missing engine as a value with a next step', async () => {
    const check = await make('no-such-engine.js').checkEngine();
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.message).toMatch(/^The engine is missing \(.*no-such-engine\.js not found\)\.$/);
    expect(check.nextStep).toBe('Reinstall the AnchorFlow extension.');
    const outcome = await services!.propagate({ runId: 'r0', request: request('/frames/ok', path.join(work, 'out')) });
    expect(outcome).toMatchObject({ status: 'failed', code: 'engine-missing' });
  });

  it('warns when the Node in Settings is refused and another one is used', async () => {
    const panel = make();
    await panel.configure({ nodePath: '/nonexistent/node', device: 'cpu' });
    const check = await panel.checkEngine();
    expect(check.ok).toBe(true);
    expect(events).toContainEqual({
      kind: 'warning',
      runId: null,
      message: expect.stringMatching(/^The Node path in Settings was not used \(settings \/nonexistent\/node \(file not found\)\); using .* \(v\d+/),
    });
  });

  it('propagates with progress events, then survives a crash mid-job and runs again', async () => {
    const panel = make();
    const out = path.join(work, 'results');
    const done = await panel.propagate({ runId: 'run-1', request: request('/frames/ok', out) });
    expect(done.status).toBe('done');
    const progress = events.filter((event) => event.kind === 'progress');
    expect(progress).toHaveLength(5);
    expect(progress.every((event) => event.kind === 'progress' && event.runId === 'run-1' && event.total === 5)).toBe(true);

    const crashOut = path.join(work, 'crash-results');
    const crashed = await panel.propagate({ runId: 'run-2', request: request('/frames/crash', crashOut) });
    expect(crashed).toEqual({
      status: 'failed',
      code: 'engine-crashed',
      message: 'The engine stopped unexpectedly (exit code 3): RangeError: simulated out of memory in fake engine. Your earlier results are untouched; press Retry.',
      nextStep: 'Press Retry; the engine restarts on its own.',
    });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'engine-exit', code: 3 }));
    // The first run's results are still there, and Retry starts a fresh engine.
    expect((await fs.readdir(out)).length).toBe(5);
    const retried = await panel.propagate({ runId: 'run-3', request: request('/frames/ok', out) });
    expect(retried.status).toBe('done');
  });

  it('cancels a run, and maps bad input to a failed outcome', async () => {
    const panel = make();
    const running = panel.propagate({ runId: 'slow', request: request('/frames/slow', path.join(work, 'slow')) });
    await until(() => events.find((event) => event.kind === 'progress'));
    await panel.cancel({ runId: 'slow' });
    expect(await running).toEqual({ status: 'cancelled', message: 'Cancelled; earlier results were left untouched.' });
    const bad = await panel.propagate({ runId: 'bad', request: request('/frames/missing', path.join(work, 'bad')) });
    expect(bad).toMatchObject({ status: 'failed', code: 'bad-input', message: 'No frames in /frames/missing; capture the clip again.' });
  });

  it('never hangs on an engine that does not answer', async () => {
    const check = await make('fake-engine-silent.js', { timeouts: { startMs: 800 } }).checkEngine();
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.message).toMatch(/^The engine did not answer within 1 s/);
  });
});

describe('job folder', () => {
  it('creates a job next to the project with its subfolders and job.json, and records how to re-run it', async () => {
    const panel = make();
    const projectPath = path.join(work, 'Projects', 'Spot.prproj');
    const paths = jobOf(await panel.createJob({ projectPath, jobRoot: '', name: 'Shot 12: car/wide.mov', mediaPath: path.join(work, 'Media', 'wide.mov') }));
    expect(path.dirname(paths.dir)).toBe(path.join(work, 'Projects', 'AnchorFlow Jobs'));
    expect(path.basename(paths.dir)).toMatch(/^Shot 12_ car_wide-\d{8}-\d{6}$/);
    for (const sub of ['frames', 'anchors', 'masks', 'results', 'thumbs']) expect((await fs.stat(path.join(paths.dir, sub))).isDirectory()).toBe(true);
    const initial = await panel.readJob({ dir: paths.dir });
    expect(initial).toMatchObject({ version: 1, request: null });

    await panel.checkEngine(); // so job.json can record the engine's version info
    const job = { ...initial!, request: { ...request(paths.framesDir, paths.resultsDir), masks: [{ index: 0, image: path.join(paths.masksDir, "it's.png") }], layer: true, device: 'cpu' as const, range: [2, 9] as [number, number] } };
    await panel.writeJob({ dir: paths.dir, job });
    const saved = JSON.parse(await fs.readFile(paths.jobFile, 'utf8'));
    expect(saved.engineInfo).toMatchObject({ version: '0.0.0-fake' });
    // Flags bare, a path with a quote in POSIX single quotes.
    expect(saved.rerun.command).toContain(` --mask '0=${path.join(paths.masksDir, "it'\\''s.png")}' --out `);
    // The recorded argv is what the engine's own CLI parser turns back into the same request.
    const argv: string[] = saved.rerun.argv;
    expect(argv.slice(0, 3)).toEqual(['npx', 'anchorflow', 'propagate']);
    expect(parsePropagateArgs(argv.slice(3)).request).toEqual(job.request);
    expect((await fs.readdir(paths.dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('uses the per-user folder for an unsaved project and numbers two jobs made in the same second', async () => {
    const panel = make();
    const first = jobOf(await panel.createJob({ projectPath: null, jobRoot: '', name: 'clip' }));
    const second = jobOf(await panel.createJob({ projectPath: null, jobRoot: '', name: 'clip' }));
    expect(path.dirname(first.dir)).toBe(path.join(work, 'user-data', 'AnchorFlow Jobs'));
    expect(second.dir).not.toBe(first.dir);
  });

  it('never puts a job inside the media folder', async () => {
    const media = path.join(work, 'Footage', 'clip.mov');
    expect(() => chooseJobRoot({ projectPath: null, jobRoot: path.join(work, 'Footage', 'jobs'), name: 'x', mediaPath: media }, '/u')).toThrow(
      /is inside the clip's media folder .*Footage; AnchorFlow never writes there\. Choose another job folder in Settings\./,
    );
    // Project saved among its media: the default moves to the per-user folder, with a note.
    const beside = chooseJobRoot({ projectPath: path.join(work, 'Footage', 'p.aep'), jobRoot: '', name: 'x', mediaPath: media }, '/u');
    expect(beside.root).toBe(path.join('/u', 'AnchorFlow Jobs'));
    expect(beside.note).toMatch(/media folder/);
    expect(isSameOrInside('/a/b/c', '/a/b')).toBe(true);
    expect(isSameOrInside('/a/bc', '/a/b')).toBe(false);
    expect(isSameOrInside('C:\\Media\\Jobs', 'c:\\media', 'win32')).toBe(true);
  });

  it('createJob checks the media path it is given: refuses a job root inside it as a value, moves the default out of it', async () => {
    const panel = make();
    const footage = path.join(work, 'Footage');
    const media = path.join(footage, 'clip.mov');
    const refused = await panel.createJob({ projectPath: null, jobRoot: path.join(footage, 'jobs'), name: 'clip', mediaPath: media });
    expect(refused).toEqual({
      ok: false,
      message: `The job folder ${path.join(footage, 'jobs')} is inside the clip's media folder ${footage}; AnchorFlow never writes there. Choose another job folder in Settings.`,
      nextStep: 'Choose another job folder in Settings, then capture again.',
    });
    // Nothing was created in the media folder.
    await expect(fs.stat(footage)).rejects.toMatchObject({ code: 'ENOENT' });

    const moved = jobOf(await panel.createJob({ projectPath: path.join(footage, 'Edit.prproj'), jobRoot: '', name: 'clip', mediaPath: media }));
    expect(path.dirname(moved.dir)).toBe(path.join(work, 'user-data', 'AnchorFlow Jobs'));
    expect(events).toContainEqual({ kind: 'warning', runId: null, message: expect.stringContaining("sits in the clip's media folder") });
  });

  it('createJob reports a folder it cannot make as a value with a next step', async () => {
    const panel = make();
    const blocker = path.join(work, 'not-a-folder');
    await fs.writeFile(blocker, 'a file where the job root should be');
    const failed = await panel.createJob({ projectPath: null, jobRoot: path.join(blocker, 'jobs'), name: 'clip' });
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.message).toMatch(/^Could not create the job folder \(ENOTDIR/);
    expect(failed.nextStep).toBe('Check that the job folder in Settings (or the project folder) exists and is writable, then capture again.');
  });

  it('quotes the re-run command for Windows too', () => {
    const command = rerunCommand({ frames: 'C:\\My Clips\\frames', anchors: [{ index: 3, image: 'C:\\a.png' }], masks: [], out: 'C:\\out' }, 'C:\\', 'win32').command;
    expect(command).toBe('npx anchorflow propagate --frames "C:\\My Clips\\frames" --anchor 3=C:\\a.png --out C:\\out');
  });
});

describe('files for the page', () => {
  it('lists frames in name order, saves dropped bytes without overwriting, reads data URLs', async () => {
    const panel = make();
    const frames = path.join(work, 'frames');
    await fs.mkdir(frames);
    for (const name of ['00002.png', '00001.png', 'notes.txt', '00003.JPG', '.hidden.png']) await fs.writeFile(path.join(frames, name), 'x');
    expect((await panel.listFrames({ dir: frames })).files.map((file) => path.basename(file))).toEqual(['00001.png', '00002.png', '00003.JPG']);
    expect(await panel.listFrames({ dir: path.join(work, 'nope') })).toEqual({ files: [] });
    const first = await panel.saveBytes({ dir: path.join(work, 'anchors'), name: '../../evil.png', base64: Buffer.from('one').toString('base64') });
    const second = await panel.saveBytes({ dir: path.join(work, 'anchors'), name: 'evil.png', base64: Buffer.from('two').toString('base64') });
    expect([path.basename(first.path), path.basename(second.path)]).toEqual(['evil.png', 'evil-2.png']);
    expect(path.dirname(first.path)).toBe(path.join(work, 'anchors'));
    expect((await panel.readDataUrl({ file: second.path })).dataUrl).toBe(`data:image/png;base64,${Buffer.from('two').toString('base64')}`);
    expect(await panel.exists({ path: frames })).toEqual({ exists: true, isDirectory: true });
  });
});

describe('Photoshop round trip (no Photoshop: a stand-in executable and code edits)', () => {
  it('plans the launch per OS: bundle id on macOS, the exe on Windows', () => {
    expect(photoshopLaunchPlan('/j/a.psd', undefined, 'darwin')).toEqual([
      { command: 'open', args: ['-b', 'com.adobe.Photoshop', '/j/a.psd'], label: 'Adobe Photoshop', longRunning: false },
    ]);
    expect(photoshopLaunchPlan('/j/a.psd', '/Applications/Adobe Photoshop 2025/Adobe Photoshop 2025.app', 'darwin')[0].args).toEqual([
      '-a',
      '/Applications/Adobe Photoshop 2025/Adobe Photoshop 2025.app',
      '/j/a.psd',
    ]);
    // Vulcan's path to the executable inside the bundle is trimmed to the .app for `open -a`.
    expect(photoshopLaunchPlan('/j/a.psd', '/Applications/Adobe Photoshop 2025/Adobe Photoshop 2025.app/Contents/MacOS/Adobe Photoshop 2025', 'darwin')[0].args[1]).toBe(
      '/Applications/Adobe Photoshop 2025/Adobe Photoshop 2025.app',
    );
    expect(defaultAppStep('C:\\j\\a b.psd', 'win32')).toMatchObject({ command: 'cmd', args: ['/d', '/s', '/c', 'start "" "C:\\j\\a b.psd"'], verbatim: true });
    const windows = photoshopLaunchPlan('C:\\j\\a.psd', undefined, 'win32', (file) => file.includes('2024'), 2025);
    expect(windows.map((step) => step.label)).toEqual(['Adobe Photoshop 2024']);
    expect(windows[0].command).toMatch(/Adobe Photoshop 2024\\Photoshop\.exe$/);
  });

  it('opens the file with the given Photoshop executable', async () => {
    const panel = make();
    const record = path.join(work, 'opened.txt');
    const fakePhotoshop = path.join(work, 'photoshop.sh');
    await fs.writeFile(fakePhotoshop, `#!/bin/sh\necho "$1" > '${record}'\n`, { mode: 0o755 });
    const psd = path.join(work, 'anchor.psd');
    await fs.writeFile(psd, '8BPS');
    const opened = await panel.openInPhotoshop({ file: psd, photoshopPath: fakePhotoshop });
    expect(opened).toEqual({ ok: true, message: `Opened anchor.psd in ${fakePhotoshop}.` });
    expect((await fs.readFile(record, 'utf8')).trim()).toBe(psd);
    expect((await panel.openInPhotoshop({ file: path.join(work, 'none.psd') })).ok).toBe(false);
  });

  // psd-engine.js: only client/engine/psd.ts behind the protocol; engine-from-source.js: the real `anchorflow serve`.
  it.each(['psd-engine.js', 'engine-from-source.js'])('writes the PSD, sees each save once the size settles, and reads composite and mask back (%s)', async (engineScript) => {
    initializeCanvas(
      () => {
        throw new Error('no canvas');
      },
      ((width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) })) as never,
    );
    const panel = make(engineScript, { timeouts: { startMs: 60_000 } });
    const frame = path.join(work, 'frame.png');
    await sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toFile(frame);
    const psd = path.join(work, 'anchors', 'anchor-0000.psd');
    expect(await panel.writeAnchorPsd({ frame, psd })).toEqual({ ok: true, psd });
    await panel.watchFile({ watchId: 'anchor-0', file: psd });

    // The "designer" paints a 4x3 white block on the Edit layer and saves (with composite), in two slow writes.
    const document = readPsd(await fs.readFile(psd), { useImageData: true });
    const edit = document.children!.find((layer) => layer.name === 'Edit')!;
    for (let y = 2; y < 5; y++) {
      for (let x = 3; x < 7; x++) {
        edit.imageData!.data.set([255, 255, 255, 255], (y * 16 + x) * 4);
        document.imageData!.data.set([255, 255, 255, 255], (y * 16 + x) * 4);
      }
    }
    const bytes = writePsdBuffer(document, { noBackground: true });
    // A slow save: five chunks, 150 ms apart (less than the debounce), must give one event, after the last chunk.
    const handle = await fs.open(psd, 'w');
    const chunk = Math.ceil(bytes.length / 5);
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      await handle.write(bytes, offset, Math.min(chunk, bytes.length - offset), offset);
      await handle.sync();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await handle.close();

    const changed = await until(() => events.find((event) => event.kind === 'file-changed'));
    expect(changed).toEqual({ kind: 'file-changed', watchId: 'anchor-0', file: psd });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(events.filter((event) => event.kind === 'file-changed')).toHaveLength(1);

    const outImage = path.join(work, 'anchors', 'anchor-0000.png');
    const outMask = path.join(work, 'masks', 'mask-0000.png');
    const read = await panel.readAnchor({ file: psd, frame, outImage, outMask });
    expect(read).toEqual({ ok: true, image: outImage, mask: outMask, warnings: [] });
    const mask = await sharp(outMask).extractChannel(0).raw().toBuffer();
    expect(mask.reduce((sum, value) => sum + (value === 255 ? 1 : 0), 0)).toBe(12);
    expect(mask[3 * 16 + 4]).toBe(255);
    expect(mask[0]).toBe(0);
    const image = await sharp(outImage).removeAlpha().raw().toBuffer();
    expect([...image.subarray((3 * 16 + 4) * 3, (3 * 16 + 4) * 3 + 3)]).toEqual([255, 255, 255]);
    expect([...image.subarray(0, 3)]).toEqual([10, 20, 30]);

    // Expected failure as a value: an export of the wrong size.
    const wrong = path.join(work, 'wrong.png');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toFile(wrong);
    expect(await panel.readAnchor({ file: wrong, frame, outImage, outMask })).toEqual({
      ok: false,
      message: 'wrong.png is 8x8 but the frame is 16x12; export it at the frame\'s size without cropping or scaling.',
    });

    // job.json records what the engine said about itself (the real one: package version and models).
    const job = jobOf(await panel.createJob({ projectPath: null, jobRoot: '', name: 'psd' }));
    await panel.writeJob({ dir: job.dir, job: (await panel.readJob({ dir: job.dir }))! });
    const engineInfo = JSON.parse(await fs.readFile(job.jobFile, 'utf8')).engineInfo;
    if (engineScript === 'engine-from-source.js') {
      expect(engineInfo).toMatchObject({ version: require('../../package.json').version, node: process.versions.node });
      expect(engineInfo).toHaveProperty('models');
    } else expect(engineInfo).toEqual({ name: 'anchorflow-psd-fixture', version: '0.0.0-psd' });

    // After unwatch, saves are no longer reported.
    await panel.unwatch({ watchId: 'anchor-0' });
    await fs.writeFile(psd, bytes);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(events.filter((event) => event.kind === 'file-changed')).toHaveLength(1);
  });

  it('writeAnchorPsd reports an unreadable frame and a missing engine as values with a next step', async () => {
    const panel = make('psd-engine.js', { timeouts: { startMs: 60_000 } });
    const psd = path.join(work, 'anchors', 'anchor-0001.psd');
    const badFrame = await panel.writeAnchorPsd({ frame: path.join(work, 'no-such-frame.png'), psd });
    expect(badFrame.ok).toBe(false);
    if (badFrame.ok) return;
    expect(badFrame.message).toMatch(new RegExp(`^Could not write the Photoshop file ${psd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(badFrame.nextStep).toBe('Check that the job folder is writable and the frame still exists, then press Edit in Photoshop again.');
    await expect(fs.stat(psd)).rejects.toMatchObject({ code: 'ENOENT' });

    const noEngine = await make('no-such-engine.js').writeAnchorPsd({ frame: path.join(work, 'frame.png'), psd });
    expect(noEngine).toMatchObject({ ok: false, nextStep: 'Reinstall the AnchorFlow extension.' });
    if (!noEngine.ok) expect(noEngine.message).toContain('The engine is missing');
  });

  it('sees a Photoshop-style save (temp file renamed over the PSD) once, with native file events', async () => {
    const psd = path.join(work, 'anchor.psd');
    await fs.writeFile(psd, 'first version');
    const saves: string[] = [];
    const watcher = new SaveWatcher(psd, (file) => saves.push(file), { debounceMs: 200, pollMs: 100 });
    try {
      await watcher.ready;
      const temp = path.join(work, 'anchor.psd~tmp');
      await fs.writeFile(temp, 'second version, longer');
      await fs.rename(temp, psd);
      await until(() => (saves.length ? saves : undefined));
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(saves).toEqual([psd]);
    } finally {
      await watcher.close();
    }
  });
});
