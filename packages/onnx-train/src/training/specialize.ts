/**
 * Specialising a forward model to fixed input shapes for the training engine.
 *
 * Train-step graphs need every tensor's shape at build time (interpolation matrices, padding of
 * gradients, reductions over broadcast axes), so the forward model is first *specialised* to the
 * given input shapes: shape computations (Shape → Slice/Gather → Concat → Resize sizes, as
 * exported by PyTorch) are evaluated and replaced by constants, and every remaining tensor gets a
 * static shape (shape-inference.ts). This module checks the inputs and assembles the result.
 */
import {
  onnx,
  DataType,
  toNumber,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../onnx/model-io';
import { floatInitConst, type ConstValue } from './const-fold';
import { TrainingGraphError } from './errors';
import type { TensorInfo } from './shape-geometry';
import { inferGraph } from './shape-inference';

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

/** Static dims of a value_info, -1 where a dimension is symbolic or missing. */
function declaredDims(vi: onnx.IValueInfoProto): number[] {
  return (vi.type?.tensorType?.shape?.dim ?? []).map((d) =>
    d.dimValue !== null && d.dimValue !== undefined ? toNumber(d.dimValue) : -1,
  );
}

/** The graph inputs' shapes: those given, else those the model declares; all must be static. */
function inputInfos(
  graph: onnx.IGraphProto,
  initializers: ReadonlyMap<string, TensorProto>,
  inputShapes: Record<string, readonly number[]>,
): Map<string, TensorInfo> {
  const inputs = new Map<string, TensorInfo>();
  for (const vi of graph.input ?? []) {
    const name = vi.name ?? '';
    if (initializers.has(name)) continue;
    const declared = declaredDims(vi);
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
    inputs.set(name, { dims, dataType: vi.type?.tensorType?.elemType ?? DataType.FLOAT });
  }
  for (const name of Object.keys(inputShapes)) {
    if (!inputs.has(name))
      throw new TrainingGraphError(
        `input shape given for "${name}", which is not a graph input (inputs: ${[...inputs.keys()].join(', ')})`,
      );
  }
  return inputs;
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
  const inputInfo = inputInfos(graph, initializers, inputShapes);
  const inputs = [...inputInfo.keys()];

  // Shapes the model declares stand in for the outputs of ops the inference does not know.
  const declared = new Map<string, TensorInfo>();
  for (const vi of graph.valueInfo ?? []) {
    const dims = declaredDims(vi);
    if (vi.name && vi.type?.tensorType?.shape && dims.every((d) => d > 0))
      declared.set(vi.name, { dims, dataType: vi.type.tensorType.elemType ?? DataType.FLOAT });
  }
  const { kept, folded, info, consts } = inferGraph(graph.node ?? [], initializers, inputInfo, { declared });
  for (const t of folded) initializers.set(t.name ?? '', t);

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
