/**
 * The one native loader: finds the model files, checks them against the manifest contract, picks an execution
 * provider (proving a GPU provider with the self-test graph before trusting it) and opens one session per model.
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { DeviceName } from '../../shared/protocol';
import { InputError } from '../errors';
import type { Manifest, ModelName } from '../../../models/src/registry';
import { MODEL_NAMES } from '../../../models/src/registry';
import { buildAllModels, manifestOf } from '../../../models/src/manifest';
import { disableOrtTelemetry } from './ort-telemetry';

type Ort = typeof import('onnxruntime-node');
export type Session = import('onnxruntime-node').InferenceSession;

/** Sessions for some of the models. */
export interface SessionSet<N extends ModelName = ModelName> {
  ort: Ort;
  /** Model `name`'s session (opened on first use if it was opened lazily). */
  session(name: N): Promise<Session>;
  /** Execution provider actually used. */
  device: string;
  manifest: Manifest;
  release(): Promise<void>;
}

export type ModelSet = SessionSet<ModelName>;

export interface LoadOptions<N extends ModelName> {
  /** Open only these models (a helper thread needs few); all by default. */
  only?: readonly N[];
  /** Intra-op threads per session; onnxruntime's default (one per core) when absent. */
  threads?: number;
  /** Intra-op threads for particular models, over `threads`. */
  threadsByModel?: Partial<Record<N, number>>;
  /**
   * Models opened only when first used: a session can take ~0.4 s to create, and a model that a run may never need
   * (the pipeline's re-acquisition search) should not hold up the start.
   */
  lazy?: readonly N[];
}

function loadOrt(): Ort {
  disableOrtTelemetry();
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require('onnxruntime-node') as Ort;
  } catch (error) {
    throw new Error(
      `onnxruntime-node could not be loaded (${(error as Error).message.split('\n')[0]}). ` +
        'Reinstall with `ONNXRUNTIME_NODE_INSTALL=skip npm ci` on Node >= 18.17 for this platform.',
    );
  }
}

/** ANCHORFLOW_MODELS, else the nearest models/dist above this file (source tree, build/ or an installed dist/). */
export function findModelDir(): string | null {
  if (process.env.ANCHORFLOW_MODELS) return process.env.ANCHORFLOW_MODELS;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'models', 'dist');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

interface ModelBytes {
  manifest: Manifest;
  bytes: Record<ModelName, Uint8Array>;
}

function readModels(names: readonly ModelName[]): ModelBytes {
  const dir = findModelDir();
  if (!dir) {
    // No built files (e.g. running from source): the graphs are generated code, so build them in memory.
    const built = buildAllModels();
    const bytes = Object.fromEntries(built.map((m) => [m.entry.name, m.bytes])) as Record<ModelName, Uint8Array>;
    return { manifest: manifestOf(built), bytes };
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const bytes = {} as Record<ModelName, Uint8Array>;
  // The self-test graph comes too: a GPU provider is proven with it before any model is trusted to it.
  for (const name of new Set<ModelName>([...names, 'selftest'])) {
    const entry = manifest.models.find((m) => m.name === name);
    if (!entry) throw new Error(`Model manifest ${join(dir, 'manifest.json')} has no "${name}" model; rebuild with \`npm run build:models\`.`);
    const file = join(dir, entry.file);
    if (!existsSync(file)) throw new Error(`Model file ${file} is missing; rebuild with \`npm run build:models\`.`);
    bytes[name] = readFileSync(file);
  }
  return { manifest, bytes };
}

/** A replaced model must keep the contract: the same input and output names as the manifest says. */
function checkContract(name: ModelName, session: Session, manifest: Manifest): void {
  const entry = manifest.models.find((m) => m.name === name)!;
  const missingIn = entry.inputs.map((v) => v.name).filter((n) => !session.inputNames.includes(n));
  const missingOut = entry.outputs.map((v) => v.name).filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    throw new Error(
      `Model "${name}" does not follow the model contract (missing inputs: ${missingIn.join(', ') || 'none'}; ` +
        `missing outputs: ${missingOut.join(', ') || 'none'}); see models/dist/manifest.json.`,
    );
  }
}

const PROVIDER_OF: Record<Exclude<DeviceName, 'auto'>, string> = {
  cpu: 'cpu',
  webgpu: 'webgpu',
  dml: 'dml',
  coreml: 'coreml',
  cuda: 'cuda',
};

/** Linux WebGPU (Dawn) runs on Vulkan: without a Vulkan loader the probe can only fail (noisily). */
function hasVulkanLoader(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')));
}

/** GPU providers worth trying on this platform, best first: only those whose binaries the package ships. */
function autoCandidates(ort: Ort): { candidates: Array<Exclude<DeviceName, 'auto'>>; skipped: string[] } {
  const wanted: Array<Exclude<DeviceName, 'auto'>> =
    process.platform === 'win32' ? ['dml', 'webgpu'] : process.platform === 'darwin' ? ['coreml', 'webgpu'] : ['cuda', 'webgpu'];
  const listed = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]));
  const skipped: string[] = [];
  const candidates = wanted.filter((name) => {
    if (listed.get(PROVIDER_OF[name]) === false) {
      skipped.push(`${name}: not bundled in this onnxruntime-node build (use --device ${name} to try it anyway)`);
      return false;
    }
    if (name === 'webgpu' && process.platform === 'linux' && !hasVulkanLoader()) {
      skipped.push('webgpu: no Vulkan loader (libvulkan.so.1) on this machine');
      return false;
    }
    return true;
  });
  return { candidates, skipped };
}

function sessionOptions(provider: string, quiet = false, threads?: number): import('onnxruntime-node').InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    ...(threads ? { intraOpNumThreads: threads } : {}),
    // Errors only; a probe that is expected to fail on some machines logs nothing at all.
    logSeverityLevel: quiet ? 4 : 3,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Measured: 'parallel' is slower; spinning burns CPU the host app needs for nothing.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/** Runs the self-test graph on `provider` and compares with the exact answer; returns why it failed, or null. */
async function selfTest(ort: Ort, provider: string, bytes: Uint8Array): Promise<string | null> {
  try {
    const session = await ort.InferenceSession.create(bytes, sessionOptions(provider, true));
    const [h, w] = [8, 8];
    const x = Float32Array.from({ length: h * w }, (_, i) => i / 64);
    const flow = new Float32Array(2 * h * w).fill(1); // shift by one pixel right and down
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, 1, h, w]), flow: new ort.Tensor('float32', flow, [1, 2, h, w]) });
    const y = out.y.data as Float32Array;
    const expected = x[1 * w + 1] + 1;
    await session.release();
    if (Math.abs(y[0] - expected) > 1e-3) return `self-test result ${y[0].toFixed(4)} ≠ ${expected.toFixed(4)}`;
    return null;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/**
 * The execution provider `device` stands for here: for `auto`, the first GPU provider that passes the self-test, else
 * the CPU (with a one-line reason); an explicit GPU device must pass the self-test too.
 */
export async function chooseProvider(device: DeviceName, warn: (message: string) => void): Promise<string> {
  if (device === 'cpu') return 'cpu';
  const ort = loadOrt();
  const { bytes } = readModels([]);
  if (device !== 'auto') {
    const failure = await selfTest(ort, PROVIDER_OF[device], bytes.selftest);
    if (failure) throw new InputError(`--device ${device} is not usable here (${failure}); use --device auto or cpu.`);
    return PROVIDER_OF[device];
  }
  const { candidates, skipped } = autoCandidates(ort);
  const reasons: string[] = [...skipped];
  for (const candidate of candidates) {
    const failure = await selfTest(ort, PROVIDER_OF[candidate], bytes.selftest);
    if (!failure) return PROVIDER_OF[candidate];
    reasons.push(`${candidate}: ${failure}`);
  }
  warn(`Using the CPU (no GPU provider passed its self-test: ${reasons.join('; ')}).`);
  return 'cpu';
}

/** Opens sessions on `provider` (from chooseProvider) for every model, or for `options.only`. */
export function openModels(provider: string, options?: Omit<LoadOptions<ModelName>, 'only'>): Promise<ModelSet>;
export function openModels<N extends ModelName>(provider: string, options: LoadOptions<N>): Promise<SessionSet<N>>;
export async function openModels<N extends ModelName>(provider: string, options: LoadOptions<N> = {}): Promise<SessionSet<N>> {
  const ort = loadOrt();
  const names = (options.only ?? MODEL_NAMES) as readonly N[];
  const { manifest, bytes } = readModels(names);
  const sessions = new Map<N, Promise<Session>>();
  const open = (name: N): Promise<Session> => {
    let opened = sessions.get(name);
    if (!opened) {
      opened = ort.InferenceSession.create(bytes[name], sessionOptions(provider, false, options.threadsByModel?.[name] ?? options.threads)).then((session) => {
        checkContract(name, session, manifest);
        return session;
      });
      sessions.set(name, opened);
    }
    return opened;
  };
  // One at a time: creating sessions concurrently on one thread gains nothing and muddles the first error.
  for (const name of names) if (!options.lazy?.includes(name)) await open(name);
  return {
    ort,
    session(name) {
      if (!names.includes(name)) return Promise.reject(new Error(`model "${name}" was not opened in this session set`));
      return open(name);
    },
    device: provider,
    manifest,
    async release() {
      for (const opened of sessions.values()) await (await opened.catch(() => null))?.release();
    },
  };
}
