/**
 * Reading, writing and inspecting ONNX models as protobuf objects (onnx-proto, ONNX 1.10 schema).
 * Shared by model preparation (fp16→fp32, resolution specialisation) and the training engine
 * (train-step graph building). Everything here works on plain protobuf objects so that graph
 * rewrites stay simple data transformations.
 */
import { promises as fs } from 'node:fs';
import { onnx } from 'onnx-proto';

declare global {
  /**
   * protobufjs represents int64 as a Long object (or a number when it fits). onnx-proto's typings
   * name a global `Long`, which long@5 no longer declares: without this they would be untyped.
   */
  interface Long {
    toNumber(): number;
  }
}

export { onnx };
export type ModelProto = onnx.ModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;
export const DataType = onnx.TensorProto.DataType;

export class OnnxModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxModelError';
  }
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new OnnxModelError('not a valid ONNX model (protobuf decoding failed)', { cause });
  }
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export async function loadModel(path: string): Promise<ModelProto> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (cause) {
    throw new OnnxModelError(`cannot read ONNX model ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    return decodeModel(bytes);
  } catch (cause) {
    throw new OnnxModelError(`${path} is not a valid ONNX model (protobuf decoding failed)`, { cause });
  }
}

/** Converts a protobuf int64 (number or Long) to a JS number. */
export function toNumber(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function dimsOf(t: TensorProto): number[] {
  return (t.dims ?? []).map(toNumber);
}

/** Float32 view of a FLOAT / FLOAT16 / DOUBLE tensor's data (copies). */
export function tensorToFloat32(t: TensorProto): Float32Array {
  const n = dimsOf(t).reduce((a, b) => a * b, 1);
  switch (t.dataType) {
    case DataType.FLOAT: {
      if (t.rawData && t.rawData.length > 0) {
        const raw = t.rawData;
        const copy = new Uint8Array(raw.length);
        copy.set(raw);
        return new Float32Array(copy.buffer, 0, n);
      }
      return Float32Array.from(t.floatData ?? []);
    }
    case DataType.FLOAT16: {
      const out = new Float32Array(n);
      if (t.rawData && t.rawData.length > 0) {
        const raw = t.rawData;
        const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
      } else {
        const bits = t.int32Data ?? [];
        for (let i = 0; i < n; i++) out[i] = halfToFloat(bits[i] ?? 0);
      }
      return out;
    }
    case DataType.DOUBLE: {
      if (t.rawData && t.rawData.length > 0) {
        const raw = t.rawData;
        const copy = new Uint8Array(raw.length);
        copy.set(raw);
        return Float32Array.from(new Float64Array(copy.buffer, 0, n));
      }
      return Float32Array.from(t.doubleData ?? []);
    }
    default:
      throw new OnnxModelError(
        `tensor ${t.name ?? '?'} has data type ${t.dataType}, not a floating-point type`,
      );
  }
}

/** Integer view of an INT64 / INT32 tensor's data. */
export function tensorToInts(t: TensorProto): number[] {
  const n = dimsOf(t).reduce((a, b) => a * b, 1);
  if (t.dataType === DataType.INT64) {
    if (t.rawData && t.rawData.length > 0) {
      const dv = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      return Array.from({ length: n }, (_, i) => Number(dv.getBigInt64(8 * i, true)));
    }
    return (t.int64Data ?? []).map(toNumber);
  }
  if (t.dataType === DataType.INT32) {
    if (t.rawData && t.rawData.length > 0) {
      const dv = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      return Array.from({ length: n }, (_, i) => dv.getInt32(4 * i, true));
    }
    return (t.int32Data ?? []).slice();
  }
  throw new OnnxModelError(`tensor ${t.name ?? '?'} has data type ${t.dataType}, not an integer type`);
}

export function makeFloatTensor(name: string, dims: readonly number[], data: Float32Array): onnx.TensorProto {
  return onnx.TensorProto.create({
    name,
    dims: dims.slice(),
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  });
}

export function makeInt64Tensor(
  name: string,
  dims: readonly number[],
  data: readonly number[],
): onnx.TensorProto {
  const buf = new BigInt64Array(data.map((v) => BigInt(v)));
  return onnx.TensorProto.create({
    name,
    dims: dims.slice(),
    dataType: DataType.INT64,
    rawData: new Uint8Array(buf.buffer),
  });
}

/** IEEE 754 half → float. */
export function halfToFloat(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  let v: number;
  if (e === 0) v = f * 2 ** -24;
  else if (e === 0x1f) v = f ? NaN : Infinity;
  else v = (1 + f / 1024) * 2 ** (e - 15);
  return s ? -v : v;
}

export function getAttribute(node: NodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

export function getIntsAttribute(node: NodeProto, name: string, fallback: number[]): number[] {
  const a = getAttribute(node, name);
  return a?.ints && a.ints.length > 0 ? a.ints.map(toNumber) : fallback;
}

export function getIntAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = getAttribute(node, name);
  return a && a.i !== undefined && a.i !== null ? toNumber(a.i) : fallback;
}

export function getStringAttribute(node: NodeProto, name: string, fallback: string): string {
  const a = getAttribute(node, name);
  return a?.s && a.s.length > 0 ? Buffer.from(a.s).toString('utf8') : fallback;
}

export function getFloatAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = getAttribute(node, name);
  return a && a.f !== undefined && a.f !== null ? a.f : fallback;
}
