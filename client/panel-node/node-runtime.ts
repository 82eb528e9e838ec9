/**
 * Which Node runs the engine process. CEP's embedded Node (15.9 / 17.7) cannot load modern sharp, and
 * `process.execPath` inside CEP is the panel engine (CEPHtmlEngine), not Node: we need a separate Node >= 18.17.
 *
 * Candidates, in order: the path from the settings drawer, the runtime bundled in the release
 * (`<extension>/runtime/node[.exe]`), then `node` on PATH (plus the usual install folders on macOS, because apps
 * started from the Dock get a bare PATH). Each is checked with `node -v`; every refusal is kept with its reason.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const MINIMUM_ENGINE_NODE = [18, 17, 0] as const;

export interface NodeCandidate {
  /** Where the candidate came from, in words the user recognises. */
  source: 'settings' | 'bundled runtime' | 'PATH';
  path: string;
}

export interface NodeRefusal extends NodeCandidate {
  reason: string;
}

export type NodeChoice =
  | { ok: true; nodePath: string; version: string; source: NodeCandidate['source']; refused: NodeRefusal[] }
  | { ok: false; refused: NodeRefusal[]; message: string; nextStep: string };

export interface NodeSearch {
  /** From the settings drawer; empty for none. */
  settingsPath: string;
  extensionRoot: string;
  platform?: NodeJS.Platform;
  /** PATH to search; defaults to this process's PATH. */
  searchPath?: string;
  /** How long one `node -v` may take. */
  timeoutMs?: number;
}

/** Candidates in the order they are tried. Pure apart from `fs.existsSync` on PATH entries. */
export function nodeCandidates(search: NodeSearch): NodeCandidate[] {
  const platform = search.platform ?? process.platform;
  const exe = platform === 'win32' ? 'node.exe' : 'node';
  const candidates: NodeCandidate[] = [];
  if (search.settingsPath.trim()) candidates.push({ source: 'settings', path: search.settingsPath.trim() });
  candidates.push({ source: 'bundled runtime', path: path.join(search.extensionRoot, 'runtime', exe) });
  const dirs = (search.searchPath ?? process.env.PATH ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  if (platform === 'darwin') dirs.push('/opt/homebrew/bin', '/usr/local/bin');
  const seen = new Set<string>();
  for (const dir of dirs) {
    const file = path.join(dir, exe);
    if (seen.has(file)) continue;
    seen.add(file);
    if (isFile(file)) candidates.push({ source: 'PATH', path: file });
  }
  return candidates;
}

/** Parse `v18.17.0` and compare with the minimum. */
export function isEngineNodeVersion(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const parts = [Number(match[1]), Number(match[2]), Number(match[3])];
  for (let i = 0; i < 3; i++) {
    if (parts[i] !== MINIMUM_ENGINE_NODE[i]) return parts[i] > MINIMUM_ENGINE_NODE[i];
  }
  return true;
}

/** Run `node -v` on one candidate: its version, or why it cannot be used. */
export function probeNode(nodePath: string, timeoutMs: number): Promise<{ version: string } | { reason: string }> {
  return new Promise((resolve) => {
    if (path.isAbsolute(nodePath) && !fs.existsSync(nodePath)) {
      resolve({ reason: 'file not found' });
      return;
    }
    execFile(nodePath, ['-v'], { timeout: timeoutMs, windowsHide: true, env: cleanEngineEnv(process.env, nodePath) }, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') resolve({ reason: 'not found' });
        else if (code === 'EACCES') resolve({ reason: 'not executable' });
        else if ((error as { killed?: boolean }).killed) resolve({ reason: `\`node -v\` did not answer within ${timeoutMs} ms` });
        else resolve({ reason: `\`node -v\` failed (${error.message.split('\n')[0]})` });
        return;
      }
      const version = String(stdout).trim();
      if (!/^v\d+\.\d+\.\d+/.test(version)) resolve({ reason: `not a Node binary (\`-v\` printed "${version.slice(0, 40)}")` });
      else resolve({ version });
    });
  });
}

/** The first candidate that is a Node >= 18.17, with every refusal before it. */
export async function chooseEngineNode(search: NodeSearch): Promise<NodeChoice> {
  const refused: NodeRefusal[] = [];
  const candidates = nodeCandidates(search);
  for (const candidate of candidates) {
    const probe = await probeNode(candidate.path, search.timeoutMs ?? 5000);
    if ('reason' in probe) {
      refused.push({ ...candidate, reason: probe.reason });
      continue;
    }
    if (!isEngineNodeVersion(probe.version)) {
      refused.push({ ...candidate, reason: `version ${probe.version} is older than ${MINIMUM_ENGINE_NODE.join('.')}` });
      continue;
    }
    return { ok: true, nodePath: candidate.path, version: probe.version, source: candidate.source, refused };
  }
  if (!candidates.some((candidate) => candidate.source === 'PATH')) {
    refused.push({ source: 'PATH', path: (search.platform ?? process.platform) === 'win32' ? 'node.exe' : 'node', reason: 'not found on PATH' });
  }
  return {
    ok: false,
    refused,
    message: `No usable Node for the engine: ${describeRefusals(refused)}.`,
    nextStep: `Install Node ${MINIMUM_ENGINE_NODE.join('.')} or newer (nodejs.org), or set its path in Settings > Engine Node path.`,
  };
}

export function describeRefusals(refused: NodeRefusal[]): string {
  return refused.map((entry) => `${entry.source} ${entry.path} (${entry.reason})`).join('; ');
}

/**
 * The engine's environment: only what a Node process needs. A panel's env can be huge (long env blocks have caused
 * ENOMEM on Windows) and may carry NODE_OPTIONS or ELECTRON_* variables meant for the host.
 */
export function cleanEngineEnv(source: NodeJS.ProcessEnv, nodePath: string, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const separator = platform === 'win32' ? ';' : ':';
  const pathKey = platform === 'win32' ? Object.keys(source).find((key) => key.toUpperCase() === 'PATH') ?? 'Path' : 'PATH';
  // The engine's own Node first, so any `node` it starts is the same one.
  const nodeDir = path.isAbsolute(nodePath) ? path.dirname(nodePath) : '';
  env[pathKey] = [nodeDir, source[pathKey] ?? ''].filter(Boolean).join(separator);
  const keep = platform === 'win32' ? ['USERPROFILE', 'TMP', 'TEMP', 'SystemRoot'] : ['HOME', 'TMPDIR', 'TMP', 'TEMP'];
  for (const key of keep) {
    const value = source[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
