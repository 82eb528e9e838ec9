import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { MAIN_HELP, PROPAGATE_HELP } from '../../client/engine/cli/help';
import { tempDir } from '../io/fixtures';
import { REPO, runCli } from './helpers';

const docs = readFileSync(path.join(REPO, 'docs/cli.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };

describe('help and version', () => {
  it('--version prints the package version', async () => {
    const run = await runCli(['--version']);
    expect([run.code, run.stdout]).toEqual([0, `${pkg.version}\n`]);
  });

  it('--help and propagate --help print the texts, exit 0', async () => {
    const main = await runCli(['--help']);
    expect([main.code, main.stdout]).toEqual([0, MAIN_HELP]);
    const propagate = await runCli(['propagate', '--help']);
    expect([propagate.code, propagate.stdout]).toEqual([0, PROPAGATE_HELP]);
  });

  it('every option the parser knows is in --help and in docs/cli.md, and nothing else is', () => {
    const source = readFileSync(path.join(REPO, 'client/engine/cli/args.ts'), 'utf8');
    const block = source.slice(source.indexOf('const OPTIONS'), source.indexOf('} as const'));
    const parsed = [...block.matchAll(/^\s+(\w+): \{ type:/gm)].map((m) => `--${m[1]}`).sort();
    const documented = (text: string) => [...new Set(text.match(/--[a-z]+(?=[\s\]|`<=,])/g))].sort();
    const inHelp = documented(PROPAGATE_HELP).filter((o) => o !== '--version');
    expect(inHelp).toEqual(parsed);
    for (const option of parsed) expect(docs, option).toContain(`\`${option}`);
    for (const device of ['auto', 'cpu', 'webgpu', 'dml', 'coreml', 'cuda']) expect(PROPAGATE_HELP).toContain(device);
  });

  it('an unknown command exits 2 with one line', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bin/anchorflow.js says how to build when build/ is missing', () => {
    const fake = tempDir('bin');
    mkdirSync(path.join(fake, 'bin'));
    cpSync(path.join(REPO, 'bin/anchorflow.js'), path.join(fake, 'bin/anchorflow.js'));
    writeFileSync(path.join(fake, 'package.json'), '{"name":"anchorflow"}');
    const run = spawnSync(process.execPath, [path.join(fake, 'bin/anchorflow.js'), '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`anchorflow: the engine is not built yet; run \`npm run build:engine\` in ${fake} first.\n`);
  });
});
