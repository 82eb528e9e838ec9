/**
 * The panel's Node side: `createServices` implements `PanelServices` (client/shared/panel-services.ts) on CEP's
 * embedded Node 15.9 / 17.7. Bundled to `<extension>/panel/node/services.js` (CommonJS, nothing newer than ES2020).
 *
 * Heavy work (sharp, onnxruntime, ag-psd pixels) never runs here: it goes to the engine process over stdio.
 * Expected failures come back as values (`ok: false`, outcome `failed`), so the panel can show a card with a next step.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type {
  AnchorFiles,
  Attempt,
  CreateJobArgs,
  EngineCheck,
  EngineSettings,
  JobPaths,
  JobRecord,
  PanelServices,
  PropagateOutcome,
  ServicesEvent,
  ServicesOptions,
} from '../shared/panel-services';
import type { EngineEvent, PropagateRequest, PropagateResult } from '../shared/protocol';
import { writeFileAtomic } from './atomic-file';
import { EngineClient, EngineCommandError, EngineExitedError, EngineTimeoutError } from './engine-client';
import { createJobFolder, JobFolderError, readJobRecord, writeJobRecord } from './job-folder';
import { chooseEngineNode, cleanEngineEnv, describeRefusals } from './node-runtime';
import { openInPhotoshop, SaveWatcher } from './photoshop';

export { EngineClient } from './engine-client';

/** Where the release puts the engine, relative to the extension root. */
export const BUNDLED_ENGINE_SCRIPT = path.join('engine', 'bin', 'anchorflow.js');

const IMAGE_FILE = /\.(png|jpe?g|tiff?)$/i;
const MIME_BY_EXTENSION: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.psd': 'image/vnd.adobe.photoshop',
};

/** Timeouts for engine commands that should be quick; `propagate` has none (it reports progress instead). */
export interface ServicesTimeouts {
  startMs: number;
  psdMs: number;
  thumbnailsMs: number;
}

/** Test hooks on top of the shared `ServicesOptions` (all optional, the panel passes none). */
export interface ServicesInternals {
  timeouts?: Partial<ServicesTimeouts>;
  /** Settings applied before the first `configure` (tests). */
  settings?: Partial<EngineSettings>;
  /** Watcher tuning (tests use polling on tmpfs and short delays). */
  watch?: ConstructorParameters<typeof SaveWatcher>[2];
}

class EngineUnavailable extends Error {
  constructor(message: string, readonly nextStep: string) {
    super(message);
    this.name = 'EngineUnavailable';
  }
}

interface RunningEngine {
  client: EngineClient;
  nodePath: string;
  nodeVersion: string;
  info: unknown;
}

export function createServices(options: ServicesOptions & ServicesInternals, emit: (event: ServicesEvent) => void): PanelServices {
  const timeouts: ServicesTimeouts = { startMs: 20_000, psdMs: 120_000, thumbnailsMs: 120_000, ...options.timeouts };
  let settings: EngineSettings = { nodePath: '', device: 'auto', ...options.settings };
  let engine: Promise<RunningEngine> | null = null;
  /** The client behind `engine` once started; an old client's late exit must not drop a newer engine. */
  let active: EngineClient | null = null;
  let lastEngineInfo: unknown = null;
  const runs = new Map<string, { client: EngineClient; commandId: string }>();
  const watchers = new Map<string, SaveWatcher>();
  const engineScript = options.engineScript ?? path.join(options.extensionRoot, BUNDLED_ENGINE_SCRIPT);

  async function startEngine(): Promise<RunningEngine> {
    try {
      await fs.access(engineScript);
    } catch {
      throw new EngineUnavailable(`The engine is missing (${engineScript} not found).`, 'Reinstall the AnchorFlow extension.');
    }
    const choice = await chooseEngineNode({ settingsPath: settings.nodePath, extensionRoot: options.extensionRoot });
    if (!choice.ok) throw new EngineUnavailable(choice.message, choice.nextStep);
    const settingsRefusal = choice.refused.find((entry) => entry.source === 'settings');
    if (settingsRefusal) {
      emit({
        kind: 'warning',
        runId: null,
        message: `The Node path in Settings was not used (${describeRefusals([settingsRefusal])}); using ${choice.nodePath} (${choice.version}).`,
      });
    }
    const client: EngineClient = new EngineClient({
      nodePath: choice.nodePath,
      engineScript,
      env: cleanEngineEnv(process.env, choice.nodePath),
      startTimeoutMs: timeouts.startMs,
      onStrayEvent: (event) => {
        if (event.event === 'warning') emit({ kind: 'warning', runId: null, message: event.message });
      },
      onExit: (exit) => {
        // The next call starts a fresh engine; callers of pending commands already got EngineExitedError.
        if (active === client) {
          active = null;
          engine = null;
        }
        emit({ kind: 'engine-exit', code: exit.code, signal: exit.signal, stderrTail: exit.stderrTail.slice(-1000) });
      },
    });
    try {
      const info = await client.start();
      lastEngineInfo = info;
      active = client;
      return { client, nodePath: choice.nodePath, nodeVersion: choice.version, info };
    } catch (error) {
      await client.stop(200);
      const message = (error as Error).message;
      throw new EngineUnavailable(
        message,
        error instanceof EngineTimeoutError
          ? 'Check that the engine path and Node are right in Settings, then press Retry.'
          : `Check that ${choice.nodePath} can run the engine (run \`${choice.nodePath} ${engineScript} serve\` in a terminal to see the error), then press Retry.`,
      );
    }
  }

  function ensureEngine(): Promise<RunningEngine> {
    if (!engine) {
      const starting = startEngine();
      engine = starting;
      starting.catch(() => {
        if (engine === starting) engine = null; // a failed start is retried on the next call
      });
    }
    return engine;
  }

  async function stopEngine(): Promise<void> {
    const running = engine;
    engine = null;
    active = null;
    if (!running) return;
    try {
      await (await running).client.stop();
    } catch {
      // it never started: nothing to stop
    }
  }

  /**
   * One quick engine command; engine failures become thrown errors with a one-line message. `serve` runs jobs one at
   * a time, so while a propagate run is in flight a quick command waits behind it: no timeout then (the run has
   * its own crash detection and progress).
   */
  async function engineCall(body: Parameters<EngineClient['request']>[0], timeoutMs: number): Promise<unknown> {
    const { client } = await ensureEngine();
    return client.request(body, runs.size > 0 ? {} : { timeoutMs }).result;
  }

  const services: PanelServices = {
    async configure(next) {
      const restart = next.nodePath !== settings.nodePath;
      settings = { ...next };
      if (restart) await stopEngine();
    },

    async checkEngine(): Promise<EngineCheck> {
      try {
        const running = await ensureEngine();
        return { ok: true, nodePath: running.nodePath, nodeVersion: running.nodeVersion };
      } catch (error) {
        return { ok: false, message: (error as Error).message, nextStep: nextStepOf(error) };
      }
    },

    async createJob(args: CreateJobArgs): Promise<Attempt<{ paths: JobPaths }>> {
      try {
        const { paths, note } = await createJobFolder(args, options.userDataDir);
        if (note) emit({ kind: 'warning', runId: null, message: note });
        return { ok: true, paths };
      } catch (error) {
        if (error instanceof JobFolderError) return { ok: false, message: error.message, nextStep: 'Choose another job folder in Settings, then capture again.' };
        const code = (error as NodeJS.ErrnoException).code;
        return {
          ok: false,
          message: `Could not create the job folder (${oneLineOf(error)}).`,
          nextStep:
            code === 'ENOSPC'
              ? 'Free some disk space, then capture again.'
              : 'Check that the job folder in Settings (or the project folder) exists and is writable, then capture again.',
        };
      }
    },

    async readJob({ dir }) {
      return readJobRecord(dir);
    },

    async writeJob({ dir, job }: { dir: string; job: JobRecord }) {
      await writeJobRecord(dir, job, lastEngineInfo);
    },

    async listFrames({ dir }) {
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        return { files: [] };
      }
      // Plain code-unit order, like the engine's "sorted by file name".
      const files = names.filter((name) => IMAGE_FILE.test(name) && !name.startsWith('.')).sort().map((name) => path.join(dir, name));
      return { files };
    },

    async thumbnails({ framesDir, outDir, height }) {
      const result = (await engineCall({ cmd: 'thumbnails', frames: framesDir, outDir, height }, timeouts.thumbnailsMs)) as {
        thumbnails: { index: number; file: string }[];
      };
      return { thumbnails: result.thumbnails };
    },

    async readDataUrl({ file }) {
      const bytes = await fs.readFile(file);
      const mime = MIME_BY_EXTENSION[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      return { dataUrl: `data:${mime};base64,${bytes.toString('base64')}` };
    },

    async exists({ path: target }) {
      try {
        const stat = await fs.stat(target);
        return { exists: true, isDirectory: stat.isDirectory() };
      } catch {
        return { exists: false, isDirectory: false };
      }
    },

    async saveBytes({ dir, name, base64 }) {
      // Only the base name of what the page sends: a dropped file must not choose where it lands.
      const safeName = path.basename(name).replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_') || 'dropped.png';
      const target = await unusedName(dir, safeName);
      await writeFileAtomic(target, Buffer.from(base64, 'base64'));
      return { path: target };
    },

    async writeAnchorPsd({ frame, psd }): Promise<Attempt<{ psd: string }>> {
      try {
        const result = (await engineCall({ cmd: 'writeAnchorPsd', frame, psd }, timeouts.psdMs)) as { psd?: string } | null;
        return { ok: true, psd: result?.psd ?? psd };
      } catch (error) {
        return {
          ok: false,
          message: `Could not write the Photoshop file ${psd}: ${oneLineOf(error)}`,
          nextStep:
            error instanceof EngineUnavailable
              ? error.nextStep
              : error instanceof EngineCommandError
                ? 'Check that the job folder is writable and the frame still exists, then press Edit in Photoshop again.'
                : 'Press Edit in Photoshop again; the engine restarts on its own.',
        };
      }
    },

    async readAnchor({ file, frame, outImage, outMask }) {
      try {
        const result = (await engineCall({ cmd: 'readAnchor', file, frame, outImage, outMask }, timeouts.psdMs)) as AnchorFiles;
        const files: AnchorFiles = { image: result.image, warnings: Array.isArray(result.warnings) ? result.warnings : [] };
        if (result.mask) files.mask = result.mask;
        return { ok: true, ...files };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    },

    async openInPhotoshop({ file, photoshopPath }) {
      return openInPhotoshop(file, photoshopPath);
    },

    async watchFile({ watchId, file }) {
      await watchers.get(watchId)?.close();
      const watcher = new SaveWatcher(file, (saved) => emit({ kind: 'file-changed', watchId, file: saved }), options.watch);
      watchers.set(watchId, watcher);
      await watcher.ready;
    },

    async unwatch({ watchId }) {
      const watcher = watchers.get(watchId);
      watchers.delete(watchId);
      await watcher?.close();
    },

    async propagate({ runId, request }: { runId: string; request: PropagateRequest }): Promise<PropagateOutcome> {
      let running: RunningEngine;
      try {
        running = await ensureEngine();
      } catch (error) {
        return { status: 'failed', code: 'engine-missing', message: (error as Error).message, nextStep: nextStepOf(error) };
      }
      const onEvent = (event: EngineEvent) => {
        if (event.event === 'progress') {
          const { stage, done, total, etaSeconds, message, preview } = event;
          emit({ kind: 'progress', runId, stage, done, total, etaSeconds, ...(message ? { message } : {}), ...(preview ? { preview } : {}) });
        } else if (event.event === 'warning') {
          emit({ kind: 'warning', runId, message: event.message });
        }
      };
      const { id, result } = running.client.request({ cmd: 'propagate', request: { device: settings.device, ...request } }, { onEvent });
      runs.set(runId, { client: running.client, commandId: id });
      try {
        return { status: 'done', result: (await result) as PropagateResult };
      } catch (error) {
        return outcomeOf(error);
      } finally {
        runs.delete(runId);
      }
    },

    async cancel({ runId }) {
      const run = runs.get(runId);
      if (run) run.client.cancel(run.commandId);
    },

    async dispose() {
      const closing = [...watchers.values()].map((watcher) => watcher.close());
      watchers.clear();
      await Promise.all(closing);
      await stopEngine();
    },
  };
  return services;
}

function oneLineOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function nextStepOf(error: unknown): string {
  if (error instanceof EngineUnavailable) return error.nextStep;
  return 'Press Retry; if it happens again, restart the panel.';
}

function outcomeOf(error: unknown): PropagateOutcome {
  if (error instanceof EngineCommandError) {
    if (error.code === 'cancelled') return { status: 'cancelled', message: error.message };
    if (error.code === 'bad-input') return { status: 'failed', code: 'bad-input', message: error.message, nextStep: 'Fix the input named above, then run again.' };
    return { status: 'failed', code: 'internal', message: error.message, nextStep: 'Press Retry; if it fails again, save the job folder and report it.' };
  }
  if (error instanceof EngineExitedError) {
    return { status: 'failed', code: 'engine-crashed', message: error.message, nextStep: 'Press Retry; the engine restarts on its own.' };
  }
  return { status: 'failed', code: 'internal', message: (error as Error).message, nextStep: 'Press Retry.' };
}

async function unusedName(dir: string, name: string): Promise<string> {
  const extension = path.extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let attempt = 1; ; attempt++) {
    const candidate = path.join(dir, attempt === 1 ? name : `${stem}-${attempt}${extension}`);
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}
