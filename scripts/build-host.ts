/**
 * Builds the ExtendScript host: type-check host/ with tsc, compile each module with Babel 7 to ES3-parseable code,
 * and bundle them into one build/host/anchorflow.jsx that works in both Premiere Pro and After Effects.
 *
 * Why a bundler of our own: ExtendScript has no module loader, TypeScript can no longer emit ES3, and the usual
 * bundlers add runtime code that uses ES5 built-ins (Object.defineProperty, Array.prototype.forEach). Babel turns
 * each module into CommonJS; this script wraps each one in a factory and adds a ten-line `require`. The result is
 * checked with acorn at ecmaVersion 3 before it is written.
 *
 * Usage: npm run build:host [-- --skip-typecheck]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'acorn';

/** The slice of @babel/core used here (its typings, @types/babel__core, are not installed). */
interface BabelCore {
  transformFileSync(file: string, options: Record<string, unknown>): { code?: string | null } | null;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transformFileSync } = require('@babel/core') as BabelCore;

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'build', 'host');
const HOST_BUNDLE = path.join(OUT_DIR, 'anchorflow.jsx');

/** App modules register themselves; the entry point installs the namespace. Order = load order. */
const ENTRY_MODULES = ['host/aeft/index.ts', 'host/ppro/index.ts', 'host/index.ts'];
/** One tsc program per app because the After Effects and Premiere typings cannot be loaded together. */
const TYPECHECK_PROJECTS = ['host/tsconfig.json', 'host/aeft/tsconfig.json', 'host/ppro/tsconfig.json'];
const PRESETS_DIR = path.join(ROOT, 'host', 'presets');

function typecheck(): void {
  const tsc = require.resolve('typescript/bin/tsc');
  for (const project of TYPECHECK_PROJECTS) {
    const run = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, project)], { encoding: 'utf8' });
    if (run.status !== 0) {
      throw new Error(`Host type check failed (${project}):\n${run.stdout}${run.stderr}`);
    }
  }
}

function compileModule(file: string): string {
  const result = transformFileSync(file, {
    babelrc: false,
    configFile: false,
    sourceType: 'module',
    comments: false,
    presets: [
      // No targets: Babel 7 then lowers all syntax to ES5; loose CommonJS writes `exports.__esModule = true`
      // instead of Object.defineProperty, which ExtendScript lacks.
      ['@babel/preset-env', { modules: 'commonjs', loose: true, ignoreBrowserslistConfig: true, useBuiltIns: false }],
      ['@babel/preset-typescript', { onlyRemoveTypeImports: false }],
    ],
    // ES3 forbids reserved words as property names (x.default, { delete: 1 }): quote them.
    plugins: [
      '@babel/plugin-transform-member-expression-literals',
      '@babel/plugin-transform-property-literals',
      '@babel/plugin-transform-reserved-words',
    ],
  });
  if (!result || typeof result.code !== 'string') throw new Error(`Babel produced no output for ${file}`);
  return result.code;
}

function moduleId(file: string): string {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

function resolveImport(fromFile: string, specifier: string): string {
  if (!specifier.startsWith('.')) {
    throw new Error(`${moduleId(fromFile)} imports "${specifier}": host code may import only relative modules.`);
  }
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${moduleId(fromFile)}: cannot resolve "${specifier}"`);
}

interface CompiledModule {
  id: string;
  code: string;
}

/** Compiles the entries and everything they import, rewriting require("./x") to module ids. */
function compileGraph(entries: string[]): CompiledModule[] {
  const compiled = new Map<string, CompiledModule>();
  const visit = (file: string): void => {
    const id = moduleId(file);
    if (compiled.has(id)) return;
    compiled.set(id, { id, code: '' });
    const code = compileModule(file).replace(/\brequire\("([^"]+)"\)/g, (_match, specifier: string) => {
      const dependency = resolveImport(file, specifier);
      visit(dependency);
      return `__anchorflowRequire(${JSON.stringify(moduleId(dependency))})`;
    });
    compiled.set(id, { id, code });
  };
  for (const entry of entries) visit(path.join(ROOT, entry));
  return [...compiled.values()];
}

function indent(code: string): string {
  return code
    .split('\n')
    .map((line) => (line ? `    ${line}` : line))
    .join('\n');
}

function bundle(modules: CompiledModule[], entries: string[]): string {
  const factories = modules
    .map((mod) => `  modules[${JSON.stringify(mod.id)}] = function (module, exports) {\n${indent(mod.code)}\n  };`)
    .join('\n');
  const starts = entries.map((entry) => `  __anchorflowRequire(${JSON.stringify(entry)});`).join('\n');
  return `/*
 * AnchorFlow ExtendScript host for Premiere Pro and After Effects.
 * GENERATED by scripts/build-host.ts from host/*.ts - do not edit. ES3 only (checked with acorn at build time).
 */
(function () {
  var modules = {};
  var cache = {};
  function __anchorflowRequire(id) {
    if (cache.hasOwnProperty(id)) return cache[id].exports;
    var module = { exports: {} };
    cache[id] = module;
    modules[id](module, module.exports);
    return module.exports;
  }
${factories}
${starts}
})();
`;
}

/** Throws when the bundle is not ES3 (reserved words as property names count as errors, as in ExtendScript). */
function assertEs3(source: string, label: string): void {
  try {
    // allowReserved: false only forbids reserved words as identifiers; 'never' also forbids them as property
    // names (x.default, { class: 1 }), which ExtendScript's ES3 parser rejects.
    parse(source, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' });
  } catch (error) {
    throw new Error(`${label} is not valid ES3: ${(error as Error).message}`);
  }
}

function buildHost(options: { typecheck: boolean }): string {
  if (options.typecheck) typecheck();
  const source = bundle(compileGraph(ENTRY_MODULES), ENTRY_MODULES);
  assertEs3(source, 'The host bundle');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const temp = `${HOST_BUNDLE}.tmp`;
  fs.writeFileSync(temp, source);
  fs.renameSync(temp, HOST_BUNDLE);
  fs.cpSync(PRESETS_DIR, path.join(OUT_DIR, 'presets'), { recursive: true });
  return HOST_BUNDLE;
}

function main(): void {
  const skipTypecheck = process.argv.includes('--skip-typecheck');
  try {
    const out = buildHost({ typecheck: !skipTypecheck });
    console.log(`Host bundle written: ${path.relative(ROOT, out)} (${fs.statSync(out).size} bytes, ES3 checked)`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

main();
