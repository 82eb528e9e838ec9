/**
 * One folder per run: `<project dir>/AnchorFlow Jobs/<clip name>-<timestamp>/` by default (or under the root chosen
 * in the settings drawer, or the per-user data folder for an unsaved project), holding frames/, anchors/, masks/,
 * results/, thumbs/ and job.json. Never inside the folder of the clip's source media: the user's media folders are
 * read-only to us.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { CreateJobArgs, JobPaths, JobRecord, RerunCommand } from '../shared/panel-services';
import type { PropagateRequest } from '../shared/protocol';
import { writeFileAtomic } from './atomic-file';

export const JOBS_FOLDER_NAME = 'AnchorFlow Jobs';
export const JOB_FILE_NAME = 'job.json';

/** `CreateJobArgs` (the clip's source media path included, which the job must stay out of). */
export type JobFolderArgs = CreateJobArgs;

/** What `writeJobRecord` always fills in job.json (optional in `JobRecord`): how to re-run it, which engine ran it. */
export interface JobFileExtras {
  rerun: RerunCommand | null;
  engineInfo: unknown;
}

export class JobFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobFolderError';
  }
}

/** True when `inner` is `outer` or lies inside it (case-insensitive where the file system usually is). */
export function isSameOrInside(inner: string, outer: string, platform: NodeJS.Platform = process.platform): boolean {
  const fold = (value: string) => (platform === 'win32' || platform === 'darwin' ? value.toLowerCase() : value);
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const relative = pathApi.relative(fold(pathApi.resolve(outer)), fold(pathApi.resolve(inner)));
  return relative === '' || (!relative.startsWith('..') && !pathApi.isAbsolute(relative));
}

/**
 * The folder that holds job folders. An explicit root inside the media folder is refused; the default (next to the
 * project) falls back to the per-user data folder when the project sits among its media.
 */
export function chooseJobRoot(args: JobFolderArgs, userDataDir: string): { root: string; note: string | null } {
  const mediaDir = args.mediaPath ? path.dirname(args.mediaPath) : null;
  if (args.jobRoot.trim()) {
    const root = path.resolve(args.jobRoot.trim());
    if (mediaDir && isSameOrInside(root, mediaDir)) {
      throw new JobFolderError(
        `The job folder ${root} is inside the clip's media folder ${mediaDir}; AnchorFlow never writes there. Choose another job folder in Settings.`,
      );
    }
    return { root, note: null };
  }
  const fallback = path.join(userDataDir, JOBS_FOLDER_NAME);
  if (!args.projectPath) return { root: fallback, note: null };
  const besideProject = path.join(path.dirname(args.projectPath), JOBS_FOLDER_NAME);
  if (mediaDir && isSameOrInside(besideProject, mediaDir)) {
    return {
      root: fallback,
      note: `The project sits in the clip's media folder (${mediaDir}), so this job is in ${fallback}; set a job folder in Settings to choose.`,
    };
  }
  return { root: besideProject, note: null };
}

/** File-name-safe clip name (no path separators, nothing Windows or CEP refuses). */
export function safeJobName(name: string): string {
  const cleaned = name
    .replace(/\.[A-Za-z0-9]{2,5}$/, '')
    .replace(/[<>:"/\\|?*#%\u0000-\u001f]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[. ]+$/, '')
    .slice(0, 60);
  return cleaned || 'clip';
}

export function timestamp(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
}

export function jobPaths(dir: string): JobPaths {
  return {
    dir,
    framesDir: path.join(dir, 'frames'),
    anchorsDir: path.join(dir, 'anchors'),
    masksDir: path.join(dir, 'masks'),
    resultsDir: path.join(dir, 'results'),
    thumbsDir: path.join(dir, 'thumbs'),
    jobFile: path.join(dir, JOB_FILE_NAME),
  };
}

export function emptyJobRecord(now: Date): JobRecord {
  return {
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    context: null,
    request: null,
    settings: { device: 'auto', output: 'frames' },
    engine: null,
    result: null,
    imported: null,
  };
}

/** Create a new job folder with its subfolders and an initial job.json. */
export async function createJobFolder(
  args: JobFolderArgs,
  userDataDir: string,
  now: Date = new Date(),
): Promise<{ paths: JobPaths; note: string | null }> {
  const { root, note } = chooseJobRoot(args, userDataDir);
  await fs.mkdir(root, { recursive: true });
  const base = `${safeJobName(args.name)}-${timestamp(now)}`;
  let dir = path.join(root, base);
  // Two runs in the same second: number them rather than share a folder. mkdir without `recursive` claims it.
  for (let attempt = 2; ; attempt++) {
    try {
      await fs.mkdir(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 99) throw error;
      dir = path.join(root, `${base}-${attempt}`);
    }
  }
  const paths = jobPaths(dir);
  for (const sub of [paths.framesDir, paths.anchorsDir, paths.masksDir, paths.resultsDir, paths.thumbsDir]) await fs.mkdir(sub);
  await writeJobRecord(dir, emptyJobRecord(now), null);
  return { paths, note };
}

/** job.json, or null when the folder has none. */
export async function readJobRecord(dir: string): Promise<(JobRecord & Partial<JobFileExtras>) | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, JOB_FILE_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let record: JobRecord;
  try {
    record = JSON.parse(text) as JobRecord;
  } catch (error) {
    throw new JobFolderError(`${path.join(dir, JOB_FILE_NAME)} is not valid JSON (${(error as Error).message}); restore it or start a new job.`);
  }
  if (record.version !== 1) throw new JobFolderError(`${path.join(dir, JOB_FILE_NAME)} has version ${String(record.version)}; this AnchorFlow reads version 1.`);
  return record;
}

/** Write job.json atomically, adding the CLI command that re-runs it and the engine's version info. */
export async function writeJobRecord(dir: string, job: JobRecord, engineInfo: unknown): Promise<void> {
  const mediaPath = job.context?.selection.mediaPath;
  if (mediaPath && isSameOrInside(dir, path.dirname(mediaPath))) {
    throw new JobFolderError(`The job folder ${dir} is inside the clip's media folder; AnchorFlow never writes there. Choose another job folder in Settings.`);
  }
  const extras: JobFileExtras = {
    rerun: job.request ? rerunCommand(job.request, dir) : null,
    engineInfo: engineInfo ?? null,
  };
  const record = { ...job, ...extras };
  await writeFileAtomic(path.join(dir, JOB_FILE_NAME), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * The `anchorflow propagate` command line for a request (issue 2's CLI contract). Paths are absolute, so it runs
 * from any folder where `npx anchorflow` resolves (the repo or an install of the engine).
 */
export function rerunCommand(request: PropagateRequest, cwd: string, platform: NodeJS.Platform = process.platform): RerunCommand {
  const argv = ['npx', 'anchorflow', 'propagate', '--frames', request.frames];
  for (const anchor of request.anchors) argv.push('--anchor', `${anchor.index}=${anchor.image}`);
  for (const mask of request.masks) argv.push('--mask', `${mask.index}=${mask.image}`);
  argv.push('--out', request.out);
  if (request.encode) argv.push('--encode', request.encode);
  if (request.layer) argv.push('--layer');
  if (request.device) argv.push('--device', request.device);
  if (request.range) argv.push('--range', `${request.range[0]}:${request.range[1]}`);
  if (request.fps !== undefined) argv.push('--fps', String(request.fps));
  const notes: string[] = [];
  if (!request.anchors.length) notes.push('The request has no anchors yet: add --anchor <i>=<image> before running.');
  const quote = platform === 'win32' ? quoteWindows : quotePosix;
  return { cwd, argv, command: argv.map(quote).join(' '), notes };
}

function quotePosix(arg: string): string {
  return /^[A-Za-z0-9_\-.,/:=@+]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function quoteWindows(arg: string): string {
  return /^[A-Za-z0-9_\-.,\\/:=@+]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '""')}"`;
}
