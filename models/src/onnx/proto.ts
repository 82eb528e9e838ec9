/**
 * A minimal protobuf writer for the parts of onnx.proto (proto2) that our graphs use.
 * Field numbers follow onnx/onnx.proto (IR version 8). Repeated scalars are written unpacked, which every
 * proto2 reader accepts.
 */

const enum Wire {
  Varint = 0,
  Fixed32 = 5,
  Bytes = 2,
}

export class ProtoWriter {
  private chunks: number[] = [];

  private byte(value: number): void {
    this.chunks.push(value & 0xff);
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wire: Wire): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number): this {
    this.tag(field, Wire.Varint);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, Wire.Fixed32);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    for (const b of bytes) this.byte(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, Wire.Bytes);
    this.varint(value.length);
    for (const b of value) this.byte(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
