/**
 * The panel's half of the Photoshop round trip: open the anchor PSD in Photoshop with the OS (BridgeTalk from a CEP
 * host is unsupported and fragile), and watch the file so each save of the designer is picked up.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';

/** One way to open the file; tried in order until one starts and exits cleanly (or keeps running). */
export interface LaunchStep {
  command: string;
  args: string[];
  /** In words, for the message shown to the user. */
  label: string;
  /** true: the command is Photoshop itself (keeps running); false: a launcher that exits when done (`open`, `cmd`). */
  longRunning: boolean;
  /** Windows: pass `args` to cmd.exe as written (they are quoted already). */
  verbatim?: boolean;
}

/**
 * How to open `file` in Photoshop on `platform`. `photoshopPath` comes from Vulcan (`getAppPathEx`) or the settings
 * drawer: a `.app` bundle on macOS, `Photoshop.exe` on Windows, any executable elsewhere (tests).
 */
export function photoshopLaunchPlan(
  file: string,
  photoshopPath: string | undefined,
  platform: NodeJS.Platform = process.platform,
  exists: (candidate: string) => boolean = fs.existsSync,
  year: number = new Date().getFullYear(),
): LaunchStep[] {
  const steps: LaunchStep[] = [];
  const given = photoshopPath?.trim();
  if (platform === 'darwin') {
    // Vulcan may name the executable inside the bundle; `open -a` wants the .app itself.
    const bundle = given ? given.replace(/(\.app)\/.*$/, '$1') : '';
    if (bundle) steps.push({ command: 'open', args: ['-a', bundle, file], label: bundle, longRunning: false });
    // The bundle id is the same for every Photoshop year, so this finds whichever is installed.
    steps.push({ command: 'open', args: ['-b', 'com.adobe.Photoshop', file], label: 'Adobe Photoshop', longRunning: false });
    return steps;
  }
  if (platform === 'win32') {
    if (given) steps.push({ command: given, args: [file], label: given, longRunning: true });
    const programFiles = process.env.ProgramFiles || 'C:\\Program Files';
    for (let candidateYear = year + 1; candidateYear >= year - 4; candidateYear--) {
      const exe = path.win32.join(programFiles, 'Adobe', `Adobe Photoshop ${candidateYear}`, 'Photoshop.exe');
      if (exists(exe)) steps.push({ command: exe, args: [file], label: `Adobe Photoshop ${candidateYear}`, longRunning: true });
    }
    return steps;
  }
  // No Photoshop on Linux; an explicit executable still works (used by the tests).
  if (given) steps.push({ command: given, args: [file], label: given, longRunning: true });
  return steps;
}

/** The OS default app for the file, when no Photoshop step worked. */
export function defaultAppStep(file: string, platform: NodeJS.Platform = process.platform): LaunchStep {
  if (platform === 'darwin') return { command: 'open', args: [file], label: 'the default app', longRunning: false };
  // `start` is a cmd built-in; the empty "" is the window title it would otherwise take from the quoted file.
  if (platform === 'win32') return { command: 'cmd', args: ['/d', '/s', '/c', `start "" "${file}"`], label: 'the default app', longRunning: false, verbatim: true };
  return { command: 'xdg-open', args: [file], label: 'the default app', longRunning: false };
}

/** Start one step: a launcher must exit 0; an application must still be running (or exit 0) after `settleMs`. */
export function runLaunchStep(step: LaunchStep, settleMs = 1500): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      resolve({ ok, detail });
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(step.command, step.args, {
        detached: step.longRunning,
        stdio: 'ignore',
        windowsHide: !step.longRunning,
        windowsVerbatimArguments: step.verbatim === true,
      });
    } catch (error) {
      finish(false, (error as Error).message);
      return;
    }
    child.once('error', (error: NodeJS.ErrnoException) => finish(false, error.code === 'ENOENT' ? `${step.command} not found` : error.message));
    child.once('exit', (code) => finish(code === 0, code === 0 ? 'started' : `exited with code ${String(code)}`));
    if (step.longRunning) {
      // Photoshop keeps running: let it go on without the panel waiting for it.
      setTimeout(() => {
        child.unref();
        finish(true, 'started');
      }, settleMs);
    }
  });
}

/** Open the file in Photoshop, else in the OS default app; say which one happened. */
export async function openInPhotoshop(file: string, photoshopPath?: string, platform: NodeJS.Platform = process.platform): Promise<{ ok: boolean; message: string }> {
  if (!fs.existsSync(file)) return { ok: false, message: `${file} does not exist; create the anchor PSD first.` };
  const tried: string[] = [];
  for (const step of photoshopLaunchPlan(file, photoshopPath, platform)) {
    const outcome = await runLaunchStep(step);
    if (outcome.ok) return { ok: true, message: `Opened ${path.basename(file)} in ${step.label}.` };
    tried.push(`${step.label} (${outcome.detail})`);
  }
  const fallback = defaultAppStep(file, platform);
  const outcome = await runLaunchStep(fallback);
  const why = tried.length ? `Photoshop did not start: ${tried.join('; ')}` : 'Photoshop was not found';
  if (outcome.ok) return { ok: true, message: `${why}. Opened ${path.basename(file)} with the default app; set the Photoshop path in Settings to use Photoshop.` };
  return { ok: false, message: `${why}, and the default app failed (${outcome.detail}). Open ${file} in Photoshop yourself; saves are still picked up.` };
}

export interface SaveWatcherOptions {
  /** Quiet time after the last file event before checking the size. */
  debounceMs?: number;
  /** Interval between size checks; the save counts as finished when two checks in a row agree. */
  pollMs?: number;
  /** Give up waiting for the size to settle after this long (then report the save anyway). */
  maxWaitMs?: number;
  /** Use polling (network drives, some test file systems). */
  usePolling?: boolean;
}

/**
 * Calls `onSaved` once per save of `file`, after the writes have stopped and its size is stable. Photoshop saves
 * through a temp file and a rename; watching the file itself with chokidar's `atomic` handling turns that into one
 * change.
 */
export class SaveWatcher {
  private readonly watcher: FSWatcher;
  private debounceTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(readonly file: string, private readonly onSaved: (file: string) => void, private readonly options: SaveWatcherOptions = {}) {
    this.watcher = watch(file, {
      ignoreInitial: true,
      atomic: true,
      usePolling: options.usePolling ?? false,
      interval: 200,
      disableGlobbing: true,
    });
    this.ready = new Promise((resolve) => this.watcher.once('ready', () => resolve()));
    const onEvent = () => this.schedule();
    this.watcher.on('add', onEvent).on('change', onEvent);
    // A watcher error (folder removed, permissions) must not crash the panel; the next save simply goes unseen.
    this.watcher.on('error', () => undefined);
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.pollTimer) {
      clearTimeout(this.pollTimer);
      this.pollTimer = null;
    }
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.waitForStableSize(Date.now(), -1);
    }, this.options.debounceMs ?? 400);
  }

  private waitForStableSize(startedAt: number, previousSize: number): void {
    if (this.closed) return;
    let size = -1;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      size = -1; // mid-rename: not there for a moment
    }
    const timedOut = Date.now() - startedAt > (this.options.maxWaitMs ?? 30_000);
    if ((size > 0 && size === previousSize) || (timedOut && size > 0)) {
      this.onSaved(this.file);
      return;
    }
    if (timedOut) return; // gone for good (deleted or moved away): nothing to report
    this.pollTimer = setTimeout(() => this.waitForStableSize(startedAt, size), this.options.pollMs ?? 250);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.watcher.close();
  }
}
