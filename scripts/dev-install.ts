/**
 * Development install: copies dist/ into the per-user CEP extensions folder and prints how to allow unsigned
 * extensions (PlayerDebugMode) for CSXS 11 (2023-2024 apps) and CSXS 12 (2025 and later).
 *
 *   npm run dev:install                 macOS / Windows: the per-user extensions folder
 *   npm run dev:install -- --target DIR install into DIR instead (any OS; Linux has no Adobe apps, so this is
 *                                       the only way there, e.g. for testing the copy)
 *
 * The previous install is replaced only after the new copy is complete.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { copyTree, DIST } from './build-dist';

export const EXTENSION_ID = 'com.anchorflow.panel';
const CSXS_VERSIONS = ['11', '12'];

/** The per-user CEP extensions folder for a platform, or null where no Adobe app runs. */
export function userExtensionsFolder(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string | null {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Adobe', 'CEP', 'extensions');
  if (platform === 'win32') {
    const appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Adobe', 'CEP', 'extensions');
  }
  return null;
}

/** CEP fails to load extensions from a path containing '#'. */
export function assertInstallablePath(target: string): void {
  if (target.includes('#')) {
    throw new Error(`CEP cannot load an extension from a path containing '#': ${target}. Choose a folder without '#'.`);
  }
}

export function playerDebugModeSteps(platform: NodeJS.Platform): string {
  if (platform === 'darwin') {
    return [
      'Allow unsigned extensions (once per CSXS version), then restart Premiere Pro / After Effects:',
      ...CSXS_VERSIONS.map((v) => `  defaults write com.adobe.CSXS.${v} PlayerDebugMode 1`),
      '  (if the panel still does not appear: killall cfprefsd, then restart the app)',
    ].join('\n');
  }
  if (platform === 'win32') {
    return [
      'Allow unsigned extensions (once per CSXS version), then restart Premiere Pro / After Effects:',
      ...CSXS_VERSIONS.map((v) => `  reg add HKCU\\Software\\Adobe\\CSXS.${v} /v PlayerDebugMode /t REG_SZ /d 1 /f`),
    ].join('\n');
  }
  return [
    'No Adobe app runs on this OS. On the Mac or PC that runs Premiere Pro / After Effects, set PlayerDebugMode = 1 for',
    `CSXS ${CSXS_VERSIONS.join(' and ')}:`,
    ...CSXS_VERSIONS.map((v) => `  macOS:   defaults write com.adobe.CSXS.${v} PlayerDebugMode 1`),
    ...CSXS_VERSIONS.map((v) => `  Windows: reg add HKCU\\Software\\Adobe\\CSXS.${v} /v PlayerDebugMode /t REG_SZ /d 1 /f`),
  ].join('\n');
}

export interface InstallOptions {
  /** Folder holding extensions (the extension goes into <folder>/com.anchorflow.panel). */
  extensionsFolder: string;
  source?: string;
}

/** Copies the extension into place (temp copy then rename, so a failed copy keeps the previous install). */
export function installExtension(options: InstallOptions): string {
  const source = options.source ?? DIST;
  if (!fs.existsSync(path.join(source, 'CSXS', 'manifest.xml'))) {
    throw new Error(`${source} is not a built extension: run \`npm run build\` first.`);
  }
  const target = path.join(options.extensionsFolder, EXTENSION_ID);
  assertInstallablePath(target);
  fs.mkdirSync(options.extensionsFolder, { recursive: true });
  const partial = `${target}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  copyTree(source, partial);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(partial, target);
  return target;
}

function parseTarget(argv: string[]): string | null {
  const at = argv.indexOf('--target');
  if (at < 0) return null;
  const value = argv[at + 1];
  if (!value) throw new Error('--target needs a folder: npm run dev:install -- --target DIR');
  return path.resolve(value);
}

function main(): void {
  try {
    const explicit = parseTarget(process.argv.slice(2));
    const folder = explicit ?? userExtensionsFolder(process.platform, process.env, os.homedir());
    if (!folder) {
      throw new Error(
        `No Adobe app runs on ${process.platform}, so there is no CEP extensions folder here. ` +
          'Use --target DIR to test the copy, and install on macOS or Windows.',
      );
    }
    const installed = installExtension({ extensionsFolder: folder });
    console.log(`Installed AnchorFlow into ${installed}\n`);
    console.log(playerDebugModeSteps(process.platform));
    console.log('\nThen open Window > Extensions (Legacy on 2025+) > AnchorFlow. Debug: Premiere http://localhost:8088, After Effects http://localhost:8089.');
  } catch (error) {
    console.error(`dev:install: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) main();
