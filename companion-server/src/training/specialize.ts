/**
 * Static shape inference and constant folding for the ops the training engine handles.
 *
 * Train-step graphs need every tensor's shape at build time (interpolation matrices, padding of
 * gradients, reductions over broadcast axes), so the forward model is first *specialised* to the
 * given input shapes: shape computations (Shape → Slice/Gather → Concat → Resize sizes, as
 * exported by PyTorch) are evaluated here and replaced by constants, and every remaining tensor
 * gets a static shape.
 */
import {
  onnx,
  DataType,
  dimsOf,
  getAttribute,
  getIntAttribute,
  getIntsAttribute,
  getStringAttribute,
  makeInt64Tensor,
  tensorToFloat32,
  tensorToInts,
  toNumber,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../onnx/model-io';
import { TrainingGraphError } from './errors';

/** A constant known at build time (shape arithmetic, Constant nodes, integer initializers). */
export interface ConstValue {
  dims: number[];
  dataType: number;
  /** Values as JS numbers (ints exactly, floats as float32-rounded numbers). */
  values: number[];
}

export interface TensorInfo {
  dims: number[];
  dataType: number;
}

/** A forward graph with static shapes and folded shape computations. */
export interface SpecializedGraph {
  /** Remaining nodes in topological order (folded nodes removed). */
  nodes: NodeProto[];
  /** Initializers of the original model plus folded constants, by name. */
  initializers: Map<string, TensorProto>;
  /** Non-initializer graph inputs, in model order. */
  inputs: string[];
  outputs: string[];
  info: Map<string, TensorInfo>;
  consts: Map<string, ConstValue>;
  opset: number;
  /** The specialised graph as a standalone model (same inputs/outputs, static shapes). */
  model: ModelProto;
}

const INT_TYPES = new Set<number>([
  DataType.INT64,
  DataType.INT32,
  DataType.INT16,
  DataType.INT8,
  DataType.UINT8,
  DataType.BOOL,
]);
/** Constant folding of float results is only done for small tensors (scale factors and the like). */
const MAX_FOLDED_FLOATS = 64;

export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function fail(node: NodeProto, msg: string): never {
  throw new TrainingGraphError(
    `cannot infer shapes at ${node.opType} node "${node.name ?? node.output?.[0]}": ${msg}`,
  );
}

export function broadcastShapes(a: readonly number[], b: readonly number[], node?: NodeProto): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      if (node) fail(node, `shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
      throw new TrainingGraphError(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Explicit [begin..., end...] pads of a Conv/Pool node, resolving auto_pad. */
export function resolvePads(
  node: NodeProto,
  inSpatial: number[],
  kernel: number[],
  strides: number[],
  dilations: number[],
  transposed = false,
): number[] {
  const r = inSpatial.length;
  const autoPad = getStringAttribute(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') return getIntsAttribute(node, 'pads', new Array<number>(2 * r).fill(0));
  if (autoPad === 'VALID') return new Array<number>(2 * r).fill(0);
  if (transposed) fail(node, `auto_pad=${autoPad} on ConvTranspose is not supported; give explicit pads`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < r; i++) {
    const out = Math.ceil(inSpatial[i]! / strides[i]!);
    const total = Math.max(0, (out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - inSpatial[i]!);
    const small = Math.floor(total / 2);
    if (autoPad === 'SAME_UPPER') {
      begin.push(small);
      end.push(total - small);
    } else {
      begin.push(total - small);
      end.push(small);
    }
  }
  return [...begin, ...end];
}

export interface PoolGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  out: number[];
}

export function convGeometry(node: NodeProto, xDims: number[], wDims: number[]): PoolGeometry {
  const r = xDims.length - 2;
  const kernel = getIntsAttribute(node, 'kernel_shape', wDims.slice(2));
  const strides = getIntsAttribute(node, 'strides', new Array<number>(r).fill(1));
  const dilations = getIntsAttribute(node, 'dilations', new Array<number>(r).fill(1));
  const pads = resolvePads(node, xDims.slice(2), kernel, strides, dilations);
  const out = kernel.map(
    (k, i) =>
      Math.floor((xDims[i + 2]! + pads[i]! + pads[i + r]! - ((k - 1) * dilations[i]! + 1)) / strides[i]!) + 1,
  );
  return { kernel, strides, dilations, pads, out };
}

export function poolGeometry(node: NodeProto, xDims: number[]): PoolGeometry {
  const r = xDims.length - 2;
  const kernel = getIntsAttribute(node, 'kernel_shape', []);
  if (kernel.length !== r) fail(node, 'kernel_shape missing');
  const strides = getIntsAttribute(node, 'strides', new Array<number>(r).fill(1));
  const dilations = getIntsAttribute(node, 'dilations', new Array<number>(r).fill(1));
  const pads = resolvePads(node, xDims.slice(2), kernel, strides, dilations);
  const ceil = getIntAttribute(node, 'ceil_mode', 0) === 1;
  const out = kernel.map((k, i) => {
    const span = xDims[i + 2]! + pads[i]! + pads[i + r]! - ((k - 1) * dilations[i]! + 1);
    let o = (ceil ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
    // A window may not start in the end padding (PyTorch/ONNX Runtime rule for ceil mode).
    if (ceil && (o - 1) * strides[i]! >= xDims[i + 2]! + pads[i]!) o -= 1;
    return o;
  });
  return { kernel, strides, dilations, pads, out };
}

export function convTransposeGeometry(
  node: NodeProto,
  xDims: number[],
  wDims: number[],
): PoolGeometry & { outputPadding: number[] } {
  const r = xDims.length - 2;
  const kernel = getIntsAttribute(node, 'kernel_shape', wDims.slice(2));
  const strides = getIntsAttribute(node, 'strides', new Array<number>(r).fill(1));
  const dilations = getIntsAttribute(node, 'dilations', new Array<number>(r).fill(1));
  if (getAttribute(node, 'output_shape'))
    fail(node, 'ConvTranspose output_shape is not supported; give pads and output_padding');
  const pads = resolvePads(node, xDims.slice(2), kernel, strides, dilations, true);
  const outputPadding = getIntsAttribute(node, 'output_padding', new Array<number>(r).fill(0));
  const out = kernel.map(
    (k, i) =>
      strides[i]! * (xDims[i + 2]! - 1) +
      outputPadding[i]! +
      (k - 1) * dilations[i]! +
      1 -
      pads[i]! -
      pads[i + r]!,
  );
  return { kernel, strides, dilations, pads, out, outputPadding };
}

/** Normalised Slice parameters for one input shape. */
export interface SliceSpec {
  starts: number[];
  ends: number[];
  steps: number[];
  /** Output shape. */
  dims: number[];
}

export function sliceSpec(
  dims: number[],
  starts: number[],
  ends: number[],
  axesIn: number[] | undefined,
  stepsIn: number[] | undefined,
): SliceSpec {
  const r = dims.length;
  const s = new Array<number>(r).fill(0);
  const e = dims.slice();
  const st = new Array<number>(r).fill(1);
  const axes = axesIn ?? starts.map((_, i) => i);
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + r : a0;
    const d = dims[a]!;
    const step = stepsIn?.[i] ?? 1;
    let b = starts[i]!;
    let en = ends[i]!;
    if (b < 0) b += d;
    if (en < 0) en += d;
    if (step > 0) {
      b = Math.min(Math.max(b, 0), d);
      en = Math.min(Math.max(en, 0), d);
    } else {
      b = Math.min(Math.max(b, 0), d - 1);
      en = Math.min(Math.max(en, -1), d - 1);
    }
    s[a] = b;
    e[a] = en;
    st[a] = step;
  });
  const out = dims.map((_, i) => Math.max(0, Math.ceil((e[i]! - s[i]!) / st[i]!)));
  return { starts: s, ends: e, steps: st, dims: out };
}

function constToTensor(name: string, c: ConstValue): TensorProto {
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

function tensorConst(t: TensorProto): ConstValue | undefined {
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
function evalConst(
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

function reshapeDims(inDims: number[], shape: number[], node: NodeProto): number[] {
  const allowZero = getIntAttribute(node, 'allowzero', 0) === 1;
  const out = shape.map((s, i) => (s === 0 && !allowZero ? inDims[i]! : s));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = numel(inDims);
  return out.map((d) => (d === -1 ? total / known : d));
}

function inferNode(
  node: NodeProto,
  info: (TensorInfo | undefined)[],
  consts: (ConstValue | undefined)[],
): TensorInfo[] {
  const op = node.opType ?? '';
  const need = (i: number): TensorInfo => {
    const t = info[i];
    if (!t)
      fail(
        node,
        `shape of input ${i} ("${node.input?.[i]}") is unknown (produced by an op the training engine's shape inference does not know, and the model declares no value_info for it)`,
      );
    return t;
  };
  const needConst = (i: number, what: string): number[] => {
    const c = consts[i];
    if (!c) fail(node, `${what} (input ${i}, "${node.input?.[i]}") must be a constant after specialisation`);
    return c.values;
  };
  switch (op) {
    case 'Relu':
    case 'Sigmoid':
    case 'Tanh':
    case 'LeakyRelu':
    case 'Identity':
    case 'Neg':
    case 'Exp':
    case 'Log':
    case 'Abs':
    case 'Sqrt':
    case 'Dropout':
    case 'Softmax':
    case 'LogSoftmax':
    case 'Softplus':
    case 'Clip':
    case 'Elu':
    case 'HardSigmoid':
    case 'Erf':
    case 'Reciprocal':
    case 'Floor':
    case 'Ceil':
    case 'Round':
    case 'Sign':
      return [need(0), { dims: need(0).dims, dataType: DataType.BOOL }].slice(0, node.output?.length ?? 1);
    case 'Cast':
      return [{ dims: need(0).dims, dataType: getIntAttribute(node, 'to', DataType.FLOAT) }];
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
      return [{ dims: broadcastShapes(need(0).dims, need(1).dims, node), dataType: need(0).dataType }];
    case 'Conv': {
      const x = need(0).dims;
      const w = need(1).dims;
      const g = convGeometry(node, x, w);
      return [{ dims: [x[0]!, w[0]!, ...g.out], dataType: need(0).dataType }];
    }
    case 'ConvTranspose': {
      const x = need(0).dims;
      const w = need(1).dims;
      const g = convTransposeGeometry(node, x, w);
      return [
        { dims: [x[0]!, w[1]! * getIntAttribute(node, 'group', 1), ...g.out], dataType: need(0).dataType },
      ];
    }
    case 'MaxPool':
    case 'AveragePool': {
      const x = need(0).dims;
      const g = poolGeometry(node, x);
      const y = { dims: [x[0]!, x[1]!, ...g.out], dataType: need(0).dataType };
      return node.output && node.output.length > 1 ? [y, { dims: y.dims, dataType: DataType.INT64 }] : [y];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool': {
      const x = need(0).dims;
      return [{ dims: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)], dataType: need(0).dataType }];
    }
    case 'Resize': {
      const x = need(0).dims;
      const sizesName = node.input?.[3];
      if (sizesName) {
        const s = needConst(3, 'Resize sizes');
        if (s.length !== x.length) fail(node, 'Resize sizes must give every axis');
        return [{ dims: s.slice(), dataType: need(0).dataType }];
      }
      const scales = needConst(2, 'Resize scales');
      return [{ dims: x.map((d, i) => Math.floor(d * scales[i]!)), dataType: need(0).dataType }];
    }
    case 'Concat': {
      const first = need(0).dims;
      let axis = getIntAttribute(node, 'axis', 0);
      if (axis < 0) axis += first.length;
      const dims = first.slice();
      dims[axis] = (node.input ?? []).reduce((s, _, i) => s + need(i).dims[axis]!, 0);
      return [{ dims, dataType: need(0).dataType }];
    }
    case 'Slice': {
      const x = need(0).dims;
      const spec = sliceSpec(
        x,
        needConst(1, 'Slice starts'),
        needConst(2, 'Slice ends'),
        node.input?.[3] ? needConst(3, 'Slice axes') : undefined,
        node.input?.[4] ? needConst(4, 'Slice steps') : undefined,
      );
      return [{ dims: spec.dims, dataType: need(0).dataType }];
    }
    case 'Reshape':
      return [
        { dims: reshapeDims(need(0).dims, needConst(1, 'Reshape shape'), node), dataType: need(0).dataType },
      ];
    case 'Flatten': {
      const x = need(0).dims;
      let axis = getIntAttribute(node, 'axis', 1);
      if (axis < 0) axis += x.length;
      return [{ dims: [numel(x.slice(0, axis)), numel(x.slice(axis))], dataType: need(0).dataType }];
    }
    case 'Transpose': {
      const x = need(0).dims;
      const perm = getIntsAttribute(
        node,
        'perm',
        x.map((_, i) => x.length - 1 - i),
      );
      return [{ dims: perm.map((p) => x[p]!), dataType: need(0).dataType }];
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const x = need(0);
      const fake: ConstValue = { dims: x.dims, dataType: x.dataType, values: [] };
      const r = evalConst(node, [fake, consts[1]], info);
      if (!r) fail(node, 'axes must be constant');
      return [{ dims: r[0]!.dims, dataType: x.dataType }];
    }
    case 'MatMul': {
      const a = need(0).dims;
      const b = need(1).dims;
      const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), node);
      return [{ dims: [...batch, a[a.length - 2]!, b[b.length - 1]!], dataType: need(0).dataType }];
    }
    case 'Gather': {
      const x = need(0).dims;
      let axis = getIntAttribute(node, 'axis', 0);
      if (axis < 0) axis += x.length;
      return [
        { dims: [...x.slice(0, axis), ...need(1).dims, ...x.slice(axis + 1)], dataType: need(0).dataType },
      ];
    }
    case 'Shape': {
      const r = need(0).dims.length;
      return [{ dims: [r], dataType: DataType.INT64 }];
    }
    default:
      // Unknown op: its outputs get the shapes the model declares, if any; a consumer that needs
      // an unknown shape fails with a message naming this node.
      return [];
  }
}

/** Folds shape computations and infers static shapes for `model` with the given input shapes. */
export function specializeModel(
  model: ModelProto,
  inputShapes: Record<string, readonly number[]> = {},
): SpecializedGraph {
  const graph = model.graph;
  if (!graph) throw new TrainingGraphError('model has no graph');
  const opset = Math.max(
    0,
    ...(model.opsetImport ?? [])
      .filter((o) => !o.domain || o.domain === 'ai.onnx')
      .map((o) => toNumber(o.version)),
  );
  if (opset < 13)
    throw new TrainingGraphError(
      `model uses ONNX opset ${opset}; the training engine needs opset 13 or newer (convert the model first)`,
    );
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? '', t);
  const info = new Map<string, TensorInfo>();
  const declared = new Map<string, TensorInfo>();
  const consts = new Map<string, ConstValue>();
  for (const [name, t] of initializers) {
    info.set(name, { dims: dimsOf(t), dataType: t.dataType ?? DataType.FLOAT });
    const dt = t.dataType ?? 0;
    if (INT_TYPES.has(dt)) {
      const c = tensorConst(t);
      if (c) consts.set(name, c);
    }
  }
  const inputs: string[] = [];
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? '';
    if (initializers.has(name)) continue;
    inputs.push(name);
    const tt = vi.type?.tensorType;
    const declared = (tt?.shape?.dim ?? []).map((d) =>
      d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : -1,
    );
    const given = inputShapes[name];
    const dims = given ? given.slice() : declared;
    if (dims.some((d) => !(d > 0))) {
      throw new TrainingGraphError(
        `input "${name}" has no static shape (declared [${declared.join(',')}]); pass its shape (e.g. --input-shape 1,3,512,512)`,
      );
    }
    if (given && declared.length && declared.length !== given.length) {
      throw new TrainingGraphError(
        `input "${name}" has rank ${declared.length}, but the given shape [${given.join(',')}] has rank ${given.length}`,
      );
    }
    info.set(name, { dims, dataType: tt?.elemType ?? DataType.FLOAT });
  }
  for (const name of Object.keys(inputShapes)) {
    if (!inputs.includes(name))
      throw new TrainingGraphError(
        `input shape given for "${name}", which is not a graph input (inputs: ${inputs.join(', ')})`,
      );
  }

  for (const vi of graph.valueInfo ?? []) {
    const dims = (vi.type?.tensorType?.shape?.dim ?? []).map((d) =>
      d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : -1,
    );
    if (vi.name && vi.type?.tensorType?.shape && dims.every((d) => d > 0))
      declared.set(vi.name, { dims, dataType: vi.type.tensorType.elemType ?? DataType.FLOAT });
  }
  const kept: NodeProto[] = [];
  const folded: TensorProto[] = [];
  for (const node of topoSort(graph.node ?? [], new Set([...initializers.keys(), ...inputs]))) {
    const ins = (node.input ?? []).map((n) => (n ? consts.get(n) : undefined));
    const infos = (node.input ?? []).map((n) => (n ? info.get(n) : undefined));
    const allConst = (node.input ?? []).every((n, i) => !n || ins[i] !== undefined);
    const foldable =
      node.opType === 'Shape' || node.opType === 'Constant' || (allConst && (node.input ?? []).length > 0);
    const value = foldable ? evalConst(node, ins, infos) : undefined;
    // Small float initializers (Resize scales...) may be read as attributes, but are never folded:
    // they could be trainable parameters.
    const lookups = ins.map(
      (c, i) => c ?? (node.input?.[i] ? floatInitConst(initializers.get(node.input[i])) : undefined),
    );
    if (value) {
      value.forEach((c, i) => {
        const name = node.output![i]!;
        consts.set(name, c);
        info.set(name, { dims: c.dims, dataType: c.dataType });
        const t = constToTensor(name, c);
        initializers.set(name, t);
        folded.push(t);
      });
      continue;
    }
    if (node.opType === 'Constant') {
      // A large float Constant: keep its tensor as an initializer.
      const t = getAttribute(node, 'value')?.t;
      if (!t) fail(node, 'unsupported Constant attribute');
      const copy = onnx.TensorProto.create({ ...t, name: node.output![0]! });
      initializers.set(copy.name, copy);
      folded.push(copy);
      info.set(copy.name, { dims: dimsOf(copy), dataType: copy.dataType ?? DataType.FLOAT });
      continue;
    }
    const outs = inferNode(node, infos, lookups);
    (node.output ?? []).forEach((o, i) => {
      const t = outs[i] ?? (o ? declared.get(o) : undefined);
      if (o && t) info.set(o, t);
    });
    kept.push(node);
  }

  const outputs = (graph.output ?? []).map((o) => o.name ?? '');
  for (const o of outputs)
    if (!info.has(o)) throw new TrainingGraphError(`model output "${o}" is not produced by any node`);
  // Drop initializers that nothing uses any more (folded shape constants' sources).
  const used = new Set<string>(outputs);
  for (const n of kept) for (const i of n.input ?? []) if (i) used.add(i);
  for (const name of [...initializers.keys()]) if (!used.has(name)) initializers.delete(name);

  const valueInfo = (name: string): onnx.ValueInfoProto => {
    const ti = info.get(name);
    if (!ti) throw new TrainingGraphError(`tensor "${name}" has no inferred shape`);
    return makeValueInfo(name, ti);
  };
  const specialized = onnx.ModelProto.create({
    ...model,
    graph: onnx.GraphProto.create({
      name: graph.name ?? 'specialized',
      node: kept,
      initializer: [...initializers.values()],
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    }),
  });
  return { nodes: kept, initializers, inputs, outputs, info, consts, opset, model: specialized };
}

function floatInitConst(t: TensorProto | undefined): ConstValue | undefined {
  if (!t || t.dataType !== DataType.FLOAT) return undefined;
  return tensorConst(t);
}

/** A build-time constant: folded values, or a small float initializer read as an attribute. */
export function constantOf(sg: SpecializedGraph, name: string): ConstValue | undefined {
  return sg.consts.get(name) ?? floatInitConst(sg.initializers.get(name));
}

export function makeValueInfo(name: string, ti: TensorInfo): onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: ti.dataType, shape: { dim: ti.dims.map((d) => ({ dimValue: d })) } } },
  });
}

/** Orders nodes so that every input is produced before use (ONNX requires it, but be lenient). */
export function topoSort(nodes: readonly NodeProto[], available: Set<string>): NodeProto[] {
  const have = new Set(available);
  const pending = nodes.slice();
  const out: NodeProto[] = [];
  while (pending.length) {
    const before = pending.length;
    for (let i = 0; i < pending.length;) {
      const n = pending[i]!;
      if ((n.input ?? []).every((x) => !x || have.has(x))) {
        out.push(n);
        for (const o of n.output ?? []) if (o) have.add(o);
        pending.splice(i, 1);
      } else i++;
    }
    if (pending.length === before) {
      const n = pending[0]!;
      const missing = (n.input ?? []).filter((x) => x && !have.has(x));
      throw new TrainingGraphError(
        `node "${n.name}" (${n.opType}) uses tensors that nothing produces: ${missing.join(', ')}`,
      );
    }
  }
  return out;
}
