/**
 * Shape arithmetic of single ops: broadcasting, convolution and pooling windows, Slice and Reshape
 * parameters. Shared by shape inference and the gradient rules, which must agree on the geometry.
 */
import {
  getAttribute,
  getIntAttribute,
  getIntsAttribute,
  getStringAttribute,
  type NodeProto,
} from '../onnx/model-io';
import { TrainingGraphError, failShapeInference } from './errors';

/** What is statically known of a tensor: its shape and element type. */
export interface TensorInfo {
  dims: number[];
  dataType: number;
}

export function numel(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function broadcastShapes(a: readonly number[], b: readonly number[], node?: NodeProto): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      if (node) failShapeInference(node, `shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
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
  if (transposed)
    failShapeInference(node, `auto_pad=${autoPad} on ConvTranspose is not supported; give explicit pads`);
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
  if (kernel.length !== r) failShapeInference(node, 'kernel_shape missing');
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
    failShapeInference(node, 'ConvTranspose output_shape is not supported; give pads and output_padding');
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

export function reshapeDims(inDims: number[], shape: number[], node: NodeProto): number[] {
  const allowZero = getIntAttribute(node, 'allowzero', 0) === 1;
  const out = shape.map((s, i) => (s === 0 && !allowZero ? inDims[i]! : s));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = numel(inDims);
  return out.map((d) => (d === -1 ? total / known : d));
}
