/**
 * Builds the host bundle with the real build script (`npm run build:host`) unless it is already newer than every
 * input, so several test files in one run share one build.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const HOST_BUNDLE = path.join(REPO_ROOT, 'build', 'host', 'anchorflow.jsx');

const INPUTS = ['host', 'scripts/build-host.ts', 'client/shared/host-api.ts'];

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function isUpToDate(): boolean {
  if (!fs.existsSync(HOST_BUNDLE)) return false;
  const built = fs.statSync(HOST_BUNDLE).mtimeMs;
  return INPUTS.every((input) => newestMtime(path.join(REPO_ROOT, input)) < built);
}

export function buildHostBundle(): string {
  if (!isUpToDate()) {
    execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build-host.ts'], { cwd: REPO_ROOT, stdio: 'pipe' });
  }
  return HOST_BUNDLE;
}
