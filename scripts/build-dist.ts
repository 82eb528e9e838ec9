/**
 * Assembles dist/, the installable CEP extension folder, from what the other build steps produced:
 *
 *   dist/CSXS/manifest.xml, dist/.debug         extension manifest and remote-debug ports
 *   dist/host/anchorflow.jsx (+ presets/)        ExtendScript host      <- build/host   (npm run build:host)
 *   dist/panel/                                  panel HTML/JS          <- build/panel  (npm run build:panel)
 *   dist/engine/bin, build/, models/dist/        engine process         <- build/ + models/dist (npm run build:engine)
 *   dist/engine/package.json + node_modules/     the engine's runtime dependencies, copied from node_modules
 *   dist/README.txt
 *
 * It builds nothing itself; a missing input fails with the command that makes it. The folder is assembled next to
 * dist/ and swapped in at the end, so a failed run leaves the previous dist/ intact. Symlinks are resolved while
 * copying (a ZXP must not contain any). Usage: npm run build:dist
 */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/** Engine modules loaded at run time (see client/engine): copied with everything they depend on. */
const ENGINE_RUNTIME_DEPENDENCIES = ['onnxruntime-node', 'sharp', 'ag-psd'];
/** Loaded only when present (ffmpeg is also found via FFMPEG_PATH or PATH). */
const ENGINE_OPTIONAL_DEPENDENCIES = ['@ffmpeg-installer/ffmpeg', 'ffmpeg-static'];

interface Input {
  from: string;
  /** The command that produces it, for the error message. */
  madeBy: string;
}

const INPUTS: Record<string, Input> = {
  manifest: { from: 'CSXS/manifest.xml', madeBy: 'restore CSXS/manifest.xml from git' },
  debug: { from: '.debug', madeBy: 'restore .debug from git' },
  host: { from: 'build/host/anchorflow.jsx', madeBy: 'npm run build:host' },
  panel: { from: 'build/panel/index.html', madeBy: 'npm run build:panel' },
  engine: { from: 'build/client/engine/cli.js', madeBy: 'npm run build:engine' },
  engineBin: { from: 'bin/anchorflow.js', madeBy: 'restore bin/anchorflow.js from git' },
  models: { from: 'models/dist/manifest.json', madeBy: 'npm run build:models' },
};

export function checkInputs(root: string = ROOT): void {
  const missing: string[] = [];
  for (const input of Object.values(INPUTS)) {
    if (!fs.existsSync(path.join(root, input.from))) missing.push(`${input.from} is missing: run \`${input.madeBy}\``);
  }
  if (missing.length > 0) throw new Error(`Cannot assemble dist/: ${missing.join('; ')}.`);
}

/** Copies a file or folder, resolving symlinks into real files; `skip` filters by relative path. */
export function copyTree(from: string, to: string, skip: (relative: string) => boolean = () => false): void {
  fs.cpSync(from, to, {
    recursive: true,
    dereference: true,
    filter: (source) => !skip(path.relative(from, source)),
  });
}

const isSourceMap = (relative: string): boolean => relative.endsWith('.map');

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * Names of the packages the engine needs at run time, following dependencies and optional dependencies through
 * the hoisted node_modules. Optional ones that are not installed (other platforms' binaries) are left out.
 */
export function runtimeClosure(nodeModules: string, required: string[], optional: string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, isOptional: boolean): void => {
    if (found.has(name)) return;
    const dir = path.join(nodeModules, name);
    if (!fs.existsSync(path.join(dir, 'package.json'))) {
      if (isOptional) return;
      throw new Error(`Runtime dependency ${name} is not installed in ${nodeModules}: run \`npm ci\`.`);
    }
    found.add(name);
    const pkg = readPackage(dir);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      // A dependency nested in the package's own node_modules travels with the package folder.
      if (!fs.existsSync(path.join(dir, 'node_modules', dep))) visit(dep, false);
    }
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, true);
  };
  for (const name of required) visit(name, false);
  for (const name of optional) visit(name, true);
  return [...found].sort();
}

function engineManifest(rootPackage: PackageJson, installed: string[]): string {
  const pick = (names: string[]): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const name of names) if (installed.includes(name)) out[name] = readPackage(path.join(ROOT, 'node_modules', name)).version;
    return out;
  };
  const manifest = {
    name: 'anchorflow-engine',
    version: rootPackage.version,
    private: true,
    description: 'AnchorFlow engine process, started by the panel with Node >= 18.17 and spoken to over stdio.',
    bin: { anchorflow: 'bin/anchorflow.js' },
    engines: { node: '>=18.17' },
    dependencies: pick(ENGINE_RUNTIME_DEPENDENCIES),
    optionalDependencies: pick(ENGINE_OPTIONAL_DEPENDENCIES),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function readmeText(version: string): string {
  return `AnchorFlow ${version} - CEP extension for Premiere Pro and After Effects (2023 / 23.0 and later)

Contents
  CSXS/manifest.xml   extension manifest (hosts PPRO and AEFT, CEP 11+)
  .debug              remote-debug ports: Premiere http://localhost:8088, After Effects http://localhost:8089
  host/               ExtendScript host (anchorflow.jsx) and the Premiere PNG-sequence export preset
  panel/              the panel (HTML/JS)
  engine/             the engine process (run with Node.js >= 18.17) with its models and dependencies

Development install (unsigned)
  Copy this folder into your per-user CEP extensions folder (npm run dev:install does it and prints the steps):
    macOS:   ~/Library/Application Support/Adobe/CEP/extensions/com.anchorflow.panel
    Windows: %APPDATA%\\Adobe\\CEP\\extensions\\com.anchorflow.panel
  and set PlayerDebugMode to 1 for CSXS.11 and CSXS.12. Then restart the app and open Window > Extensions (Extensions (Legacy) in 2025+) >
  AnchorFlow. The path must not contain '#'.

Signed install
  npm run package -- --platform darwin-arm64|win32-x64|win32-arm64 makes a self-signed ZXP for one platform.
`;
}

export function buildDist(): string {
  checkInputs();
  const rootPackage = readPackage(ROOT);
  const staging = `${DIST}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });

  copyTree(path.join(ROOT, 'CSXS'), path.join(staging, 'CSXS'));
  fs.copyFileSync(path.join(ROOT, '.debug'), path.join(staging, '.debug'));
  copyTree(path.join(ROOT, 'build', 'host'), path.join(staging, 'host'), (rel) => rel.endsWith('.tmp'));
  copyTree(path.join(ROOT, 'build', 'panel'), path.join(staging, 'panel'), isSourceMap);

  const engine = path.join(staging, 'engine');
  copyTree(path.join(ROOT, 'bin'), path.join(engine, 'bin'));
  // bin/anchorflow.js loads ../build/client/engine/cli.js; the engine finds models in the nearest models/dist.
  copyTree(path.join(ROOT, 'build', 'client'), path.join(engine, 'build', 'client'), isSourceMap);
  if (fs.existsSync(path.join(ROOT, 'build', 'models'))) {
    copyTree(path.join(ROOT, 'build', 'models'), path.join(engine, 'build', 'models'), isSourceMap);
  }
  copyTree(path.join(ROOT, 'models', 'dist'), path.join(engine, 'models', 'dist'));
  const nodeModules = path.join(ROOT, 'node_modules');
  const packages = runtimeClosure(nodeModules, ENGINE_RUNTIME_DEPENDENCIES, ENGINE_OPTIONAL_DEPENDENCIES);
  for (const name of packages) copyTree(path.join(nodeModules, name), path.join(engine, 'node_modules', name));
  fs.writeFileSync(path.join(engine, 'package.json'), engineManifest(rootPackage, packages));
  fs.writeFileSync(path.join(staging, 'README.txt'), readmeText(rootPackage.version));

  fs.rmSync(DIST, { recursive: true, force: true });
  fs.renameSync(staging, DIST);
  return DIST;
}

function main(): void {
  try {
    const out = buildDist();
    console.log(`Extension folder assembled: ${path.relative(process.cwd(), out) || out}`);
  } catch (error) {
    console.error(`build:dist: ${(error as Error).message}`);
    process.exit(1);
  }
}

// Run only as a script (tsx), not when a test imports the helpers.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) main();
