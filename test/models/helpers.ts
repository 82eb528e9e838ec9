/** Running small graphs in onnxruntime-node (CPU) and making seeded test inputs. */
import * as ort from 'onnxruntime-node';
import type { Graph } from '../../models/src/onnx/graph';
import type { Planes } from './reference';

/** Mulberry32: a tiny seeded generator, so every test input is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform random planes in [lo, hi). */
export function randomPlanes(random: () => number, channels: number, width: number, height: number, lo = 0, hi = 1): Planes {
  const data = new Float32Array(channels * width * height);
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
  return { data, channels, width, height };
}

/** Smooth random planes: a few random cosines per channel (a plausible flow or confidence field). */
export function smoothPlanes(random: () => number, channels: number, width: number, height: number, lo: number, hi: number): Planes {
  const data = new Float32Array(channels * width * height);
  for (let c = 0; c < channels; c++) {
    const waves = Array.from({ length: 3 }, () => ({ fx: random() * 0.3, fy: random() * 0.3, phase: random() * 6.28 }));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const s = waves.reduce((acc, w) => acc + Math.cos(w.fx * x + w.fy * y + w.phase), 0) / 3; // in [-1, 1]
        data[(c * height + y) * width + x] = lo + ((s + 1) / 2) * (hi - lo);
      }
    }
  }
  return { data, channels, width, height };
}

export function tensorOf(p: Planes): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(p.data), [1, p.channels, p.height, p.width]);
}

export async function sessionOf(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', executionMode: 'sequential' });
}

/** Builds, loads and runs a graph once; returns each output's data and dims. */
export async function runGraph(graph: Graph, feeds: Record<string, Planes | ort.Tensor>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await sessionOf(graph.toBytes());
  try {
    return await runSession(session, feeds);
  } finally {
    await session.release();
  }
}

export async function runSession(session: ort.InferenceSession, feeds: Record<string, Planes | ort.Tensor>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, value] of Object.entries(feeds)) tensors[name] = 'dims' in value ? value : tensorOf(value);
  const results = await session.run(tensors);
  const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [name, tensor] of Object.entries(results)) out[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
  return out;
}
