/**
 * `anchorflow serve`: the engine process the panel spawns. One EngineCommand per line on stdin, EngineEvents
 * carrying the command's id on stdout (client/shared/protocol.ts). Jobs run one at a time in arrival order; `ping`
 * and `cancel` are answered at once. When stdin closes (the panel went away) the running job is cancelled and the
 * process exits.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import type { EngineCommand, EngineEvent, PropagateRequest } from '../shared/protocol';
import { CancelledError, InputError, errorCodeOf } from './errors';
import { loadPropagate } from './cli/engine';
import { oneLine } from './cli/run-propagate';
import { modelsSummary, packageVersion } from './cli/version';
import { isTempName, writeFileAtomic } from './io/atomic';
import { compareFrameNames, isFrameFileName, openFrameSource, type FrameSource } from './io/frames';
import { jpegThumbnail } from './io/images';
import { readAnchor, writeAnchorPsd } from './psd';

const PREVIEW_INTERVAL_MS = 500; // at most ~2 previews a second: each is a decode + resize + JPEG encode
const PREVIEW_HEIGHT = 96;

type Send = (event: EngineEvent) => void;

interface Job {
  command: EngineCommand;
  controller: AbortController;
}

/** Maps an output file name back to its frame index, the way the frame source orders frames. */
async function outputIndexer(frames: string): Promise<(file: string) => number | null> {
  const stat = await fs.stat(frames).catch(() => null);
  if (stat?.isDirectory()) {
    const names = (await fs.readdir(frames)).filter(isFrameFileName).sort(compareFrameNames);
    const index = new Map(names.map((n, i) => [path.basename(n, path.extname(n)), i] as const));
    return (file) => index.get(path.basename(file, '.png')) ?? null;
  }
  return (file) => {
    const base = path.basename(file, '.png');
    return /^\d+$/.test(base) ? Number(base) : null;
  };
}

/**
 * Finds the latest finished output frame of the running job and turns it into a small JPEG data URL, at most every
 * PREVIEW_INTERVAL_MS. "Finished" means a complete PNG under its own name: a final file in `--out`, or one in a
 * hidden staging folder there (the pipeline may stage frames and publish them at the end); files still being
 * written are dot-prefixed temps and skipped. Only files newer than the job's start count.
 */
export class PreviewTracker {
  private lastSent = 0;
  private busy = false;
  private readonly startedAt = Date.now() - 1000; // mtime resolution on some filesystems is 1 s

  constructor(
    private readonly outDir: string,
    private readonly indexOf: (file: string) => number | null,
  ) {}

  private async latestFinished(): Promise<string | null> {
    const entries = await fs.readdir(this.outDir, { withFileTypes: true }).catch(() => []);
    const candidates: string[] = [];
    for (const entry of entries) {
      if (entry.isFile() && !entry.name.startsWith('.') && entry.name.endsWith('.png')) {
        candidates.push(path.join(this.outDir, entry.name));
      } else if (entry.isDirectory() && isTempName(entry.name)) {
        const staged = await fs.readdir(path.join(this.outDir, entry.name)).catch(() => [] as string[]);
        for (const name of staged) {
          if (!name.startsWith('.') && name.endsWith('.png')) candidates.push(path.join(this.outDir, entry.name, name));
        }
      }
    }
    let newest: { file: string; mtime: number } | null = null;
    for (const file of candidates) {
      const stat = await fs.stat(file).catch(() => null);
      if (stat && stat.mtimeMs >= this.startedAt && (!newest || stat.mtimeMs > newest.mtime)) newest = { file, mtime: stat.mtimeMs };
    }
    return newest?.file ?? null;
  }

  async previewFor(): Promise<{ index: number; dataUrl: string } | null> {
    const now = Date.now();
    if (this.busy || now - this.lastSent < PREVIEW_INTERVAL_MS) return null;
    this.busy = true;
    try {
      const file = await this.latestFinished();
      const index = file ? this.indexOf(file) : null;
      // No frame finished yet (the run's first events): the next event looks again. Counting this look against the
      // interval left a job shorter than it without any preview.
      if (!file || index === null) return null;
      this.lastSent = now;
      const jpeg = await jpegThumbnail(file, PREVIEW_HEIGHT, 60);
      return { index, dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}` };
    } catch {
      return null; // moved or replaced while we read it: skip this preview
    } finally {
      this.busy = false;
    }
  }
}

async function runPropagateJob(id: string, request: PropagateRequest, signal: AbortSignal, send: Send): Promise<unknown> {
  const propagate = loadPropagate();
  const previews = new PreviewTracker(request.out, await outputIndexer(request.frames));
  let finished = false;
  try {
    return await propagate(request, {
      signal,
      onEvent: (event) => {
        if (event.event === 'warning') send({ ...event, id });
        if (event.event !== 'progress') return;
        send({ ...event, id });
        // The preview arrives as a second progress event with the same counts once its JPEG is ready.
        void previews.previewFor().then((preview) => {
          if (preview && !signal.aborted && !finished) send({ ...event, id, preview });
        });
      },
    });
  } finally {
    finished = true; // no preview may follow the job's done/error event
  }
}

async function runThumbnails(
  id: string,
  command: Extract<EngineCommand, { cmd: 'thumbnails' }>,
  signal: AbortSignal,
  send: Send,
): Promise<unknown> {
  if (!(command.height > 0 && command.height <= 2160)) throw new InputError(`thumbnail height ${command.height} must be 1..2160.`);
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-thumbs-'));
  let source: FrameSource | null = null;
  try {
    source = await openFrameSource(command.frames, { workDir, signal });
    await fs.mkdir(command.outDir, { recursive: true });
    const thumbnails: { index: number; file: string }[] = [];
    for (let index = 0; index < source.count; index++) {
      if (signal.aborted) throw new CancelledError();
      const file = path.join(command.outDir, `${source.names[index]}.jpg`);
      await writeFileAtomic(file, await jpegThumbnail(source.files[index], command.height));
      thumbnails.push({ index, file });
      send({ event: 'progress', id, stage: 'thumbnails', done: index + 1, total: source.count, etaSeconds: null });
    }
    return { thumbnails };
  } finally {
    await source?.dispose();
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

async function execute(job: Job, send: Send): Promise<unknown> {
  const { command, controller } = job;
  switch (command.cmd) {
    case 'propagate':
      return runPropagateJob(command.id, command.request, controller.signal, send);
    case 'writeAnchorPsd':
      return writeAnchorPsd(command.frame, command.psd);
    case 'readAnchor':
      return readAnchor(command.file, command.frame, command.outImage, command.outMask);
    case 'thumbnails':
      return runThumbnails(command.id, command, controller.signal, send);
    default:
      throw new InputError(`command ${(command as { cmd: string }).cmd} cannot be queued.`);
  }
}

function parseCommand(line: string): EngineCommand {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError('not a JSON command line.');
  }
  const candidate = value as { id?: unknown; cmd?: unknown };
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.id !== 'string' || typeof candidate.cmd !== 'string') {
    throw new InputError('a command needs a string "id" and a string "cmd".');
  }
  const known = ['propagate', 'cancel', 'ping', 'writeAnchorPsd', 'readAnchor', 'thumbnails'];
  if (!known.includes(candidate.cmd)) throw new InputError(`unknown command "${candidate.cmd}" (known: ${known.join(', ')}).`);
  return value as EngineCommand;
}

export async function runServe(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  // stdout carries the protocol only: anything a library logs goes to stderr instead.
  console.log = console.error;
  console.info = console.error;
  const send: Send = (event) => {
    output.write(`${JSON.stringify(event)}\n`);
  };
  const queue: Job[] = [];
  let running: Job | null = null;
  let idle: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;

  const pump = async (): Promise<void> => {
    while (queue.length > 0) {
      running = queue.shift() as Job;
      const { id } = running.command;
      try {
        if (running.controller.signal.aborted) throw new CancelledError();
        const result = await execute(running, send);
        if (running.controller.signal.aborted) throw new CancelledError();
        send({ event: 'done', id, result });
      } catch (caught) {
        const error = running.controller.signal.aborted ? new CancelledError() : caught;
        send({ event: 'error', id, code: errorCodeOf(error), message: oneLine(error) });
      }
      running = null;
    }
    wake?.();
  };

  const handle = (line: string): void => {
    if (line.trim() === '') return;
    let command: EngineCommand;
    try {
      command = parseCommand(line);
    } catch (error) {
      const id = (() => {
        try {
          return String((JSON.parse(line) as { id?: unknown }).id ?? '') || undefined;
        } catch {
          return undefined;
        }
      })();
      send({ event: 'error', ...(id ? { id } : {}), code: 'bad-input', message: oneLine(error) });
      return;
    }
    if (command.cmd === 'ping') {
      send({
        event: 'done',
        id: command.id,
        result: { version: packageVersion(), node: process.versions.node, busy: running !== null, models: modelsSummary() },
      });
      return;
    }
    if (command.cmd === 'cancel') {
      const target = [running, ...queue].find((job) => job?.command.id === command.target);
      if (target) target.controller.abort();
      send({ event: 'done', id: command.id, result: { cancelled: target !== undefined && target !== null } });
      return;
    }
    queue.push({ command, controller: new AbortController() });
    if (running === null && queue.length === 1) idle = pump();
  };

  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  lines.on('line', handle);
  await new Promise<void>((resolve) => lines.once('close', resolve));
  // The panel went away: nobody is listening, so stop the work and leave.
  for (const job of queue) job.controller.abort();
  (running as Job | null)?.controller.abort();
  await new Promise<void>((resolve) => {
    wake = resolve;
    void idle.then(resolve);
  });
  return 0;
}
