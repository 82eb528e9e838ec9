/**
 * Atomic file writes: every output is written to a hidden temp file in the SAME folder (so the final rename never
 * crosses a filesystem) and renamed onto its final name only once complete. A crash, a cancel or a failing write
 * therefore never leaves a half-written file at a final name, and the previous file there survives until the new
 * one replaces it in one step.
 *
 * Temp names look like `.00012.png.anchorflow-<pid>-<random>.tmp`: dot-prefixed so frame listings skip them, and
 * carrying the writer's pid so a later run can delete the ones whose writer is gone (see `removeStaleTemps`).
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

const TEMP_MARK = '.anchorflow-';
const TEMP_PATTERN = /^\..+\.anchorflow-(\d+)-[0-9a-f]+\.tmp$/;

/** A fresh temp path next to `finalPath`. */
export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  return path.join(dir, `.${base}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

export function isTempName(name: string): boolean {
  return TEMP_PATTERN.test(name);
}

/**
 * Runs `write(tempPath)`, then renames the temp file onto `finalPath`. If `write` throws (or the rename fails) the
 * temp file is removed and the error is rethrown; whatever was at `finalPath` before is untouched.
 */
export async function withAtomicFile<T>(finalPath: string, write: (tempPath: string) => Promise<T>): Promise<T> {
  const tempPath = tempPathFor(finalPath);
  try {
    const result = await write(tempPath);
    await fs.rename(tempPath, finalPath);
    return result;
  } catch (error) {
    await fs.rm(tempPath, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Writes `data` to `finalPath` atomically. */
export async function writeFileAtomic(finalPath: string, data: Uint8Array | string): Promise<void> {
  await withAtomicFile(finalPath, (tempPath) => fs.writeFile(tempPath, data, { flag: 'wx' }));
}

function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes temp files left in `dir` by writers that no longer run (a crash or a kill). Temp files of
 * live processes — another run writing into the same folder — are left alone. Returns the names removed.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match || processIsAlive(Number(match[1]))) continue;
    await fs.rm(path.join(dir, name), { force: true, recursive: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

/**
 * Prepares an output folder: creates it (and its parents) if needed, and clears stale temps from earlier crashed
 * runs. Existing final files are kept: each is replaced only when its new version is complete.
 */
export async function prepareOutputFolder(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await removeStaleTemps(dir);
}

/** A hidden scratch folder inside `parent` (same filesystem, so hard links and renames work), named like a temp. */
export async function makeScratchFolder(parent: string, label: string): Promise<string> {
  const dir = tempPathFor(path.join(parent, label));
  await fs.mkdir(dir, { recursive: true });
  return dir;
}
