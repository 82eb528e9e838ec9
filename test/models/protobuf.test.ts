/**
 * Our protobuf writer and graph DSL: deterministic bytes, every registry model loads in onnxruntime with the
 * manifest's names and ranks, and attributes of each kind are encoded as ONNX expects (checked both by decoding
 * the bytes with a separate minimal protobuf reader and by running ops whose result depends on the attribute).
 */
import { createHash } from 'crypto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildAllModels } from '../../models/src/manifest';
import { Graph, IR_VERSION, OPSET } from '../../models/src/onnx/graph';
import { buildModel, MODEL_NAMES } from '../../models/src/registry';
import { randomPlanes, runGraph, seeded, sessionOf } from './helpers';

/** A minimal protobuf reader: field number → list of raw values (bigint varints, fixed32 bytes, length-delimited bytes). */
type Field = { wire: 0; value: bigint } | { wire: 5; bytes: Uint8Array } | { wire: 2; bytes: Uint8Array };

function decode(buf: Uint8Array): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    let value: Field;
    if (wire === 0) value = { wire: 0, value: varint() };
    else if (wire === 5) value = { wire: 5, bytes: buf.slice(pos, (pos += 4)) };
    else if (wire === 2) {
      const length = Number(varint());
      value = { wire: 2, bytes: buf.slice(pos, (pos += length)) };
    } else throw new Error(`unexpected wire type ${wire} at ${pos}`);
    if (!fields.has(field)) fields.set(field, []);
    fields.get(field)!.push(value);
  }
  return fields;
}

const text = (f: Field) => new TextDecoder().decode((f as { bytes: Uint8Array }).bytes);
const sub = (f: Field) => decode((f as { bytes: Uint8Array }).bytes);
const int = (f: Field) => BigInt.asIntN(64, (f as { value: bigint }).value);

describe('model bytes', () => {
  it('are deterministic: building twice gives identical bytes and the manifest hash', () => {
    const first = buildAllModels();
    const second = buildAllModels();
    expect(first.map((m) => m.entry.name)).toEqual([...MODEL_NAMES]);
    for (let i = 0; i < first.length; i++) {
      expect(Buffer.compare(Buffer.from(first[i].bytes), Buffer.from(second[i].bytes)), first[i].entry.name).toBe(0);
      const sha = createHash('sha256').update(first[i].bytes).digest('hex');
      expect(first[i].entry.sha256).toBe(sha);
      expect(first[i].entry.bytes).toBe(first[i].bytes.length);
      // And the same as building the one model from the registry directly.
      expect(createHash('sha256').update(buildModel(first[i].entry.name).toBytes()).digest('hex')).toBe(sha);
    }
  });

  it('declare IR version 8 and opset 17 (default domain)', () => {
    const model = decode(buildModel('chain').toBytes());
    expect(int(model.get(1)![0])).toBe(BigInt(IR_VERSION));
    const opset = sub(model.get(8)![0]);
    expect(text(opset.get(1)![0])).toBe('');
    expect(int(opset.get(2)![0])).toBe(BigInt(OPSET));
    expect([IR_VERSION, OPSET]).toEqual([8, 17]);
  });
});

/** Concrete sizes for the manifest's symbolic dims (sides multiples of 8 for the 4-level pyramid). */
// hb × wb: the transfer model's box of the flow grid (smaller than h × w, as the pipeline cuts it).
const DIMS: Record<string, number> = { H: 32, W: 48, h: 16, w: 24, hb: 10, wb: 14 };

describe('every registry model loads in onnxruntime and follows its manifest entry', () => {
  it.each(buildAllModels().map((m) => [m.entry.name, m] as const))('%s', async (_name, model) => {
    const session = await sessionOf(model.bytes);
    try {
      const { entry } = model;
      expect(session.inputNames).toEqual(entry.inputs.map((v) => v.name));
      expect(session.outputNames).toEqual(entry.outputs.map((v) => v.name));
      entry.inputs.forEach((spec, k) => {
        const meta = session.inputMetadata[k];
        expect(meta.isTensor && meta.shape).toEqual(spec.shape);
      });
      // Run at concrete sizes: every output has the rank and size the manifest promises.
      const random = seeded(3);
      const feeds: Record<string, ort.Tensor> = {};
      for (const spec of entry.inputs) {
        const dims = spec.shape.map((d) => (typeof d === 'number' ? d : DIMS[d]));
        const size = dims.reduce((a, b) => a * b, 1);
        feeds[spec.name] = new ort.Tensor('float32', Float32Array.from({ length: size }, () => random()), dims);
      }
      const out = await session.run(feeds);
      for (const spec of entry.outputs) {
        expect(out[spec.name].dims, spec.name).toEqual(spec.shape.map((d) => (typeof d === 'number' ? d : DIMS[d])));
        expect(Array.from(out[spec.name].data as Float32Array).every(Number.isFinite), `${spec.name} finite`).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});

function attributesOf(graph: Graph): Map<string, Map<number, Field[]>> {
  const graphProto = sub(decode(graph.toBytes()).get(7)![0]);
  const attrs = new Map<string, Map<number, Field[]>>();
  for (const node of graphProto.get(1) ?? []) {
    for (const attr of sub(node).get(5) ?? []) {
      const fields = sub(attr);
      attrs.set(text(fields.get(1)![0]), fields);
    }
  }
  return attrs;
}

describe('attribute encoding', () => {
  it('writes floats as FLOAT (fixed32, type 1), ints as INT (varint, type 2, negatives as 64-bit two\'s complement)', () => {
    const g = new Graph('attrs');
    const x = g.input('x', [1, 1, 2, 2]);
    g.output('y', g.op('LeakyRelu', [g.op('Concat', [x, x], { axis: -1 })], { alpha: { float: 0.5 } }), [1, 1, 2, 4]);
    const attrs = attributesOf(g);
    const alpha = attrs.get('alpha')!;
    expect(int(alpha.get(20)![0])).toBe(1n);
    const bytes = (alpha.get(2)![0] as { bytes: Uint8Array }).bytes;
    expect(new DataView(bytes.buffer, bytes.byteOffset, 4).getFloat32(0, true)).toBe(0.5);
    const axis = attrs.get('axis')!;
    expect(int(axis.get(20)![0])).toBe(2n);
    expect(int(axis.get(3)![0])).toBe(-1n);
  });

  it('LeakyRelu alpha {float: 0.5} and Concat axis -1 run as written', async () => {
    const g = new Graph('leaky');
    const x = g.input('x', [1, 1, 2, 2]);
    g.output('y', g.op('LeakyRelu', [g.op('Concat', [x, x], { axis: -1 })], { alpha: { float: 0.5 } }), [1, 1, 2, 4]);
    const { y } = await runGraph(g, { x: { data: Float32Array.of(-2, 4, -6, 8), channels: 1, width: 2, height: 2 } });
    expect(y.dims).toEqual([1, 1, 2, 4]);
    expect(Array.from(y.data)).toEqual([-1, 4, -1, 4, -3, 8, -3, 8]);
  });

  it('a float attribute written as an int is refused by onnxruntime (the distinction is real)', async () => {
    const g = new Graph('wrong');
    const x = g.input('x', [1, 1, 2, 2]);
    g.output('y', g.op('LeakyRelu', [x], { alpha: 1 }), [1, 1, 2, 2]);
    await expect(sessionOf(g.toBytes())).rejects.toThrow(/alpha|attribute|type/i);
  });

  it('Clip bounds, int lists, strings, floats and tensor attributes all work', async () => {
    const g = new Graph('kinds');
    const x = g.input('x', [1, 1, 4, 4]);
    // Clip (opset ≥ 11 takes min/max as scalar inputs)
    g.output('clipped', g.clip(x, -0.5, 0.25), [1, 1, 4, 4]);
    // int list + int: AveragePool kernel 3, count_include_pad 0 → corner = mean of 4 values
    g.output('pooled', g.box(x, 1), [1, 1, 4, 4]);
    // string: Pad mode 'reflect'
    g.output('padded', g.op('Pad', [x, g.ints([0, 0, 0, 1, 0, 0, 0, 0])], { mode: 'reflect' }), [1, 1, 4, 5]);
    // floats: Constant value_floats; tensor: Constant value
    g.output('floats', g.op('Constant', [], { value_floats: { floats: [0.25, -1.5] } }), [2]);
    g.output('tensor', g.op('Constant', [], { value: { tensor: { dims: [1, 2], dataType: 1, data: Float32Array.of(3.5, -0.125) } } }), [1, 2]);
    const data = randomPlanes(seeded(9), 1, 4, 4, -1, 1);
    const out = await runGraph(g, { x: data });
    expect(Array.from(out.clipped.data)).toEqual(Array.from(data.data, (v) => Math.min(0.25, Math.max(-0.5, v))));
    expect(out.pooled.data[0]).toBeCloseTo((data.data[0] + data.data[1] + data.data[4] + data.data[5]) / 4, 6);
    expect(out.padded.dims).toEqual([1, 1, 4, 5]);
    expect(out.padded.data[0]).toBe(data.data[1]); // reflect: column −1 mirrors column 1
    expect(Array.from(out.floats.data)).toEqual([0.25, -1.5]);
    expect(Array.from(out.tensor.data)).toEqual([3.5, -0.125]);
  });
});
