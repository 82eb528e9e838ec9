/**
 * The panel in headless Chromium (Debian's `chromium`, driven by playwright-core; never a downloaded browser), from
 * Capture to Import:
 * - the real built panel (build/panel/index.html + main.js) and the real bundled Node side (build/panel/node/services.js),
 *   bridged into the page because plain Chromium has no CEP Node context;
 * - a REAL engine process (`node bin/anchorflow.js serve`) propagating a tiny generated clip, started through
 *   harness/engine-proxy.js, which passes its JSON lines through and, when the test asks, kills it mid-run (crash) or
 *   hands it a propagate command together with its cancel (a deterministic cancel however fast the engine is);
 * - a scripted host behind a fake `window.__adobe_cep__` — the only double, because Premiere Pro and After Effects
 *   cannot run here. Nothing in this test talks to a real Adobe app.
 * - the Photoshop round trip: the PSD is written by the real engine from the panel's button; Photoshop itself is the
 *   one thing replaced (`openInPhotoshop` stubbed at the services level — no Photoshop here); the test edits the PSD's
 *   Edit layer with ag-psd and saves it the way Photoshop does (temp file renamed over it).
 * Screenshots of each step go to test/artifacts/panel-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { createRequire } from 'module';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import * as acorn from 'acorn';
import sharp from 'sharp';
import { initializeCanvas, readPsd, writePsdBuffer } from 'ag-psd';
import type { CreateServices } from '../../client/shared/panel-services';
import type { HostContext, ImportResultArgs } from '../../client/shared/host-api';
import { CLIP, editedFramePng, renderFrame } from './harness/clip';
import { ScriptedHost } from './harness/scripted-host';
import { installPanelShims, type ServicesBridge } from './harness/page-shims';

const repo = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const panelHtml = path.join(repo, 'build', 'panel', 'index.html');
const panelBundle = path.join(repo, 'build', 'panel', 'main.js');
const servicesBundle = path.join(repo, 'build', 'panel', 'node', 'services.js');
const engineScript = path.join(repo, 'bin', 'anchorflow.js');
const engineProxy = path.join(__dirname, 'harness', 'engine-proxy.js');
const artifacts = path.join(repo, 'test', 'artifacts');
/** The minimum panel size the layout must hold without horizontal scrolling. */
const PANEL = { width: 320, height: 400 };

const SKIN = {
  appName: 'PPRO',
  appVersion: '25.0.0',
  appSkinInfo: {
    baseFontFamily: 'DejaVu Sans',
    baseFontSize: 11,
    panelBackgroundColor: { color: { red: 38, green: 38, blue: 38, alpha: 255 } },
    systemHighlightColor: { red: 58, green: 132, blue: 230, alpha: 255 },
  },
};

type EngineFault = 'pass' | 'crash' | 'hold-until-cancel';

/** name → sha256 of every PNG in a folder (empty when it is missing): "untouched" means equal snapshots. */
function snapshotPngs(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const hashes: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort()) {
    hashes[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
  }
  return hashes;
}

/** RGB of one pixel of a PNG (file or data URL). */
async function pixelAt(source: string | Buffer, x: number, y: number): Promise<number[]> {
  const input = typeof source === 'string' && source.startsWith('data:') ? Buffer.from(source.split(',')[1] ?? '', 'base64') : source;
  const { data, info } = await sharp(input).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * 3;
  return [...data.subarray(offset, offset + 3)];
}

function npmRun(script: string): void {
  try {
    execFileSync('npm', ['run', '--silent', script], { cwd: repo, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${script} failed:\n${(stdout + stderr).slice(-3000)}`);
  }
}

describe('panel in headless Chromium, Capture → Import with a real engine', () => {
  let browser: BrowserContext;
  let page: Page;
  let bridge: ServicesBridge;
  let work: string;
  let host: ScriptedHost;
  let context: HostContext;
  let engineControl: string;
  /** What the stubbed `openInPhotoshop` was asked to open. */
  const photoshopOpened: { file: string; photoshopPath?: string }[] = [];

  function setEngineFault(mode: EngineFault): void {
    fs.writeFileSync(engineControl, JSON.stringify({ propagate: mode }));
  }

  function engineFaults(): { fault: string; id: string; stage?: string; done?: number }[] {
    const log = `${engineControl}.log`;
    if (!fs.existsSync(log)) return [];
    return fs.readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { fault: string; id: string });
  }

  function jobDir(): string {
    const exported = host.callsOf('exportFrames')[0]?.args as { folder: string } | undefined;
    if (!exported) throw new Error('nothing captured yet');
    return path.dirname(exported.folder);
  }

  const noticeText = () => page.getByTestId('notice').textContent();

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package with \`apt-get install -y chromium\` (or set CHROMIUM_PATH). This test never downloads a browser.`);
    }
    // Build what the test drives, so it never runs a stale bundle.
    npmRun('build:panel');
    // The engine too (tsc + models, a few seconds): compiled code and generated models must match the sources.
    npmRun('build:engine');
    expect(fs.existsSync(servicesBundle), `${servicesBundle} missing after build:panel`).toBe(true);

    work = fs.mkdtempSync(path.join(os.tmpdir(), 'anchorflow-panel-'));
    fs.mkdirSync(artifacts, { recursive: true });
    const projectDir = path.join(work, 'project');
    fs.mkdirSync(projectDir);
    context = {
      app: 'PPRO',
      appVersion: '25.0.0',
      projectPath: path.join(projectDir, 'Demo.prproj'),
      container: { name: 'Sequence 01', id: 'seq-1', width: CLIP.width, height: CLIP.height, pixelAspect: 1, fps: 25, durationFrames: 250 },
      selection: {
        name: 'square.mov',
        trackOrLayerIndex: 0,
        mediaPath: path.join(work, 'media', 'square.mov'),
        range: { startFrame: 10, frameCount: CLIP.frameCount, fps: 25 },
        startSeconds: 0.4,
      },
      workArea: null,
    };
    host = new ScriptedHost(context);
    // The engine the panel starts: the real one behind the fault proxy (passing everything through by default).
    engineControl = path.join(work, 'engine-control.json');
    setEngineFault('pass');
    const engineWrapper = path.join(work, 'engine-with-faults.js');
    fs.writeFileSync(engineWrapper, `require(${JSON.stringify(engineProxy)}).run(${JSON.stringify({ engine: engineScript, control: engineControl })});\n`);
    // The test edits PSDs with ag-psd's raw imageData, as the engine reads them: no canvas.
    initializeCanvas(
      () => {
        throw new Error('no canvas in this test');
      },
      ((width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) })) as never,
    );

    // A fresh profile per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: PANEL,
      deviceScaleFactor: 2,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => console.error('[page error]', error.message));
    const { createServices } = createRequire(servicesBundle)(servicesBundle) as { createServices: CreateServices };
    bridge = await installPanelShims(
      page,
      { extensionRoot: repo, userDataDir: path.join(work, 'userData'), hostEnvironment: SKIN },
      (script) => host.evaluate(script),
      (options, emit) => {
        const services = createServices({ ...options, engineScript: engineWrapper }, emit);
        // No Photoshop here: only the launch is replaced; writing, watching and reading the PSD are the real ones.
        return {
          ...services,
          openInPhotoshop: async (args) => {
            photoshopOpened.push(args);
            return { ok: true, message: 'Opened in Photoshop (stubbed by the test).' };
          },
        };
      },
    );
    await page.goto(`file://${panelHtml}`);
  });

  afterAll(async () => {
    const services = await Promise.race([bridge?.ready, Promise.resolve(null)]);
    await services?.dispose().catch(() => undefined);
    await browser?.close();
  });

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(artifacts, `panel-${name}.png`), fullPage: true });
  }

  /** No horizontal overflow at the minimum panel size. */
  async function expectFitsPanel(): Promise<void> {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }

  async function dropImage(name: string, png: Buffer): Promise<void> {
    await page.evaluate(
      ({ name, base64 }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: 'image/png' }));
        const zone = document.querySelector('[data-testid="dropzone"]');
        if (!zone) throw new Error('no drop zone');
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      },
      { name, base64: png.toString('base64') },
    );
  }

  it('follows the host skin', async () => {
    const variables = await page.evaluate(() => {
      const style = document.documentElement.style;
      return { bg: style.getPropertyValue('--af-bg'), size: style.getPropertyValue('--af-font-size'), body: getComputedStyle(document.body).backgroundColor };
    });
    expect(variables).toEqual({ bg: 'rgb(38, 38, 38)', size: '11px', body: 'rgb(38, 38, 38)' });
  });

  it('Capture: shows an error card with a next step, then reads the selection and captures the frames', async () => {
    host.hasSelection = false;
    await page.getByRole('button', { name: 'Read selection' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Select one clip in the timeline');
    await shot('0-error-card');

    host.hasSelection = true;
    await page.getByRole('button', { name: 'Read selection' }).click();
    await expect.poll(() => page.getByTestId('context').textContent()).toContain('square.mov');
    await expectFitsPanel();
    await shot('1-capture');

    await page.getByRole('button', { name: `Capture ${CLIP.frameCount} frames` }).click();
    await page.getByRole('heading', { name: 'Anchor' }).waitFor();
    const exportCall = host.callsOf('exportFrames')[0];
    expect(exportCall?.args).toMatchObject({ range: context.selection.range });
    const framesDir = (exportCall?.args as { folder: string }).folder;
    // The job lives next to the project file, never in the media folder.
    expect(framesDir.startsWith(path.dirname(context.projectPath ?? ''))).toBe(true);
    expect(fs.readdirSync(framesDir).filter((f) => f.endsWith('.png'))).toHaveLength(CLIP.frameCount);
    await expect.poll(() => page.locator('.af-frame img').count(), { timeout: 60_000 }).toBe(CLIP.frameCount);
  });

  it('Anchor: picks frames on the filmstrip and takes edited images by drop and by file input', async () => {
    await page.getByRole('option', { name: 'Frame 2' }).click();
    await dropImage('frame-2-edited.png', await editedFramePng(1));
    await page.getByRole('option', { name: 'Frame 2, anchor' }).waitFor({ timeout: 60_000 });

    // Keyboard: End moves the filmstrip selection to the last frame.
    await page.getByRole('option', { name: 'Frame 2, anchor' }).press('End');
    await expect.poll(() => page.getByRole('option', { selected: true }).getAttribute('aria-label')).toBe(`Frame ${CLIP.frameCount}`);
    const editedLast = path.join(work, 'frame-last-edited.png');
    fs.writeFileSync(editedLast, await editedFramePng(CLIP.frameCount - 1));
    await page.locator('input[type="file"]').setInputFiles(editedLast);
    await page.getByRole('option', { name: `Frame ${CLIP.frameCount}, anchor` }).waitFor({ timeout: 60_000 });

    await expect.poll(() => page.getByTestId('anchors').locator('li').count()).toBe(2);
    await page.getByTestId('anchor-preview').waitFor();
    await expectFitsPanel();
    await shot('2-anchor');
  });

  it('Anchor: the Photoshop round trip — PSD written from the button, edited on its Edit layer, saved, picked up', async () => {
    await page.getByRole('option', { name: 'Frame 1', exact: true }).click();
    await page.getByRole('button', { name: 'Edit in Photoshop' }).click();
    await expect.poll(() => photoshopOpened.length, { timeout: 60_000 }).toBe(1);
    const psd = path.join(jobDir(), 'anchors', 'anchor-00000.psd');
    expect(photoshopOpened[0]?.file).toBe(psd);
    await page.getByRole('button', { name: 'Waiting for save… (reopen)' }).waitFor();
    // Nothing is an anchor until the designer saves.
    expect(await page.getByRole('option', { name: 'Frame 1, anchor' }).count()).toBe(0);

    // The designer paints the square blue on the Edit layer (the composite follows, as Photoshop saves it).
    const document = readPsd(fs.readFileSync(psd), { useImageData: true });
    expect(document.children?.map((layer) => layer.name)).toEqual(['Original', 'Edit']);
    const edit = document.children!.find((layer) => layer.name === 'Edit')!;
    const { width, height } = CLIP;
    const editPixels = new Uint8ClampedArray(width * height * 4);
    const square = { left: 8, top: 22, size: CLIP.square }; // frame 0's square (harness/clip.ts)
    const blue = [30, 60, 230];
    for (let y = square.top; y < square.top + square.size; y++) {
      for (let x = square.left; x < square.left + square.size; x++) {
        editPixels.set([...blue, 255], (y * width + x) * 4);
        document.imageData!.data.set([...blue, 255], (y * width + x) * 4);
      }
    }
    Object.assign(edit, { left: 0, top: 0, right: width, bottom: height, imageData: { width, height, data: editPixels } });
    delete edit.canvas;
    const saved = writePsdBuffer(document, { noBackground: true });
    // Photoshop's save: a temp file next to it, renamed over the PSD.
    fs.writeFileSync(`${psd}.tmp-save`, saved);
    fs.renameSync(`${psd}.tmp-save`, psd);

    // The watcher fires, readAnchor runs in the engine, the filmstrip and the anchor preview update.
    await page.getByRole('option', { name: 'Frame 1, anchor' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('anchors').locator('li').count()).toBe(3);
    await expect.poll(() => page.getByTestId('anchors').locator('li').first().textContent()).toContain('with mask');
    const preview = await page.getByTestId('anchor-preview').getAttribute('src');
    expect(preview).toMatch(/^data:image\/png;base64,/);
    expect(await pixelAt(preview!, square.left + 5, square.top + 5)).toEqual(blue);
    expect(await pixelAt(preview!, 2, 2)).toEqual([...renderFrame(0).subarray((2 * width + 2) * 3, (2 * width + 2) * 3 + 3)]);

    // The mask is the Edit layer's alpha: exactly the painted square.
    const mask = await sharp(path.join(jobDir(), 'masks', 'mask-00000.png')).extractChannel(0).raw().toBuffer();
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const painted = x >= square.left && x < square.left + square.size && y >= square.top && y < square.top + square.size;
        if (painted && mask[y * width + x] === 255) inside++;
        if (!painted && mask[y * width + x] !== 0) outside++;
      }
    }
    expect({ inside, outside }).toEqual({ inside: square.size * square.size, outside: 0 });
    await expectFitsPanel();
    await shot('2b-anchor-photoshop');
  });

  /**
   * Presses Propagate and then Cancel as soon as the engine's first progress event for the run reached the panel.
   * A fast engine may finish first: the caller then still checks cancel with the deterministic hook.
   */
  async function cancelOnFirstProgress(): Promise<'cancelled' | 'finished'> {
    const from = bridge.events.length;
    await page.getByRole('button', { name: /^Propagate( again)?$/ }).click();
    await expect.poll(() => bridge.events.slice(from).some((event) => event.kind === 'progress'), { timeout: 60_000 }).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click({ timeout: 2_000 }).catch(() => undefined);
    await expect.poll(noticeText, { timeout: 60_000 }).toMatch(/Propagation (cancelled|finished)/);
    return (await noticeText())?.includes('Propagation cancelled') ? 'cancelled' : 'finished';
  }

  it('Propagate: cancel leaves job.json and the results as they were (on a progress event, then deterministically), then runs to the end', async () => {
    await page.getByRole('button', { name: 'Next: Propagate' }).click();
    const jobFile = path.join(jobDir(), 'job.json');
    const resultsDir = path.join(jobDir(), 'results');
    expect(JSON.parse(fs.readFileSync(jobFile, 'utf8')).result).toBeNull();

    // 1. Cancel from the first progress event. On this tiny clip the engine may win the race and finish.
    const first = await cancelOnFirstProgress();
    if (first === 'cancelled') {
      expect(JSON.parse(fs.readFileSync(jobFile, 'utf8')).result).toBeNull();
      expect(snapshotPngs(resultsDir)).toEqual({});
    } else {
      console.info('[panel e2e] the engine finished before the cancel landed; checking cancel with the hold hook');
    }

    // 2. Deterministic: the proxy hands the engine this run's propagate command only together with its cancel, so
    //    the engine always gets the cancel mid-run. Whatever (1) left must come through byte for byte.
    const resultsBefore = snapshotPngs(resultsDir);
    const jobBefore = fs.readFileSync(jobFile);
    setEngineFault('hold-until-cancel');
    await page.getByRole('button', { name: /^Propagate( again)?$/ }).click();
    await page.getByTestId('progress').waitFor();
    await shot('4-propagate-running');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(noticeText, { timeout: 60_000 }).toContain('Propagation cancelled');
    expect(await noticeText()).toContain('Click Propagate to run again.');
    const held = engineFaults().filter((entry) => entry.fault === 'held');
    expect(held).toHaveLength(1);
    expect(engineFaults()).toContainEqual(expect.objectContaining({ fault: 'released-with-cancel', id: held[0]?.id }));
    expect(snapshotPngs(resultsDir)).toEqual(resultsBefore);
    expect(fs.readFileSync(jobFile).equals(jobBefore)).toBe(true);
    expect(await page.getByTestId('progress').count()).toBe(0);
    await shot('3-propagate-cancelled');
    setEngineFault('pass');

    // 3. A full run.
    const from = bridge.events.length;
    await page.getByRole('button', { name: /^Propagate( again)?$/ }).click();
    await expect.poll(noticeText, { timeout: 120_000 }).toContain('Propagation finished');
    await page.getByTestId('before-after').waitFor();

    const finished = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as {
      request: { anchors: { index: number }[]; masks: { index: number }[]; out: string };
      result: { frameCount: number };
      rerun: { argv: string[] };
    };
    expect(finished.request.anchors.map((a) => a.index)).toEqual([0, 1, CLIP.frameCount - 1]);
    expect(finished.request.masks.map((m) => m.index)).toEqual([0]);
    expect(finished.result.frameCount).toBe(CLIP.frameCount);
    expect(finished.rerun.argv.slice(0, 3)).toEqual(['npx', 'anchorflow', 'propagate']);
    const results = fs.readdirSync(finished.request.out).filter((f) => f.endsWith('.png'));
    expect(results).toHaveLength(CLIP.frameCount);

    const progress = bridge.events.slice(from).filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);

    // Scrub to the last frame: both images load.
    const scrubber = page.getByRole('slider', { name: 'Preview frame' });
    await scrubber.focus();
    await scrubber.press('End');
    await page.getByRole('img', { name: `Result frame ${CLIP.frameCount}` }).waitFor();
    await expectFitsPanel();
    await shot('5-propagate-done');
  });

  it('Propagate: an engine crash mid-run gives an error card with a next step, leaves results and job.json untouched, and Retry runs again', async () => {
    const jobFile = path.join(jobDir(), 'job.json');
    const resultsDir = path.join(jobDir(), 'results');
    const resultsBefore = snapshotPngs(resultsDir);
    expect(Object.keys(resultsBefore)).toHaveLength(CLIP.frameCount);
    const jobBefore = fs.readFileSync(jobFile);

    setEngineFault('crash');
    await page.getByRole('button', { name: 'Propagate again' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toContain('The engine stopped during the run');
    const card = (await alert.textContent()) ?? '';
    expect(card).toContain('exit code 3');
    expect(card).toContain('simulated engine crash mid-run'); // the error line from stderr, not the stack frame above it
    expect(card).not.toContain('engine-proxy.js:1:1');
    expect(card).toContain('Press Retry');
    // It really died mid-run: killed at its first progress event for that run.
    expect(engineFaults()).toContainEqual(expect.objectContaining({ fault: 'crashed' }));

    // Earlier results and job.json are untouched; the panel still shows the previous result and stays usable.
    expect(snapshotPngs(resultsDir)).toEqual(resultsBefore);
    expect(fs.readFileSync(jobFile).equals(jobBefore)).toBe(true);
    await page.getByTestId('before-after').waitFor();
    expect(await page.getByRole('button', { name: 'Propagate again' }).isEnabled()).toBe(true);
    await expectFitsPanel();
    await shot('4b-engine-crash');

    // Retry starts a fresh engine and runs the job again.
    setEngineFault('pass');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(noticeText, { timeout: 120_000 }).toContain('Propagation finished');
    const after = JSON.parse(fs.readFileSync(jobFile, 'utf8')) as { updatedAt: string; result: { frameCount: number } };
    expect(after.result.frameCount).toBe(CLIP.frameCount);
    expect(after.updatedAt).not.toBe((JSON.parse(jobBefore.toString('utf8')) as { updatedAt: string }).updatedAt);
    expect(Object.keys(snapshotPngs(resultsDir))).toEqual(Object.keys(resultsBefore));
  });

  it('Import: refuses while another sequence is active (Retry once it is back), then places the first result frame', async () => {
    await page.getByRole('button', { name: 'Next: Import' }).click();
    host.activeContainer = { id: 'seq-2', name: 'Sequence 02' };
    await page.getByRole('button', { name: 'Import into Premiere Pro' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('open "Sequence 01" and press Import again');
    expect(await alert.textContent()).toContain('Open the sequence or composition named above, then press Retry.');
    expect(await page.getByTestId('placed').count()).toBe(0);
    await shot('6a-import-wrong-sequence');

    host.activeContainer = { id: context.container.id, name: context.container.name };
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('placed').waitFor();

    const imports = host.callsOf('importResult');
    expect(imports).toHaveLength(2);
    expect(imports[0]?.args).toEqual(imports[1]?.args);
    const args = imports[1]?.args as ImportResultArgs;
    const exported = host.callsOf('exportFrames')[0]?.args as { folder: string };
    const resultsDir = path.dirname(args.path);
    expect(path.dirname(resultsDir)).toBe(path.dirname(exported.folder));
    expect(path.basename(args.path)).toBe(fs.readdirSync(resultsDir).filter((f) => f.endsWith('.png')).sort()[0]);
    expect(args.placement).toEqual({ selection: context.selection, fps: 25, containerId: 'seq-1', containerName: 'Sequence 01' });
    expect(args.binName).toBe('AnchorFlow');
    expect(await page.getByTestId('placed').textContent()).toContain('on video track V2 at 00:00:00.40');
    await expectFitsPanel();
    await shot('6-import');
  });

  it('the panel bundle parses as ES2020 (CEP 11 runs Chromium 88)', () => {
    const code = fs.readFileSync(panelBundle, 'utf8');
    expect(() => acorn.parse(code, { ecmaVersion: 2020, sourceType: 'script' })).not.toThrow();
    // The check can fail: ES2021 logical assignment is refused at 2020.
    expect(() => acorn.parse('let a; a ??= 1;', { ecmaVersion: 2020 })).toThrow();
  });
});
