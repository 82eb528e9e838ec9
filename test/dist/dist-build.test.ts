/**
 * `npm run build:dist` output: the installable extension folder. Checked here on Linux by reading files and running
 * the engine with plain Node; the extension has NOT been loaded by a real Premiere Pro or After Effects in this test.
 *
 * beforeAll runs the build steps itself: build:host always (fast, and what this area owns), build:engine and
 * build:panel when their outputs are absent, then build:dist.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findEs5BuiltIns, parseEs3 } from '../host/support/es3-scan';
import { REPO_ROOT } from '../host/support/build';
import { assertInstallablePath, installExtension, playerDebugModeSteps, userExtensionsFolder } from '../../scripts/dev-install';
import { findSymlinks } from '../../scripts/package-zxp';

const DIST = path.join(REPO_ROOT, 'dist');

function npmRun(script: string): void {
  execFileSync('npm', ['run', '--silent', script], { cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, npm_config_loglevel: 'error' } });
}

beforeAll(() => {
  npmRun('build:host');
  if (!fs.existsSync(path.join(REPO_ROOT, 'build', 'client', 'engine', 'cli.js')) || !fs.existsSync(path.join(REPO_ROOT, 'models', 'dist', 'manifest.json'))) {
    npmRun('build:engine');
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'build', 'panel', 'index.html'))) npmRun('build:panel');
  npmRun('build:dist');
});

function read(relative: string): string {
  return fs.readFileSync(path.join(DIST, relative), 'utf8');
}

describe('dist/ manifest', () => {
  it('names PPRO and AEFT with explicit version ranges on CSXS 11', () => {
    const manifest = read('CSXS/manifest.xml');
    expect(manifest).toMatch(/<Host Name="PPRO" Version="\[23\.0,99\.9\]"\/>/);
    expect(manifest).toMatch(/<Host Name="AEFT" Version="\[23\.0,99\.9\]"\/>/);
    expect(manifest).toMatch(/<RequiredRuntime Name="CSXS" Version="11\.0"\/>/);
  });

  it('enables Node inside <Resources>, not elsewhere in DispatchInfo', () => {
    const manifest = read('CSXS/manifest.xml');
    const resources = /<Resources>([\s\S]*?)<\/Resources>/.exec(manifest)![1];
    expect(resources).toContain('<Parameter>--enable-nodejs</Parameter>');
    expect(resources).toContain('<Parameter>--mixed-context</Parameter>');
    expect(manifest.match(/--enable-nodejs/g)).toHaveLength(1);
    expect(manifest).toMatch(/<Geometry>\s*<Size>[\s\S]*<\/Size>\s*<MinSize>/);
  });

  it('points at files that exist in dist/', () => {
    const manifest = read('CSXS/manifest.xml');
    for (const tag of ['MainPath', 'ScriptPath']) {
      const relative = new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(manifest)![1];
      expect(fs.existsSync(path.join(DIST, relative)), `${tag} ${relative}`).toBe(true);
    }
    expect(read('.debug')).toMatch(/<Host Name="PPRO" Port="\d+"\/>[\s\S]*<Host Name="AEFT" Port="\d+"\/>/);
  });
});

describe('dist/ host and engine', () => {
  it('ships a host .jsx that parses as ES3 and uses no ES5 built-ins, with its export preset', () => {
    const jsx = read('host/anchorflow.jsx');
    expect(() => parseEs3(jsx)).not.toThrow();
    expect(findEs5BuiltIns(jsx)).toEqual([]);
    expect(fs.existsSync(path.join(DIST, 'host', 'presets', 'png-sequence.epr'))).toBe(true);
  });

  it('holds no symlinks and no source maps', () => {
    expect(findSymlinks(DIST)).toEqual([]);
    expect(fs.readdirSync(path.join(DIST, 'panel')).filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('runs the engine from dist/ with its own copies of the native modules', () => {
    const engine = path.join(DIST, 'engine');
    const version = execFileSync(process.execPath, [path.join(engine, 'bin', 'anchorflow.js'), '--version'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(version.trim()).toBe(JSON.parse(read('engine/package.json')).version);
    const probe = `for (const m of ['sharp', 'onnxruntime-node', 'ag-psd']) { const p = require.resolve(m, { paths: [${JSON.stringify(engine)}] }); require(p); console.log(p); }`;
    const resolved = execFileSync(process.execPath, ['-e', probe], { cwd: os.tmpdir(), encoding: 'utf8' }).trim().split('\n');
    for (const file of resolved) expect(file.startsWith(path.join(engine, 'node_modules'))).toBe(true);
    expect(fs.existsSync(path.join(engine, 'models', 'dist', 'manifest.json'))).toBe(true);
  });
});

describe('dev:install', () => {
  it('copies dist/ into <folder>/com.anchorflow.panel and replaces an older install', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cep-extensions-'));
    try {
      fs.mkdirSync(path.join(folder, 'com.anchorflow.panel', 'stale'), { recursive: true });
      const installed = installExtension({ extensionsFolder: folder });
      expect(fs.readFileSync(path.join(installed, 'CSXS', 'manifest.xml'), 'utf8')).toBe(read('CSXS/manifest.xml'));
      expect(fs.existsSync(path.join(installed, 'host', 'anchorflow.jsx'))).toBe(true);
      expect(fs.existsSync(path.join(installed, 'stale'))).toBe(false);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("refuses a path containing '#'", () => {
    expect(() => assertInstallablePath('/Users/me/#work/com.anchorflow.panel')).toThrow(/'#'/);
    expect(() => installExtension({ extensionsFolder: path.join(os.tmpdir(), 'a#b') })).toThrow(/'#'/);
  });

  it('knows the per-user folder on macOS and Windows, and none on Linux', () => {
    expect(userExtensionsFolder('darwin', {}, '/Users/me')).toBe('/Users/me/Library/Application Support/Adobe/CEP/extensions');
    expect(userExtensionsFolder('win32', { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'C:\\Users\\me')).toBe('C:\\Users\\me\\AppData\\Roaming\\Adobe\\CEP\\extensions');
    expect(userExtensionsFolder('linux', {}, '/home/me')).toBeNull();
  });

  it('prints PlayerDebugMode steps for CSXS 11 and 12', () => {
    expect(playerDebugModeSteps('darwin')).toMatch(/defaults write com\.adobe\.CSXS\.11 PlayerDebugMode 1[\s\S]*CSXS\.12/);
    expect(playerDebugModeSteps('win32')).toMatch(/HKCU\\Software\\Adobe\\CSXS\.11 [\s\S]*CSXS\.12/);
  });
});
