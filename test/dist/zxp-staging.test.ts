/**
 * The staging half of `npm run package`: dereferenced copy, junk removal, per-platform pruning of native binaries
 * and the missing-binary checks, on a small synthetic extension folder. Signing (ZXPSignCmd) is not run here: the
 * tool is not installed on CI; only its lookup and error message are tested.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findSymlinks, findZxpSignCmd, parsePlatform, stageForZxp } from '../../scripts/package-zxp';

let work = '';
let source = '';

function write(relative: string, content = 'x'): void {
  const file = path.join(source, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

const ORT = 'engine/node_modules/onnxruntime-node/bin/napi-v6';

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'anchorflow-zxp-'));
  source = path.join(work, 'dist');
  write('CSXS/manifest.xml', '<ExtensionManifest/>');
  write('panel/index.html', '<html></html>');
  write('panel/main.js.map', '{}');
  write('panel/.DS_Store');
  write('__MACOSX/panel/._index.html');
  write('host/anchorflow.jsx', 'var a = 1;');
  for (const platform of ['darwin/arm64', 'linux/x64', 'linux/arm64', 'win32/x64']) write(`${ORT}/${platform}/onnxruntime_binding.node`);
  write('engine/node_modules/onnxruntime-node/dist/index.js', 'module.exports = {};');
  for (const name of ['sharp-darwin-arm64', 'sharp-libvips-darwin-arm64', 'sharp-linux-x64', 'sharp-libvips-linux-x64', 'sharp-win32-x64', 'sharp-wasm32', 'colour']) {
    write(`engine/node_modules/@img/${name}/package.json`, `{"name":"@img/${name}"}`);
  }
  for (const name of ['ffmpeg', 'darwin-arm64', 'linux-x64', 'win32-x64']) write(`engine/node_modules/@ffmpeg-installer/${name}/package.json`, '{}');
  write('engine/node_modules/ag-psd/index.js', 'module.exports = 1;');
  // Symlinks as npm links and .bin entries leave them: to a file and to a folder.
  fs.mkdirSync(path.join(source, 'engine/node_modules/.bin'), { recursive: true });
  fs.symlinkSync('../ag-psd/index.js', path.join(source, 'engine/node_modules/.bin/ag-psd'));
  fs.symlinkSync('ag-psd', path.join(source, 'engine/node_modules/ag-psd-linked'));
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('stageForZxp', () => {
  it('keeps only darwin-arm64 binaries, removes junk and resolves symlinks into real files', () => {
    const staging = path.join(work, 'staging');
    const { removed } = stageForZxp({ source, staging, platform: 'darwin-arm64' });
    expect(fs.readdirSync(path.join(staging, ORT))).toEqual(['darwin']);
    expect(fs.readdirSync(path.join(staging, ORT, 'darwin'))).toEqual(['arm64']);
    expect(fs.readdirSync(path.join(staging, 'engine/node_modules/@img')).sort()).toEqual(['colour', 'sharp-darwin-arm64', 'sharp-libvips-darwin-arm64']);
    expect(fs.readdirSync(path.join(staging, 'engine/node_modules/@ffmpeg-installer')).sort()).toEqual(['darwin-arm64', 'ffmpeg']);
    expect(removed).toContain(`${ORT}/linux`);
    expect(removed).toContain('engine/node_modules/@img/sharp-wasm32');
    expect(fs.existsSync(path.join(staging, 'panel/.DS_Store'))).toBe(false);
    expect(fs.existsSync(path.join(staging, '__MACOSX'))).toBe(false);
    expect(fs.existsSync(path.join(staging, 'panel/main.js.map'))).toBe(false);
    expect(findSymlinks(staging)).toEqual([]);
    expect(fs.readFileSync(path.join(staging, 'engine/node_modules/.bin/ag-psd'), 'utf8')).toBe('module.exports = 1;');
    expect(fs.statSync(path.join(staging, 'engine/node_modules/ag-psd-linked')).isDirectory()).toBe(true);
    // The source folder is left as it was.
    expect(fs.readdirSync(path.join(source, ORT)).sort()).toEqual(['darwin', 'linux', 'win32']);
    expect(fs.lstatSync(path.join(source, 'engine/node_modules/.bin/ag-psd')).isSymbolicLink()).toBe(true);
  });

  it('keeps win32-x64 binaries for a Windows package', () => {
    const staging = path.join(work, 'staging');
    stageForZxp({ source, staging, platform: 'win32-x64' });
    expect(fs.readdirSync(path.join(staging, ORT))).toEqual(['win32']);
    expect(fs.readdirSync(path.join(staging, 'engine/node_modules/@img')).sort()).toEqual(['colour', 'sharp-win32-x64']);
  });

  it('refuses a platform whose binaries are missing, saying how to get them', () => {
    expect(() => stageForZxp({ source, staging: path.join(work, 'staging'), platform: 'darwin-x64' })).toThrow(
      /onnxruntime-node has no darwin-x64 binary[\s\S]*npm install --no-save --os=darwin --cpu=x64 @img\/sharp-darwin-x64/,
    );
  });

  it('ships a Node runtime folder as runtime/ when given one', () => {
    const runtime = path.join(work, 'node-runtime');
    fs.mkdirSync(path.join(runtime, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(runtime, 'bin', 'node'), 'binary');
    const staging = path.join(work, 'staging');
    stageForZxp({ source, staging, platform: 'darwin-arm64', runtime });
    expect(fs.readFileSync(path.join(staging, 'runtime', 'bin', 'node'), 'utf8')).toBe('binary');
  });

  it('rejects an unknown platform', () => {
    expect(() => parsePlatform('linux-x64')).toThrow(/--platform must be one of darwin-arm64/);
  });
});

describe('findZxpSignCmd', () => {
  it('uses ZXPSIGNCMD, else PATH, else explains where to get it', () => {
    expect(() => findZxpSignCmd({ PATH: '' })).toThrow(/ZXPSignCmd not found[\s\S]*CEP-Resources[\s\S]*ZXPSIGNCMD/);
    expect(() => findZxpSignCmd({ ZXPSIGNCMD: path.join(work, 'nope') })).toThrow(/does not exist/);
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'ZXPSignCmd'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findZxpSignCmd({ PATH: bin })).toBe(path.join(bin, 'ZXPSignCmd'));
  });
});
