/**
 * The panel's engine client against a fake engine process (test/panel-node/fixtures/fake-engine*.js) that speaks the
 * JSON-lines protocol: normal runs, a crash mid-job, an engine that never answers, one that dies at start-up, cancel.
 * Also the choice of the engine's Node, with real old Node binaries when they are installed (see cep-node.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EngineClient, EngineCommandError, EngineExitedError, EngineTimeoutError } from '../../client/panel-node/engine-client';
import { chooseEngineNode, cleanEngineEnv, isEngineNodeVersion, nodeCandidates } from '../../client/panel-node/node-runtime';
import type { EngineEvent } from '../../client/shared/protocol';

const FIXTURES = path.join(__dirname, 'fixtures');
const clients: EngineClient[] = [];

function client(script: string, startTimeoutMs = 10_000, onStrayEvent?: (event: EngineEvent) => void): EngineClient {
  const engine = new EngineClient({
    nodePath: process.execPath,
    engineScript: path.join(FIXTURES, script),
    env: cleanEngineEnv(process.env, process.execPath),
    startTimeoutMs,
    onStrayEvent,
  });
  clients.push(engine);
  return engine;
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'anchorflow-engine-client-'));
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((engine) => engine.stop(200)));
});

describe('EngineClient', () => {
  it('starts the engine, pings it and passes only a short, clean env', async () => {
    const stray: EngineEvent[] = [];
    const engine = client('fake-engine.js', 10_000, (event) => stray.push(event));
    const info = (await engine.start()) as { version: string; envKeys: string[] };
    expect(info.version).toBe('0.0.0-fake');
    // PATH, HOME, TMP-like variables only (whatever subset this machine has), nothing else from the test's env.
    expect(info.envKeys.every((key) => ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP'].includes(key))).toBe(true);
    expect(info.envKeys).toContain('PATH');
    expect(stray).toEqual([{ event: 'warning', message: 'fake engine: no GPU, using cpu' }]);
  });

  it('routes progress events to the command that asked, and resolves with its result', async () => {
    const engine = client('fake-engine.js');
    await engine.start();
    const out = path.join(await tempDir(), 'results');
    const progress: EngineEvent[] = [];
    const { result } = engine.request(
      { cmd: 'propagate', request: { frames: '/frames/ok', anchors: [{ index: 0, image: '/a.png' }], masks: [], out } },
      { onEvent: (event) => progress.push(event) },
    );
    const done = (await result) as { frames: unknown[]; out: string };
    expect(done.out).toBe(out);
    expect(done.frames).toHaveLength(5);
    expect(progress.map((event) => (event.event === 'progress' ? event.done : -1))).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects with the engine error code and message', async () => {
    const engine = client('fake-engine.js');
    await engine.start();
    const { result } = engine.request({ cmd: 'propagate', request: { frames: '/frames/missing', anchors: [], masks: [], out: '/tmp/x' } });
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineCommandError);
    expect((error as EngineCommandError).code).toBe('bad-input');
    expect((error as Error).message).toBe('No frames in /frames/missing; capture the clip again.');
  });

  it('turns a crash mid-job into an actionable message, and keeps the frames written before it', async () => {
    const engine = client('fake-engine.js');
    await engine.start();
    const out = path.join(await tempDir(), 'results');
    const { result } = engine.request({ cmd: 'propagate', request: { frames: '/frames/crash', anchors: [], masks: [], out } });
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineExitedError);
    expect((error as Error).message).toBe(
      'The engine stopped unexpectedly (exit code 3): RangeError: simulated out of memory in fake engine. Your earlier results are untouched; press Retry.',
    );
    expect(await fs.readdir(out)).toEqual(['00000.png', '00001.png']);
    expect(engine.running).toBe(false);
    // Later commands fail at once instead of hanging.
    await expect(engine.request({ cmd: 'ping' }).result).rejects.toBeInstanceOf(EngineExitedError);
  });

  it('cancels a running job', async () => {
    const engine = client('fake-engine.js');
    await engine.start();
    const out = path.join(await tempDir(), 'results');
    let cancelled = false;
    const { id, result } = engine.request(
      { cmd: 'propagate', request: { frames: '/frames/slow', anchors: [], masks: [], out } },
      {
        onEvent: () => {
          if (!cancelled) engine.cancel(id);
          cancelled = true;
        },
      },
    );
    const error = await result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineCommandError);
    expect((error as EngineCommandError).code).toBe('cancelled');
    expect((await fs.readdir(out)).length).toBeLessThan(200);
  });

  it('gives up on an engine that never answers, kills it and says so', async () => {
    const engine = client('fake-engine-silent.js', 1000);
    const error = await engine.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EngineTimeoutError);
    expect((error as Error).message).toMatch(/^The engine did not answer within 1 s \(.*fake-engine-silent\.js serve\)\.$/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(engine.running).toBe(false);
  });

  it('reports an engine that dies at start-up with its error line, not a stack frame', async () => {
    const engine = client('fake-engine-broken.js');
    await expect(engine.start()).rejects.toThrow("The engine could not start (exit code 1): Error: Cannot find module 'sharp'.");
  });

  it('reports a Node binary that does not exist', async () => {
    const engine = new EngineClient({ nodePath: '/nonexistent/node', engineScript: path.join(FIXTURES, 'fake-engine.js'), env: {} });
    await expect(engine.start()).rejects.toThrow(/The engine could not start \(no exit code\): \/nonexistent\/node not found\./);
  });
});

describe('choosing the engine Node', () => {
  it('compares versions with 18.17', () => {
    expect(isEngineNodeVersion('v18.17.0')).toBe(true);
    expect(isEngineNodeVersion('v20.1.0')).toBe(true);
    expect(isEngineNodeVersion('v18.16.9')).toBe(false);
    expect(isEngineNodeVersion('v17.7.1')).toBe(false);
    expect(isEngineNodeVersion('garbage')).toBe(false);
  });

  it('tries settings, then the bundled runtime, then PATH', () => {
    const candidates = nodeCandidates({ settingsPath: '/opt/node/bin/node', extensionRoot: '/ext', searchPath: path.dirname(process.execPath), platform: 'linux' });
    expect(candidates.map((candidate) => candidate.source)).toEqual(['settings', 'bundled runtime', 'PATH']);
    expect(candidates[1].path).toBe('/ext/runtime/node');
    expect(candidates[2].path).toBe(path.join(path.dirname(process.execPath), 'node'));
  });

  it('says which candidates were refused and why, then takes the first good one', async () => {
    const choice = await chooseEngineNode({ settingsPath: '/nonexistent/node', extensionRoot: '/nonexistent-ext', searchPath: path.dirname(process.execPath) });
    expect(choice.ok).toBe(true);
    if (!choice.ok) return;
    expect(choice.version).toBe(process.version);
    expect(choice.refused.map((entry) => `${entry.source}: ${entry.reason}`)).toEqual(['settings: file not found', 'bundled runtime: file not found']);
  });

  it('refuses everything with a message and a next step when no Node is usable', async () => {
    const emptyDir = await tempDir();
    const choice = await chooseEngineNode({ settingsPath: '', extensionRoot: emptyDir, searchPath: emptyDir });
    expect(choice.ok).toBe(false);
    if (choice.ok) return;
    expect(choice.message).toMatch(/^No usable Node for the engine: bundled runtime .* \(file not found\); PATH node \(not found on PATH\)\.$/);
    expect(choice.nextStep).toMatch(/Install Node 18\.17\.0 or newer/);
  });

  it('builds a short env with the engine Node first on PATH', () => {
    const env = cleanEngineEnv({ PATH: '/usr/bin', HOME: '/home/u', NODE_OPTIONS: '--inspect', SECRET: 'x', TMPDIR: '/tmp' }, '/opt/node/bin/node', 'linux');
    expect(env).toEqual({ PATH: '/opt/node/bin:/usr/bin', HOME: '/home/u', TMPDIR: '/tmp' });
    const windows = cleanEngineEnv({ Path: 'C:\\Windows', USERPROFILE: 'C:\\Users\\u', SystemRoot: 'C:\\Windows', TEMP: 'C:\\T', APPDATA: 'x' }, 'node.exe', 'win32');
    expect(windows).toEqual({ Path: 'C:\\Windows', USERPROFILE: 'C:\\Users\\u', SystemRoot: 'C:\\Windows', TEMP: 'C:\\T' });
  });
});
