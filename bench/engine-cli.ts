/**
 * Runs the engine exactly as a user would, through its CLI contract, as a child process:
 *   <command> propagate --frames DIR --anchor i=PNG [...] [--mask i=PNG ...] --out DIR --json
 * and measures wall time and peak resident memory (VmHWM) of that process.
 */
import { spawn } from 'child_process';
import { existsSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface EngineRun {
  exitCode: number;
  wallMs: number;
  /** Peak resident set size of the engine process in bytes (NaN if it could not be measured). */
  peakRssBytes: number;
  /** How the peak was measured. */
  rssSource: '/usr/bin/time' | '/proc VmHWM polling' | 'unavailable';
  /** JSON events printed on stdout. */
  events: Array<Record<string, unknown>>;
  /** Last lines of stderr, for error reports. */
  stderrTail: string;
}

export interface EngineRequest {
  framesDir: string;
  anchors: Array<{ index: number; image: string }>;
  masks: Array<{ index: number; image: string }>;
  outDir: string;
  extraArgs?: string[];
}

/** Default command: the project's own bin, run with the current Node. */
export function defaultEngineCommand(repoRoot: string): string[] {
  return [process.execPath, path.join(repoRoot, 'bin', 'anchorflow.js')];
}

export function engineArgs(request: EngineRequest): string[] {
  const args = ['propagate', '--frames', request.framesDir];
  for (const a of request.anchors) args.push('--anchor', `${a.index}=${a.image}`);
  for (const m of request.masks) args.push('--mask', `${m.index}=${m.image}`);
  args.push('--out', request.outDir, '--json', ...(request.extraArgs ?? []));
  return args;
}

const TIME_BIN = '/usr/bin/time';

export function runEngine(command: string[], request: EngineRequest, cwd: string): Promise<EngineRun> {
  const args = [...command.slice(1), ...engineArgs(request)];
  // GNU time reports the child's max RSS exactly (from wait4); polling /proc is the fallback.
  const useTime = existsSync(TIME_BIN);
  const timeFile = path.join(os.tmpdir(), `anchorflow-bench-rss-${process.pid}-${Date.now()}.txt`);
  const [file, argv] = useTime ? [TIME_BIN, ['-f', '%M', '-o', timeFile, command[0], ...args]] : [command[0], args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-8000);
    });
    let polledPeakKb = 0;
    const poll = useTime
      ? undefined
      : setInterval(() => {
          polledPeakKb = Math.max(polledPeakKb, readVmHwmKb(child.pid));
        }, 50);
    child.on('error', (error) => {
      if (poll) clearInterval(poll);
      reject(new Error(`cannot start the engine (${command.join(' ')}): ${error.message}`));
    });
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      let peakRssBytes = NaN;
      let rssSource: EngineRun['rssSource'] = 'unavailable';
      if (useTime) {
        const kb = existsSync(timeFile) ? parseTimeOutput(readFileSync(timeFile, 'utf8')) : NaN;
        rmSync(timeFile, { force: true });
        if (Number.isFinite(kb)) {
          peakRssBytes = kb * 1024;
          rssSource = '/usr/bin/time';
        }
      } else if (polledPeakKb > 0) {
        peakRssBytes = polledPeakKb * 1024;
        rssSource = '/proc VmHWM polling';
      }
      resolve({ exitCode: code ?? 1, wallMs, peakRssBytes, rssSource, events: parseEvents(stdout), stderrTail: stderr.trim().split('\n').slice(-5).join('\n') });
    });
  });
}

/** GNU time with `-f %M` writes the max RSS in KiB on the last line (earlier lines may be "Command exited ..."). */
export function parseTimeOutput(text: string): number {
  const lines = text.trim().split('\n');
  return Number(lines[lines.length - 1]);
}

export function parseEvents(stdout: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      events.push(JSON.parse(trimmed) as Record<string, unknown>);
    } catch {
      // Not an event line; the contract says stdout is JSON lines, so ignore stray output rather than fail.
    }
  }
  return events;
}

function readVmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** One-line reason for a failed run: the engine's `error` event if any, else the end of stderr. */
export function failureReason(run: EngineRun): string {
  const error = run.events.find((e) => e.event === 'error');
  const reason = error && typeof error.message === 'string' ? error.message : run.stderrTail || `exit code ${run.exitCode}`;
  return reason.replace(/\s*\n\s*/g, ' | ').slice(0, 300);
}
