/**
 * The engine process, seen from the panel: `node <engine>/bin/anchorflow.js serve`, JSON lines over stdio
 * (client/shared/protocol.ts). One `EngineCommand` per line on stdin; `EngineEvent`s with the command's id on stdout.
 *
 * Spawned with `spawn` and an explicit Node binary: in CEP `fork()` would start CEPHtmlEngine, not Node.
 * Whatever the engine does, a caller's promise settles: by the command's `done`/`error`, by a timeout, or by the
 * process ending (then with a message that names the exit code and the engine's last stderr line).
 */
import { spawn } from 'child_process';
import type { ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import type { EngineCommand, EngineEvent, ErrorCode } from '../shared/protocol';

/** The engine answered a command with an `error` event. */
export class EngineCommandError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'EngineCommandError';
  }
}

/** The process ended while a command was pending, or could not be started at all. */
export class EngineExitedError extends Error {
  constructor(message: string, readonly exitCode: number | null, readonly signal: string | null, readonly duringStart: boolean) {
    super(message);
    this.name = 'EngineExitedError';
  }
}

export class EngineTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineTimeoutError';
  }
}

export interface EngineExit {
  code: number | null;
  signal: string | null;
  stderrTail: string;
}

/** A command without its id: the client numbers commands itself. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type EngineCommandBody = WithoutId<EngineCommand>;

export interface EngineClientOptions {
  nodePath: string;
  /** `bin/anchorflow.js` of the engine. */
  engineScript: string;
  /** Already cleaned (see `cleanEngineEnv`). */
  env: NodeJS.ProcessEnv;
  /** How long the first `ping` may take, Node and engine start-up included. */
  startTimeoutMs?: number;
  /** Events that belong to no pending command (e.g. a warning without id). */
  onStrayEvent?: (event: EngineEvent) => void;
  /** The process ended (for whatever reason, also after `stop`). */
  onExit?: (exit: EngineExit) => void;
}

interface PendingCommand {
  cmd: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onEvent?: (event: EngineEvent) => void;
  timer?: ReturnType<typeof setTimeout>;
}

const STDERR_TAIL_CHARS = 4000;

export class EngineClient {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly pending = new Map<string, PendingCommand>();
  private nextId = 1;
  private stdoutBuffer = '';
  private stderrTail = '';
  private started = false;
  private exited: EngineExit | null = null;
  private closed: Promise<void> = Promise.resolve();

  constructor(private readonly options: EngineClientOptions) {}

  get running(): boolean {
    return this.child !== null && this.exited === null;
  }

  /**
   * The stderr line that says what went wrong, for error messages: the last line that reads like an error
   * ("RangeError: ...", "Error: ..."), else the last line that is not a stack frame ("at ...", "- file").
   */
  get lastStderrLine(): string {
    const lines = this.stderrTail.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    for (let i = lines.length - 1; i >= 0; i--) if (/^[\w.]*(Error|Exception)\b.*:/.test(lines[i])) return lines[i];
    for (let i = lines.length - 1; i >= 0; i--) if (!/^(at |- |Require stack)/.test(lines[i])) return lines[i];
    return '';
  }

  /** Spawn the process and wait for its answer to `ping` (its result: engine version info, shape unknown). */
  async start(): Promise<unknown> {
    if (this.child) throw new Error('EngineClient.start called twice');
    const { nodePath, engineScript, env } = this.options;
    // cwd: the engine's package root, so it resolves its node_modules and models the same way as from the CLI.
    const cwd = path.dirname(path.dirname(engineScript));
    const child = spawn(nodePath, [engineScript, 'serve'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.closed = new Promise((resolve) => child.once('close', () => resolve()));
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    // A dead process makes writes fail with EPIPE; the 'close' handler reports it to the callers.
    child.stdin.on('error', () => undefined);
    child.once('error', (error: NodeJS.ErrnoException) => {
      this.stderrTail += `\n${error.code === 'ENOENT' ? `${nodePath} not found` : error.message}`;
      this.onClosed(null, null);
    });
    // 'close' (not 'exit'): stdio is drained by then, so the stderr tail is complete.
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => this.onClosed(code, signal));

    const timeoutMs = this.options.startTimeoutMs ?? 20_000;
    try {
      const { result } = this.request({ cmd: 'ping' }, { timeoutMs });
      const info = await result;
      this.started = true;
      return info;
    } catch (error) {
      if (error instanceof EngineTimeoutError) {
        this.kill();
        const tail = this.lastStderrLine;
        throw new EngineTimeoutError(
          `The engine did not answer within ${Math.round(timeoutMs / 1000)} s (${nodePath} ${engineScript} serve)${tail ? `: ${tail}` : ''}.`,
        );
      }
      throw error;
    }
  }

  /**
   * Send one command. `result` settles with the `done` result, or rejects with EngineCommandError (an `error`
   * event), EngineExitedError (the process ended) or EngineTimeoutError.
   */
  request(body: EngineCommandBody, options: { onEvent?: (event: EngineEvent) => void; timeoutMs?: number } = {}): { id: string; result: Promise<unknown> } {
    const id = `c${this.nextId++}`;
    const result = new Promise<unknown>((resolve, reject) => {
      if (!this.child || this.exited) {
        reject(this.exitError(this.exited ?? { code: null, signal: null, stderrTail: this.stderrTail }));
        return;
      }
      const entry: PendingCommand = { cmd: body.cmd, resolve, reject, onEvent: options.onEvent };
      if (options.timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new EngineTimeoutError(`The engine did not finish "${body.cmd}" within ${Math.round(options.timeoutMs! / 1000)} s.`));
        }, options.timeoutMs);
      }
      this.pending.set(id, entry);
      this.child.stdin.write(`${JSON.stringify({ ...body, id })}\n`);
    });
    return { id, result };
  }

  /** Ask the engine to cancel a running command; its promise then settles with the engine's answer. */
  cancel(targetId: string): void {
    if (!this.running || !this.pending.has(targetId)) return;
    const { result } = this.request({ cmd: 'cancel', target: targetId }, { timeoutMs: 10_000 });
    result.catch(() => undefined);
  }

  /** End the process: close stdin (a clean `serve` exits), then SIGTERM, then SIGKILL. */
  async stop(graceMs = 1500): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    child.stdin.end();
    const timerTerm = setTimeout(() => child.kill('SIGTERM'), graceMs);
    const timerKill = setTimeout(() => child.kill('SIGKILL'), graceMs * 2);
    await this.closed;
    clearTimeout(timerTerm);
    clearTimeout(timerKill);
  }

  private kill(): void {
    if (this.child && !this.exited) this.child.kill('SIGKILL');
  }

  private onStdout(chunk: string): void {
    this.stdoutBuffer += chunk;
    let newline: number;
    while ((newline = this.stdoutBuffer.indexOf('\n')) >= 0) {
      const line = this.stdoutBuffer.slice(0, newline).trim();
      this.stdoutBuffer = this.stdoutBuffer.slice(newline + 1);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let event: EngineEvent;
    try {
      event = JSON.parse(line) as EngineEvent;
    } catch {
      // Not protocol: a stray console.log in the engine. Keep it for error messages rather than failing.
      this.stderrTail = `${this.stderrTail}\n${line}`.slice(-STDERR_TAIL_CHARS);
      return;
    }
    const entry = event.id !== undefined ? this.pending.get(event.id) : undefined;
    if (!entry || event.id === undefined) {
      this.options.onStrayEvent?.(event);
      return;
    }
    if (event.event === 'done' || event.event === 'error') {
      this.pending.delete(event.id);
      if (entry.timer) clearTimeout(entry.timer);
      if (event.event === 'done') entry.resolve(event.result);
      else entry.reject(new EngineCommandError(event.code, event.message));
      return;
    }
    entry.onEvent?.(event);
  }

  private onClosed(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    const exit: EngineExit = { code, signal, stderrTail: this.stderrTail };
    this.exited = exit;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(this.exitError(exit));
    }
    this.options.onExit?.(exit);
  }

  private exitError(exit: EngineExit): EngineExitedError {
    const how = exit.signal ? `signal ${exit.signal}` : exit.code === null ? 'no exit code' : `exit code ${exit.code}`;
    const tail = this.lastStderrLine || 'no error output';
    const message = this.started
      ? `The engine stopped unexpectedly (${how}): ${tail}. Your earlier results are untouched; press Retry.`
      : `The engine could not start (${how}): ${tail}.`;
    return new EngineExitedError(message, exit.code, exit.signal, !this.started);
  }
}
