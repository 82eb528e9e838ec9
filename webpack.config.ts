/**
 * Two bundles for the CEP panel (`npm run build:panel`, loaded through tsx so this file can stay TypeScript):
 *
 * 1. The React UI for CEP's Chromium 88 (CEP 11; CEP 12 has Chromium 99) → build/panel/{index.html, main.js, styles.css}.
 * 2. The panel's Node side (client/panel-node/index.ts, exporting `createServices`) as CommonJS for CEP's embedded
 *    Node 15.9 / 17.7 → build/panel/node/services.js. Only Node builtins stay external (plus chokidar's macOS-only
 *    native `fsevents`, which it loads inside a try/catch).
 *
 * Both go through Babel (preset-env with explicit targets) so nothing newer than those runtimes reaches them.
 */
import path from 'path';
import fs from 'fs';
import webpack, { type Configuration } from 'webpack';

const root = __dirname;
const outDir = path.join(root, 'build', 'panel');
const panelDir = path.join(root, 'client', 'panel');

function babelRule(targets: Record<string, string>, include: string[]): webpack.RuleSetRule {
  return {
    test: /\.[cm]?[jt]sx?$/,
    include,
    use: {
      loader: 'babel-loader',
      options: {
        babelrc: false,
        configFile: false,
        cacheDirectory: path.join(root, 'node_modules', '.cache', 'babel-loader'),
        sourceType: 'unambiguous',
        presets: [
          ['@babel/preset-env', { targets, modules: false, bugfixes: true }],
          ['@babel/preset-react', { runtime: 'automatic' }],
          ['@babel/preset-typescript', { allowDeclareFields: true }],
        ],
      },
    },
  };
}

/** Emits the static page and stylesheet next to main.js, and rebuilds on their change in watch mode. */
class StaticFilesPlugin {
  constructor(private readonly files: string[]) {}
  apply(compiler: webpack.Compiler): void {
    compiler.hooks.thisCompilation.tap('StaticFilesPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'StaticFilesPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const file of this.files) {
          const source = path.join(panelDir, file);
          compilation.fileDependencies.add(source);
          compilation.emitAsset(file, new webpack.sources.RawSource(fs.readFileSync(source)));
        }
      });
    });
  }
}

const sharedResolve: Configuration['resolve'] = { extensions: ['.tsx', '.ts', '.js', '.json'] };

function panelConfig(mode: 'production' | 'development'): Configuration {
  return {
    name: 'panel',
    mode,
    target: ['web', 'es2020'],
    entry: path.join(panelDir, 'index.tsx'),
    output: { path: outDir, filename: 'main.js', clean: { keep: /^node\// } },
    devtool: 'source-map',
    resolve: sharedResolve,
    module: {
      // React's published builds are transpiled too: cheap insurance against syntax newer than Chromium 88.
      rules: [babelRule({ chrome: '88' }, [path.join(root, 'client'), path.join(root, 'node_modules', 'react'), path.join(root, 'node_modules', 'react-dom'), path.join(root, 'node_modules', 'scheduler')])],
    },
    plugins: [new StaticFilesPlugin(['index.html', 'styles.css'])],
    performance: { hints: false },
  };
}

function panelNodeConfig(mode: 'production' | 'development'): Configuration {
  return {
    name: 'panel-node',
    mode,
    target: 'node15',
    entry: path.join(root, 'client', 'panel-node', 'index.ts'),
    output: { path: path.join(outDir, 'node'), filename: 'services.js', library: { type: 'commonjs2' }, clean: true },
    devtool: 'source-map',
    resolve: sharedResolve,
    externals: { fsevents: 'commonjs fsevents' },
    externalsPresets: { node: true },
    // Readable stack traces from inside the panel matter more than a few kB.
    optimization: { minimize: false },
    node: { __dirname: false, __filename: false },
    module: { rules: [babelRule({ node: '15.8' }, [path.join(root, 'client')])] },
    plugins: [
      // Node 15 has no `node:` scheme for require (added in 16.0 / 14.18): strip it from any dependency.
      new webpack.NormalModuleReplacementPlugin(/^node:/, (resource: { request: string }) => {
        resource.request = resource.request.replace(/^node:/, '');
      }),
    ],
    performance: { hints: false },
  };
}

export default (_env: unknown, argv: { mode?: 'production' | 'development' }): Configuration[] => {
  const mode = argv.mode ?? 'production';
  return [panelConfig(mode), panelNodeConfig(mode)];
};
