/**
 * The CLI through the worker thread, end to end: from the TypeScript sources (tsx, as test/cli does) and from the
 * compiled JavaScript under plain Node with no tsx anywhere (the way bin/anchorflow.js and the panel's engine
 * process run it). Each run must write the same frames as the in-thread pipeline (ANCHORFLOW_NO_WORKER=1).
 */
import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../client/shared/protocol';
import type { WrittenCase } from '../../client/engine/synth';
import { collect, ourLines, REPO, runCli, type CliRun } from '../cli/helpers';
import { tempDir } from '../io/fixtures';
import { finalFiles, writeSmallCase } from './helpers';

let root: string;
let clip: WrittenCase;
let inThreadOut: string;
let compiledRoot: string;

function propagateArgs(out: string, anchorImage = clip.anchors[0].image): string[] {
  return ['propagate', '--frames', clip.framesDir, '--anchor', `${clip.anchors[0].index}=${anchorImage}`, '--out', out, '--json'];
}

function jsonEvents(stdout: string): EngineEvent[] {
  return stdout.split('\n').filter((l) => l !== '').map((line) => JSON.parse(line) as EngineEvent);
}

/** Environment without anything that would load tsx into a plain-Node run. */
function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** Runs the compiled CLI's main() with plain Node (no --import tsx, no loader). */
function runCompiledCli(args: string[]): Promise<CliRun> {
  const cli = path.join(compiledRoot, 'client', 'engine', 'cli.js');
  const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(cli)}).main(process.argv.slice(1))`, '--', ...args], {
    cwd: REPO,
    env: plainEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.end();
  return collect(child);
}

beforeAll(async () => {
  root = tempDir('runtime-cli');
  clip = await writeSmallCase(path.join(root, 'input'), 6);
  inThreadOut = path.join(root, 'out-in-thread');
  const reference = await runCli(propagateArgs(inThreadOut), { env: { ANCHORFLOW_NO_WORKER: '1' } });
  expect(reference.code, reference.stderr).toBe(0);

  // A private compiled copy of the engine (build/ belongs to `npm run build:engine`). tsc may report type errors
  // in files being edited elsewhere and still emit; what matters here is that the JavaScript exists.
  compiledRoot = mkdtempSync(path.join(REPO, '.cache', 'runtime-build-'));
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.engine.json'), '--outDir', compiledRoot], {
    cwd: REPO,
    stdio: 'pipe',
  });
  for (const file of ['cli.js', 'runtime/worker-host.js', 'runtime/pipeline-worker.js']) {
    expect(existsSync(path.join(compiledRoot, 'client', 'engine', file)), `tsc did not emit ${file}`).toBe(true);
  }
});

afterAll(() => {
  if (compiledRoot) rmSync(compiledRoot, { recursive: true, force: true });
});

function expectSuccessfulRun(run: CliRun, out: string): void {
  expect(run.code, run.stderr).toBe(0);
  const events = jsonEvents(run.stdout);
  const done = events.filter((e) => e.event === 'progress').map((e) => (e.event === 'progress' ? e.done : -1));
  expect(done).toEqual([0, 1, 2, 3, 4, 5, 6]);
  const last = events[events.length - 1];
  expect(last.event).toBe('done');
  expect(finalFiles(out)).toEqual(finalFiles(inThreadOut));
}

describe('anchorflow propagate through the worker thread', () => {
  it('runs from the TypeScript sources (tsx) and writes the same frames as in-thread', async () => {
    const out = path.join(root, 'out-tsx');
    expectSuccessfulRun(await runCli(propagateArgs(out)), out);
  });

  it('runs from the compiled JavaScript under plain Node, without tsx', async () => {
    const out = path.join(root, 'out-compiled');
    expectSuccessfulRun(await runCompiledCli(propagateArgs(out)), out);
  });

  it('reports bad input from the worker as one line with exit status 2', async () => {
    const missing = path.join(root, 'no-such-anchor.png');
    const run = await runCompiledCli(propagateArgs(path.join(root, 'out-bad'), missing));
    expect(run.code).toBe(2);
    const lines = ourLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^anchorflow: anchor 0 \(no-such-anchor\.png\) was not found at .*no-such-anchor\.png; check the path\.$/);
    const events = jsonEvents(run.stdout);
    expect(events[events.length - 1]).toMatchObject({ event: 'error', code: 'bad-input' });
  });
});
