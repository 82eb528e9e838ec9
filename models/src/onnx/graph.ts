/**
 * A tiny typed DSL for writing ONNX graphs so stage code reads like math:
 *   const g = new Graph('flow'); const x = g.input('x', [1, 3, 'H', 'W']); g.output('y', g.op('Relu', [x]), [...])
 * Serialises to ModelProto bytes (IR 8, opset 17) with ProtoWriter.
 */
import { ProtoWriter } from './proto';

export const OPSET = 17;
export const IR_VERSION = 8;

export type Dim = number | string;
/** Numbers are int attributes unless wrapped as `{ float }` (ONNX distinguishes 1 from 1.0). */
export type AttrValue = number | string | number[] | { float: number } | { floats: number[] } | { tensor: ConstTensor };

interface ConstTensor {
  dims: number[];
  dataType: DataType;
  data: Float32Array | BigInt64Array;
}

export const enum DataType {
  Float = 1,
  Int64 = 7,
}

interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  name: string;
}

export interface ValueSpec {
  name: string;
  shape: Dim[];
  dataType: DataType;
}

export class Graph {
  readonly inputs: ValueSpec[] = [];
  readonly outputs: ValueSpec[] = [];
  private readonly nodes: NodeDef[] = [];
  private readonly initializers = new Map<string, ConstTensor>();
  /** Small constants by value: one initializer serves every use (fewer initializers, faster session creation). */
  private readonly smallConstants = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string, readonly docString = '') {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, shape: Dim[], dataType: DataType = DataType.Float): string {
    this.inputs.push({ name, shape, dataType });
    return name;
  }

  output(name: string, value: string, shape: Dim[], dataType: DataType = DataType.Float): void {
    this.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], attrs: {}, name: this.fresh('out') });
    this.outputs.push({ name, shape, dataType });
  }

  /** A float constant (initializer). */
  constant(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.initializer('c', { dims, dataType: DataType.Float, data: Float32Array.from(values) });
  }

  scalar(value: number): string {
    return this.constant([value], []);
  }

  /** An int64 constant (shapes, axes, slice bounds). */
  ints(values: number[], dims: number[] = [values.length]): string {
    return this.initializer('i', { dims, dataType: DataType.Int64, data: BigInt64Array.from(values.map((v) => BigInt(v))) });
  }

  private initializer(prefix: string, tensor: ConstTensor): string {
    const key = tensor.data.length <= 16 ? `${tensor.dataType}|${tensor.dims.join(',')}|${Array.from(tensor.data as ArrayLike<number | bigint>).join(',')}` : null;
    const known = key === null ? undefined : this.smallConstants.get(key);
    if (known) return known;
    const name = this.fresh(prefix);
    this.initializers.set(name, tensor);
    if (key !== null) this.smallConstants.set(key, name);
    return name;
  }

  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.opN(op, inputs, 1, attrs)[0];
  }

  opN(op: string, inputs: string[], outputCount: number, attrs: Record<string, AttrValue> = {}): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs, attrs, name: this.fresh(`n_${op}`) });
    return outputs;
  }

  // Arithmetic helpers keep stage code close to the maths it implements.
  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  div(a: string, b: string): string { return this.op('Div', [a, b]); }
  max(a: string, b: string): string { return this.op('Max', [a, b]); }
  min(a: string, b: string): string { return this.op('Min', [a, b]); }
  clip(x: string, lo: number, hi: number): string { return this.op('Clip', [x, this.scalar(lo), this.scalar(hi)]); }
  sqrt(x: string): string { return this.op('Sqrt', [x]); }
  exp(x: string): string { return this.op('Exp', [x]); }
  abs(x: string): string { return this.op('Abs', [x]); }
  /** Channels [start, end) along axis 1. */
  channels(x: string, start: number, end: number): string {
    return this.op('Slice', [x, this.ints([start]), this.ints([end]), this.ints([1])]);
  }
  concat(values: string[], axis = 1): string { return this.op('Concat', values, { axis }); }
  /**
   * Σ over channels, in channel order (onnxruntime's ReduceSum adds them one after the other). The chains' models
   * keep it: their thresholds pass rounding differences on, and a MatMul's order (weightedChannelSum: onnxruntime
   * adds blocks of four) moved a test scene's keep-region by 3.7 dB.
   */
  sumChannels(x: string): string { return this.op('ReduceSum', [x, this.ints([1])], { keepdims: 1 }); }
  /**
   * Σ_c weights[c]·x[:, c] of a (1, C, H, W) tensor, as (1, 1, H, W): a MatMul by a row of weights. onnxruntime's
   * ReduceSum over axis 1 is 3–4× slower (measured at 384×216 and on 1080p bands), and a 1×1 Conv slower still.
   */
  weightedChannelSum(x: string, weights: number[]): string {
    const summed = this.op('MatMul', [this.constant(weights, [1, weights.length]), this.op('Reshape', [x, this.ints([weights.length, -1])])]);
    return this.op('Reshape', [summed, this.concat([this.ints([1, 1]), this.op('Shape', [x], { start: 2 })], 0)]);
  }
  /** Mean over a (2r+1)² window, excluding padding so borders are not darkened. */
  box(x: string, radius: number): string {
    if (radius <= 0) return x;
    const k = 2 * radius + 1;
    return this.op('AveragePool', [x], { kernel_shape: [k, k], pads: [radius, radius, radius, radius], count_include_pad: 0 });
  }

  toBytes(): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, IR_VERSION);
    w.string(2, 'anchorflow');
    w.string(3, '0.1.0');
    w.message(7, (gw) => this.writeGraph(gw));
    w.message(8, (ow) => ow.string(1, '').int(2, OPSET));
    if (this.docString) w.string(6, this.docString);
    return w.finish();
  }

  private writeGraph(w: ProtoWriter): void {
    for (const node of this.nodes) {
      w.message(1, (nw) => {
        for (const i of node.inputs) nw.string(1, i);
        for (const o of node.outputs) nw.string(2, o);
        nw.string(3, node.name);
        nw.string(4, node.op);
        for (const [name, value] of Object.entries(node.attrs)) nw.message(5, (aw) => writeAttribute(aw, name, value));
      });
    }
    w.string(2, this.name);
    for (const [name, tensor] of this.initializers) w.message(5, (tw) => writeTensor(tw, name, tensor));
    for (const spec of this.inputs) w.message(11, (vw) => writeValueInfo(vw, spec));
    for (const spec of this.outputs) w.message(12, (vw) => writeValueInfo(vw, spec));
  }
}

function writeTensor(w: ProtoWriter, name: string, tensor: ConstTensor): void {
  for (const d of tensor.dims) w.int(1, d);
  w.int(2, tensor.dataType);
  w.string(8, name);
  w.bytes(9, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
}

function writeAttribute(w: ProtoWriter, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    w.int(3, value).int(20, 2);
  } else if (typeof value === 'object' && 'float' in value) {
    w.float(2, value.float).int(20, 1);
  } else if (typeof value === 'string') {
    w.string(4, value).int(20, 3);
  } else if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, 7);
  } else if ('floats' in value) {
    for (const v of value.floats) w.float(7, v);
    w.int(20, 6);
  } else {
    w.message(5, (tw) => writeTensor(tw, '', value.tensor));
    w.int(20, 4);
  }
}

function writeValueInfo(w: ProtoWriter, spec: ValueSpec): void {
  w.string(1, spec.name);
  w.message(2, (tw) =>
    tw.message(1, (tt) => {
      tt.int(1, spec.dataType);
      tt.message(2, (sw) => {
        for (const d of spec.shape) sw.message(1, (dw) => (typeof d === 'number' ? dw.int(1, d) : dw.string(2, d)));
      });
    }),
  );
}

