/**
 * Constant folding: evaluating at build time the nodes whose inputs are all known, which is how the
 * shape arithmetic PyTorch exports (Shape → Slice/Gather → Concat → Resize sizes) becomes constants.
 */
import {
  onnx,
  DataType,
  dimsOf,
  getAttribute,
  getIntAttribute,
  getIntsAttribute,
  makeInt64Tensor,
  tensorToFloat32,
  tensorToInts,
  toNumber,
  type NodeProto,
  type TensorProto,
} from '../onnx/model-io';
import { TrainingGraphError } from './errors';
import { broadcastShapes, numel, reshapeDims, sliceSpec, type TensorInfo } from './shape-geometry';

export interface ConstValue {
  dims: number[];
  dataType: number;
  /** Values as JS numbers (ints exactly, floats as float32-rounded numbers). */
  values: number[];
}

export const INT_TYPES = new Set<number>([
  DataType.INT64,
  DataType.INT32,
  DataType.INT16,
  DataType.INT8,
  DataType.UINT8,
  DataType.BOOL,
]);
/** Constant folding of float results is only done for small tensors (scale factors and the like). */
const MAX_FOLDED_FLOATS = 64;

export function constToTensor(name: string, c: ConstValue): TensorProto {
  if (c.dataType === DataType.FLOAT) {
    return onnx.TensorProto.create({
      name,
      dims: c.dims,
      dataType: DataType.FLOAT,
      rawData: new Uint8Array(Float32Array.from(c.values).buffer),
    });
  }
  if (c.dataType === DataType.INT64) return makeInt64Tensor(name, c.dims, c.values);
  if (c.dataType === DataType.INT32) {
    return onnx.TensorProto.create({
      name,
      dims: c.dims,
      dataType: DataType.INT32,
      rawData: new Uint8Array(Int32Array.from(c.values).buffer),
    });
  }
  if (c.dataType === DataType.BOOL) {
    return onnx.TensorProto.create({
      name,
      dims: c.dims,
      dataType: DataType.BOOL,
      rawData: Uint8Array.from(c.values),
    });
  }
  throw new TrainingGraphError(`cannot store folded constant ${name} of data type ${c.dataType}`);
}

export function tensorConst(t: TensorProto): ConstValue | undefined {
  const dims = dimsOf(t);
  const dt = t.dataType ?? 0;
  if (dt === DataType.INT64 || dt === DataType.INT32) return { dims, dataType: dt, values: tensorToInts(t) };
  if (dt === DataType.FLOAT || dt === DataType.DOUBLE || dt === DataType.FLOAT16) {
    if (numel(dims) > MAX_FOLDED_FLOATS) return undefined;
    return { dims, dataType: DataType.FLOAT, values: Array.from(tensorToFloat32(t)) };
  }
  if (dt === DataType.BOOL && t.rawData) return { dims, dataType: dt, values: Array.from(t.rawData) };
  return undefined;
}

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

function unravel(i: number, dims: readonly number[]): number[] {
  const idx = new Array<number>(dims.length).fill(0);
  for (let d = dims.length - 1; d >= 0; d--) {
    idx[d] = i % dims[d]!;
    i = Math.floor(i / dims[d]!);
  }
  return idx;
}

function broadcastEval(a: ConstValue, b: ConstValue, f: (x: number, y: number) => number): ConstValue {
  const dims = broadcastShapes(a.dims, b.dims);
  const sa = strides(a.dims);
  const sb = strides(b.dims);
  const n = numel(dims);
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, dims);
    let ia = 0;
    let ib = 0;
    idx.forEach((v, d) => {
      const da = d - (dims.length - a.dims.length);
      const db = d - (dims.length - b.dims.length);
      if (da >= 0 && a.dims[da] !== 1) ia += v * sa[da]!;
      if (db >= 0 && b.dims[db] !== 1) ib += v * sb[db]!;
    });
    values[i] = f(a.values[ia]!, b.values[ib]!);
  }
  return { dims, dataType: a.dataType, values };
}

const BINARY: Record<string, (x: number, y: number, isInt: boolean) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y, isInt) => (isInt ? Math.trunc(x / y) : x / y),
};

/** Evaluates a node whose inputs are all constants, or returns undefined when it can't. */
export function evalConst(
  node: NodeProto,
  ins: (ConstValue | undefined)[],
  info: (TensorInfo | undefined)[],
): ConstValue[] | undefined {
  const op = node.opType ?? '';
  const x = ins[0];
  switch (op) {
    case 'Constant': {
      const a = getAttribute(node, 'value');
      if (a?.t) {
        const c = tensorConst(a.t);
        return c ? [c] : undefined;
      }
      const ints = getAttribute(node, 'value_ints');
      if (ints?.ints)
        return [{ dims: [ints.ints.length], dataType: DataType.INT64, values: ints.ints.map(toNumber) }];
      const i = getAttribute(node, 'value_int');
      if (i) return [{ dims: [], dataType: DataType.INT64, values: [toNumber(i.i)] }];
      const f = getAttribute(node, 'value_float');
      if (f) return [{ dims: [], dataType: DataType.FLOAT, values: [f.f ?? 0] }];
      const fs = getAttribute(node, 'value_floats');
      if (fs?.floats)
        return [{ dims: [fs.floats.length], dataType: DataType.FLOAT, values: fs.floats.slice() }];
      return undefined;
    }
    case 'Shape': {
      const d = info[0]?.dims;
      if (!d) return undefined;
      const r = d.length;
      let start = getIntAttribute(node, 'start', 0);
      let end = getIntAttribute(node, 'end', r);
      if (start < 0) start += r;
      if (end < 0) end += r;
      const v = d.slice(Math.max(0, start), Math.min(r, end));
      return [{ dims: [v.length], dataType: DataType.INT64, values: v }];
    }
    case 'Identity':
      return x ? [x] : undefined;
    case 'Cast': {
      if (!x) return undefined;
      const to = getIntAttribute(node, 'to', DataType.FLOAT);
      const isInt = INT_TYPES.has(to);
      return [
        {
          dims: x.dims,
          dataType: to === DataType.DOUBLE || to === DataType.FLOAT16 ? DataType.FLOAT : to,
          values: isInt ? x.values.map(Math.trunc) : x.values.slice(),
        },
      ];
    }
    case 'Floor':
      return x ? [{ ...x, values: x.values.map(Math.floor) }] : undefined;
    case 'Ceil':
      return x ? [{ ...x, values: x.values.map(Math.ceil) }] : undefined;
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const y = ins[1];
      if (!x || !y) return undefined;
      const isInt = INT_TYPES.has(x.dataType);
      return [broadcastEval(x, y, (a, b) => BINARY[op]!(a, b, isInt))];
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      if (!x) return undefined;
      const axes = ins[1]?.values ?? getIntsAttribute(node, 'axes', []);
      let dims: number[];
      if (op === 'Unsqueeze') {
        const r = x.dims.length + axes.length;
        const norm = axes.map((a) => (a < 0 ? a + r : a));
        dims = [];
        let k = 0;
        for (let i = 0; i < r; i++) dims.push(norm.includes(i) ? 1 : x.dims[k++]!);
      } else {
        const r = x.dims.length;
        const norm = axes.length
          ? axes.map((a) => (a < 0 ? a + r : a))
          : x.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        dims = x.dims.filter((_, i) => !norm.includes(i));
      }
      return [{ ...x, dims }];
    }
    case 'Reshape': {
      if (!x || !ins[1]) return undefined;
      return [{ ...x, dims: reshapeDims(x.dims, ins[1].values, node) }];
    }
    case 'Concat': {
      if (ins.some((c) => !c)) return undefined;
      const cs = ins as ConstValue[];
      if (cs.some((c) => c.dims.length !== 1)) return undefined;
      const values = cs.flatMap((c) => c.values);
      return [{ dims: [values.length], dataType: cs[0]!.dataType, values }];
    }
    case 'Gather': {
      const idx = ins[1];
      if (!x || !idx) return undefined;
      const axis = getIntAttribute(node, 'axis', 0);
      if (x.dims.length !== 1 || axis !== 0) return undefined;
      const n = x.dims[0]!;
      return [
        { dims: idx.dims, dataType: x.dataType, values: idx.values.map((i) => x.values[i < 0 ? i + n : i]!) },
      ];
    }
    case 'Slice': {
      if (!x || !ins[1] || !ins[2]) return undefined;
      if (x.dims.length !== 1) return undefined;
      const spec = sliceSpec(x.dims, ins[1].values, ins[2].values, ins[3]?.values, ins[4]?.values);
      const v: number[] = [];
      for (let i = 0, p = spec.starts[0]!; i < spec.dims[0]!; i++, p += spec.steps[0]!) v.push(x.values[p]!);
      return [{ dims: spec.dims, dataType: x.dataType, values: v }];
    }
    case 'ConstantOfShape': {
      if (!x) return undefined;
      const a = getAttribute(node, 'value');
      const base = a?.t ? tensorConst(a.t) : { dims: [1], dataType: DataType.FLOAT, values: [0] };
      if (!base) return undefined;
      const n = numel(x.values);
      if (base.dataType === DataType.FLOAT && n > MAX_FOLDED_FLOATS) return undefined;
      return [
        {
          dims: x.values.slice(),
          dataType: base.dataType,
          values: new Array<number>(n).fill(base.values[0] ?? 0),
        },
      ];
    }
    default:
      return undefined;
  }
}

export function floatInitConst(t: TensorProto | undefined): ConstValue | undefined {
  if (!t || t.dataType !== DataType.FLOAT) return undefined;
  return tensorConst(t);
}
