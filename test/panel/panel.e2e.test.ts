/**
 * The panel in headless Chromium (Debian's `chromium`, driven by playwright-core; never a downloaded browser), from
 * Capture to Import:
 * - the real built panel (build/panel/index.html + main.js) and the real bundled Node side (build/panel/node/services.js),
 *   bridged into the page because plain Chromium has no CEP Node context;
 * - a REAL engine process (`node bin/anchorflow.js serve`) propagating a tiny generated clip;
 * - a scripted host behind a fake `window.__adobe_cep__` — the only double, because Premiere Pro and After Effects
 *   cannot run here. Nothing in this test talks to a real Adobe app.
 * Screenshots of each step go to test/artifacts/panel-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'child_process';
import { createRequire } from 'module';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { CreateServices } from '../../client/shared/panel-services';
import type { HostContext, ImportResultArgs } from '../../client/shared/host-api';
import { CLIP, editedFramePng } from './harness/clip';
import { ScriptedHost } from './harness/scripted-host';
import { installPanelShims, type ServicesBridge } from './harness/page-shims';

const repo = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const panelHtml = path.join(repo, 'build', 'panel', 'index.html');
const servicesBundle = path.join(repo, 'build', 'panel', 'node', 'services.js');
const engineScript = path.join(repo, 'bin', 'anchorflow.js');
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

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package with \`apt-get install -y chromium\` (or set CHROMIUM_PATH). This test never downloads a browser.`);
    }
    // Build what the test drives, so it never runs a stale bundle.
    npmRun('build:panel');
    if (!fs.existsSync(path.join(repo, 'build', 'client', 'engine'))) npmRun('build:engine');
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
      (options, emit) => createServices({ ...options, engineScript }, emit),
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

  it('Propagate: cancels once (no results written), then runs to the end with the real engine', async () => {
    await page.getByRole('button', { name: 'Next: Propagate' }).click();
    await page.getByRole('button', { name: 'Propagate', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 60_000 }).toContain('Propagation cancelled');
    await shot('3-propagate-cancelled');

    const exported = host.callsOf('exportFrames')[0]?.args as { folder: string };
    const jobDir = path.dirname(exported.folder);
    const job = JSON.parse(fs.readFileSync(path.join(jobDir, 'job.json'), 'utf8')) as { result: unknown };
    expect(job.result).toBeNull();

    await page.getByRole('button', { name: 'Propagate', exact: true }).click();
    await page.getByTestId('progress').waitFor();
    await shot('4-propagate-running');
    await page.getByTestId('before-after').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Propagation finished');

    const finished = JSON.parse(fs.readFileSync(path.join(jobDir, 'job.json'), 'utf8')) as { request: { anchors: { index: number }[]; out: string }; result: { frameCount: number } };
    expect(finished.request.anchors.map((a) => a.index)).toEqual([1, CLIP.frameCount - 1]);
    expect(finished.result.frameCount).toBe(CLIP.frameCount);
    const results = fs.readdirSync(finished.request.out).filter((f) => f.endsWith('.png'));
    expect(results).toHaveLength(CLIP.frameCount);

    const progress = bridge.events.filter((e) => e.kind === 'progress');
    expect(progress.length).toBeGreaterThan(0);

    // Scrub to the last frame: both images load.
    const scrubber = page.getByRole('slider', { name: 'Preview frame' });
    await scrubber.focus();
    await scrubber.press('End');
    await page.getByRole('img', { name: `Result frame ${CLIP.frameCount}` }).waitFor();
    await expectFitsPanel();
    await shot('5-propagate-done');
  });

  it('Import: calls the host importResult with the first result frame and shows where it was placed', async () => {
    await page.getByRole('button', { name: 'Next: Import' }).click();
    await page.getByRole('button', { name: 'Import into Premiere Pro' }).click();
    await page.getByTestId('placed').waitFor();

    const imports = host.callsOf('importResult');
    expect(imports).toHaveLength(1);
    const args = imports[0]?.args as ImportResultArgs;
    const exported = host.callsOf('exportFrames')[0]?.args as { folder: string };
    const resultsDir = path.dirname(args.path);
    expect(path.dirname(resultsDir)).toBe(path.dirname(exported.folder));
    expect(path.basename(args.path)).toBe(fs.readdirSync(resultsDir).filter((f) => f.endsWith('.png')).sort()[0]);
    expect(args.placement).toEqual({ selection: context.selection, fps: 25 });
    expect(args.binName).toBe('AnchorFlow');
    expect(await page.getByTestId('placed').textContent()).toContain('on video track V2 at 00:00:00.40');
    await expectFitsPanel();
    await shot('6-import');
  });
});
