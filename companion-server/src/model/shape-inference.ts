/**
 * Static shape inference for the ops of ISNet-like graphs (Conv, pooling, Resize, Concat, Add,
 * activations, and the Shape/Slice/Concat/Constant arithmetic that feeds Resize sizes). The batch
 * dimension is carried as 1 and reported separately, so the result is valid for any batch.
 */
import {
  DataType,
  getAttribute,
  getIntAttribute,
  getIntsAttribute,
  tensorToInts,
  toNumber,
  type GraphProto,
  type NodeProto,
} from '../onnx/model-io';
import { ModelError } from './errors';

export interface InferredTensor {
  shape: number[];
  elemType: number;
  /** Known values of small integer tensors (shapes and sizes). */
  value?: number[];
}

export type ShapeMap = Map<string, InferredTensor>;

function convOutput(
  inSize: number,
  k: number,
  s: number,
  d: number,
  padBegin: number,
  padEnd: number,
  ceil: boolean,
): number {
  const span = inSize + padBegin + padEnd - d * (k - 1) - 1;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  // As PyTorch and onnxruntime do: the last window must start inside the input or the leading pad.
  if ((out - 1) * s >= inSize + padBegin) out--;
  return out;
}

function spatialWindowShape(
  node: NodeProto,
  input: number[],
  kernel: number[],
  outChannels: number,
): number[] {
  const nSpatial = input.length - 2;
  const autoPad = getAttribute(node, 'auto_pad');
  if (autoPad?.s && autoPad.s.length > 0 && Buffer.from(autoPad.s).toString() !== 'NOTSET') {
    throw new ModelError(
      'UNSUPPORTED_GRAPH',
      `${node.opType} node ${node.name ?? ''} uses auto_pad, which shape inference does not handle`,
    );
  }
  const strides = getIntsAttribute(node, 'strides', new Array<number>(nSpatial).fill(1));
  const dilations = getIntsAttribute(node, 'dilations', new Array<number>(nSpatial).fill(1));
  const pads = getIntsAttribute(node, 'pads', new Array<number>(2 * nSpatial).fill(0));
  const ceil = getIntAttribute(node, 'ceil_mode', 0) === 1;
  const out = [input[0]!, outChannels];
  for (let i = 0; i < nSpatial; i++) {
    out.push(
      convOutput(input[2 + i]!, kernel[i]!, strides[i]!, dilations[i]!, pads[i]!, pads[i + nSpatial]!, ceil),
    );
  }
  return out;
}

function broadcast(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new ModelError(
        'UNSUPPORTED_GRAPH',
        `cannot broadcast shapes [${a.join(',')}] and [${b.join(',')}]`,
      );
    out.push(Math.max(x, y));
  }
  return out;
}

function sliceValues(
  values: number[],
  starts: number[],
  ends: number[],
  axes: number[],
  steps: number[],
): number[] {
  if (axes.length > 1 || (axes[0] ?? 0) !== 0)
    throw new ModelError('UNSUPPORTED_GRAPH', 'Slice of a shape tensor along an axis other than 0');
  const len = values.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + len : v, 0), len);
  const step = steps[0] ?? 1;
  if (step !== 1)
    throw new ModelError('UNSUPPORTED_GRAPH', 'Slice of a shape tensor with a step other than 1');
  return values.slice(clamp(starts[0]!), clamp(ends[0]!));
}

/** Nodes in an order where every input is produced before use (exports don't always store one). */
export function topologicalOrder(graph: GraphProto, available: Set<string>): NodeProto[] {
  const nodes = graph.node ?? [];
  const known = new Set(available);
  for (const t of graph.initializer ?? []) known.add(t.name ?? '');
  const waiting = new Map<string, number[]>();
  const missing = nodes.map((node, i) => {
    const need = new Set((node.input ?? []).filter((n) => n !== '' && !known.has(n)));
    for (const n of need) waiting.set(n, [...(waiting.get(n) ?? []), i]);
    return need.size;
  });
  const ready = nodes.map((_, i) => i).filter((i) => missing[i] === 0);
  const order: NodeProto[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(nodes[i]!);
    for (const out of nodes[i]!.output ?? []) {
      if (known.has(out)) continue;
      known.add(out);
      for (const j of waiting.get(out) ?? []) if (--missing[j]! === 0) ready.push(j);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => missing[i]! > 0);
    throw new ModelError(
      'UNSUPPORTED_GRAPH',
      `the graph has a cycle or an input no node produces (first stuck node: ${stuck?.opType} ${stuck?.name ?? ''})`,
    );
  }
  return order;
}

/**
 * Infers every tensor's shape in topological order. `initial` gives the graph inputs (batch as 1).
 * `onNode` runs before each node's inference and may rewrite the node (used to fix Resize sizes).
 */
export function inferShapes(
  graph: GraphProto,
  initial: ShapeMap,
  onNode?: (node: NodeProto, shapes: ShapeMap) => void,
): ShapeMap {
  const shapes: ShapeMap = new Map(initial);
  for (const t of graph.initializer ?? []) {
    const dims = (t.dims ?? []).map(toNumber);
    const isInt = t.dataType === DataType.INT64 || t.dataType === DataType.INT32;
    shapes.set(t.name ?? '', {
      shape: dims,
      elemType: t.dataType ?? 0,
      value: isInt && dims.length <= 1 ? tensorToInts(t) : undefined,
    });
  }
  const get = (name: string | undefined, node: NodeProto): InferredTensor => {
    const t = shapes.get(name ?? '');
    if (!t)
      throw new ModelError(
        'UNSUPPORTED_GRAPH',
        `${node.opType} node ${node.name ?? ''}: input ${name} has no known shape (graph not in topological order?)`,
      );
    return t;
  };
  for (const node of topologicalOrder(graph, new Set(shapes.keys()))) {
    onNode?.(node, shapes);
    const ins = node.input ?? [];
    const out = node.output?.[0] ?? '';
    const op = node.opType ?? '';
    switch (op) {
      case 'Constant': {
        const t = getAttribute(node, 'value')?.t;
        if (!t)
          throw new ModelError('UNSUPPORTED_GRAPH', `Constant node ${node.name ?? ''} has no tensor value`);
        const dims = (t.dims ?? []).map(toNumber);
        const isInt = t.dataType === DataType.INT64 || t.dataType === DataType.INT32;
        shapes.set(out, {
          shape: dims,
          elemType: t.dataType ?? 0,
          value: isInt && dims.length <= 1 ? tensorToInts(t) : undefined,
        });
        break;
      }
      case 'Conv': {
        const x = get(ins[0], node);
        const w = get(ins[1], node);
        shapes.set(out, {
          shape: spatialWindowShape(node, x.shape, w.shape.slice(2), w.shape[0]!),
          elemType: x.elemType,
        });
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const x = get(ins[0], node);
        const kernel = getIntsAttribute(node, 'kernel_shape', []);
        shapes.set(out, {
          shape: spatialWindowShape(node, x.shape, kernel, x.shape[1]!),
          elemType: x.elemType,
        });
        if ((node.output ?? []).length > 1 && node.output![1])
          throw new ModelError('UNSUPPORTED_GRAPH', 'MaxPool with indices output');
        break;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Identity':
        shapes.set(out, { ...get(ins[0], node) });
        break;
      case 'Cast': {
        const x = get(ins[0], node);
        shapes.set(out, {
          shape: x.shape,
          elemType: getIntAttribute(node, 'to', x.elemType),
          value: x.value,
        });
        break;
      }
      case 'Add':
      case 'Mul':
      case 'Sub':
      case 'Div': {
        const a = get(ins[0], node);
        const b = get(ins[1], node);
        shapes.set(out, { shape: broadcast(a.shape, b.shape), elemType: a.elemType });
        break;
      }
      case 'Concat': {
        const parts = ins.map((n) => get(n, node));
        const first = parts[0];
        if (!first) throw new ModelError('UNSUPPORTED_GRAPH', `Concat node ${node.name ?? ''} has no inputs`);
        const rank = first.shape.length;
        let axis = getIntAttribute(node, 'axis', 0);
        if (axis < 0) axis += rank;
        const shape = first.shape.slice();
        shape[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
        for (const p of parts) {
          if (p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== shape[i])) {
            throw new ModelError(
              'UNSUPPORTED_GRAPH',
              `Concat node ${node.name ?? ''}: input shapes [${parts.map((q) => `[${q.shape.join(',')}]`).join(', ')}] do not agree outside axis ${axis}`,
            );
          }
        }
        const values = parts.every((p) => p.value) ? parts.flatMap((p) => p.value!) : undefined;
        shapes.set(out, { shape, elemType: first.elemType, value: values });
        break;
      }
      case 'Shape': {
        const x = get(ins[0], node);
        shapes.set(out, { shape: [x.shape.length], elemType: DataType.INT64, value: x.shape.slice() });
        break;
      }
      case 'Slice': {
        const x = get(ins[0], node);
        const arg = (i: number, fallback: number[]) =>
          ins[i] ? (get(ins[i], node).value ?? fallback) : fallback;
        const starts = arg(1, [0]);
        const ends = arg(2, [Number.MAX_SAFE_INTEGER]);
        if (!x.value)
          throw new ModelError(
            'UNSUPPORTED_GRAPH',
            `Slice node ${node.name ?? ''} on a non-constant tensor is not supported by shape inference`,
          );
        const value = sliceValues(x.value, starts, ends, arg(3, [0]), arg(4, [1]));
        shapes.set(out, { shape: [value.length], elemType: x.elemType, value });
        break;
      }
      case 'Resize': {
        const x = get(ins[0], node);
        const sizes = ins[3] ? get(ins[3], node).value : undefined;
        const scales = ins[2] ? get(ins[2], node).value : undefined;
        let shape: number[];
        if (sizes && sizes.length === x.shape.length) shape = [x.shape[0]!, ...sizes.slice(1)];
        else if (scales) shape = x.shape.map((d, i) => Math.floor(d * scales[i]!));
        else
          throw new ModelError(
            'UNSUPPORTED_GRAPH',
            `Resize node ${node.name ?? ''}: sizes are not statically known`,
          );
        shapes.set(out, { shape, elemType: x.elemType });
        break;
      }
      default:
        throw new ModelError(
          'UNSUPPORTED_GRAPH',
          `shape inference does not know op ${op} (node ${node.name ?? ''})`,
        );
    }
  }
  return shapes;
}
