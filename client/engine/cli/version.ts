import { readFileSync } from 'fs';
import * as path from 'path';

/** AnchorFlow's package root, found by walking up to its package.json (works from client/ and from build/). */
export function packageRoot(): string | null {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'anchorflow') return dir;
    } catch {
      // no package.json here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function packageVersion(): string {
  const root = packageRoot();
  if (!root) return 'unknown';
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export interface ModelsSummary {
  manifest: string;
  found: boolean;
  opset?: number;
  models?: { name: string; stage: string; sha256: string }[];
  hint?: string;
}

/** What the panel's "ping" shows about the models: which stages, which content hashes (short). */
export function modelsSummary(): ModelsSummary {
  const root = packageRoot() ?? process.cwd();
  const manifest = path.join(root, 'models', 'dist', 'manifest.json');
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as {
      opset?: number;
      models?: { name: string; stage: string; sha256: string }[];
    };
    return {
      manifest,
      found: true,
      opset: parsed.opset,
      models: (parsed.models ?? []).map((m) => ({ name: m.name, stage: m.stage, sha256: String(m.sha256).slice(0, 12) })),
    };
  } catch {
    return { manifest, found: false, hint: 'run `npm run build:models`' };
  }
}
