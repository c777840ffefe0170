/**
 * fp16 → fp32 conversion of an ONNX graph: weights and Constant tensors become FLOAT, every tensor
 * type annotation that said FLOAT16 says FLOAT, and the Cast nodes that only moved values between
 * the two float types are removed by rewiring their consumers. The result computes in fp32
 * throughout, which the CPU provider runs faster and the training graphs need (gradients in fp16
 * underflow).
 */
import {
  DataType,
  halfToFloat,
  makeFloatTensor,
  tensorToFloat32,
  toNumber,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  onnx,
} from '@oneshot-roto/onnx-train';

let halfTable: Float32Array | undefined;

/** fp16 raw bytes → Float32Array through a 64 Ki-entry table (44 M weights: ~10× faster than per-value decoding). */
function halfBytesToFloat32(raw: Uint8Array, n: number): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h);
  }
  const aligned = raw.byteOffset % 2 === 0 ? raw : new Uint8Array(raw); // copies (Buffer.slice would not)
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = halfTable[halves[i]!]!;
  return out;
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16]);

function toFloat32Tensor(t: TensorProto): onnx.TensorProto {
  const dims = (t.dims ?? []).map(toNumber);
  const n = dims.reduce((a, b) => a * b, 1);
  const isLittleEndianRaw = t.dataType === DataType.FLOAT16 && t.rawData && t.rawData.length === 2 * n;
  const data = isLittleEndianRaw ? halfBytesToFloat32(t.rawData!, n) : tensorToFloat32(t);
  const converted = makeFloatTensor(t.name ?? '', dims, data);
  if (t.docString) converted.docString = t.docString;
  return converted;
}

function convertValueInfoTypes(infos: onnx.IValueInfoProto[] | null | undefined): number {
  let n = 0;
  for (const vi of infos ?? []) {
    const tt = vi.type?.tensorType;
    if (tt && tt.elemType === DataType.FLOAT16) {
      tt.elemType = DataType.FLOAT;
      n++;
    }
  }
  return n;
}

export interface Fp32ConversionReport {
  initializers: number;
  constants: number;
  castsRemoved: number;
}

/** Converts FLOAT16 initializers, Constant node values and type annotations to FLOAT (in place). */
export function convertWeightsToFloat32(model: ModelProto): Omit<Fp32ConversionReport, 'castsRemoved'> {
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  let initializers = 0;
  graph.initializer = (graph.initializer ?? []).map((t) => {
    if (t.dataType !== DataType.FLOAT16) return t as onnx.TensorProto;
    initializers++;
    return toFloat32Tensor(t);
  });
  let constants = 0;
  for (const node of graph.node ?? []) {
    for (const attr of node.attribute ?? []) {
      if (attr.t && attr.t.dataType === DataType.FLOAT16) {
        attr.t = toFloat32Tensor(attr.t);
        constants++;
      }
    }
    // A Cast *to* FLOAT16 that stays (e.g. from an integer) must now produce FLOAT.
    if (node.opType === 'Cast') {
      const to = (node.attribute ?? []).find((a) => a.name === 'to');
      if (to && toNumber(to.i) === DataType.FLOAT16) to.i = DataType.FLOAT;
    }
  }
  convertValueInfoTypes(graph.input);
  convertValueInfoTypes(graph.output);
  convertValueInfoTypes(graph.valueInfo);
  return { initializers, constants };
}

function castTarget(node: NodeProto): number {
  const to = (node.attribute ?? []).find((a) => a.name === 'to');
  return to ? toNumber(to.i) : -1;
}

/**
 * Removes Cast nodes between float types. Each removed Cast's output name is replaced by its input
 * name everywhere — except when the output is a graph output, where the producer's tensor is
 * renamed instead so that the graph keeps its output names (e.g. `output`).
 * `floatTensors` says which Cast inputs are floating point; Casts from other types are kept.
 */
export function removeFloatCasts(model: ModelProto, isFloatTensor: (name: string) => boolean): number {
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const graphInputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
  // Union of names that become one tensor; the representative is the graph input/output name if any.
  const parent = new Map<string, string>();
  const find = (n: string): string => {
    let r = n;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const removed = new Set<NodeProto>();
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Cast' || !FLOAT_TYPES.has(castTarget(node))) continue;
    const input = node.input?.[0] ?? '';
    const output = node.output?.[0] ?? '';
    if (!isFloatTensor(input)) continue;
    const a = find(input);
    const b = find(output);
    if (a === b) continue;
    const aPinned = graphOutputs.has(a) || graphInputs.has(a);
    const bPinned = graphOutputs.has(b) || graphInputs.has(b);
    if (aPinned && bPinned) continue; // keeps this Cast: two public names can't merge
    if (bPinned) parent.set(a, b);
    else parent.set(b, a);
    removed.add(node);
  }
  graph.node = (graph.node ?? []).filter((n) => !removed.has(n));
  for (const node of graph.node) {
    node.input = (node.input ?? []).map((n) => (n === '' ? n : find(n)));
    node.output = (node.output ?? []).map((n) => find(n));
  }
  return removed.size;
}

/** Full conversion: weights/constants to fp32 and the float Casts removed. */
export function convertModelToFloat32(model: ModelProto): Fp32ConversionReport {
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const { initializers, constants } = convertWeightsToFloat32(model);
  const floatTensors = collectFloatTensorNames(model);
  const castsRemoved = removeFloatCasts(model, (n) => floatTensors.has(n));
  // The old annotations name removed tensors and describe shapes of another resolution.
  graph.valueInfo = [];
  return { initializers, constants, castsRemoved };
}

/** Names of tensors known to be floating point: float inputs/initializers, float value_info, Cast-to-float outputs and the outputs of float ops. */
function collectFloatTensorNames(model: ModelProto): Set<string> {
  const graph = model.graph!;
  const names = new Set<string>();
  for (const vi of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) {
    const et = vi.type?.tensorType?.elemType;
    if (et !== undefined && et !== null && FLOAT_TYPES.has(et)) names.add(vi.name ?? '');
  }
  for (const t of graph.initializer ?? []) if (FLOAT_TYPES.has(t.dataType ?? 0)) names.add(t.name ?? '');
  const floatOps = new Set([
    'Conv',
    'ConvTranspose',
    'Relu',
    'MaxPool',
    'AveragePool',
    'Resize',
    'Sigmoid',
    'Add',
    'Mul',
    'Sub',
    'Div',
    'Concat',
    'BatchNormalization',
  ]);
  for (const node of graph.node ?? []) {
    const out = node.output?.[0];
    if (!out) continue;
    if (node.opType === 'Cast' && FLOAT_TYPES.has(castTarget(node))) names.add(out);
    else if (floatOps.has(node.opType ?? '') && (node.input ?? []).some((i) => names.has(i))) names.add(out);
  }
  return names;
}
