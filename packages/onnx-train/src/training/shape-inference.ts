/**
 * Static shape inference over a whole graph: nodes are visited in topological order, those whose
 * inputs are all constants are folded (their values computed here), every other node gets the
 * shapes of its outputs from the per-op rules. Both the training engine's specialisation and the
 * parent model's preparation at a working resolution run on this walk.
 */
import { DataType, dimsOf, getAttribute, onnx, type NodeProto, type TensorProto } from '../onnx/model-io';
import {
  INT_TYPES,
  evalConst,
  floatInitConst,
  constToTensor,
  tensorConst,
  type ConstValue,
} from './const-fold';
import { failShapeInference } from './errors';
import { inferOpShapes } from './op-shapes';
import type { TensorInfo } from './shape-geometry';
import { topoSort } from './topo-sort';

/** What the walk knows of the tensors so far: shapes, and the values of constants. */
export interface ShapeState {
  info: Map<string, TensorInfo>;
  consts: Map<string, ConstValue>;
}

export interface ShapeInferenceOptions {
  /** Shapes the model declares (value_info), taken for the outputs of ops the rules do not know. */
  declared?: ReadonlyMap<string, TensorInfo>;
  /** Fail at an op the rules do not know instead of leaving its outputs without shape. */
  strict?: boolean;
  /** Runs before each node is inferred; may rewrite the node and what `state` knows. */
  onNode?: (node: NodeProto, state: ShapeState) => void;
}

export interface InferredGraph extends ShapeState {
  /** The nodes that still compute something, in topological order (folded ones left out). */
  kept: NodeProto[];
  /** Folded outputs, and the values of Constant nodes too large to fold, as tensors named after them. */
  folded: TensorProto[];
}

/**
 * Infers every tensor's shape. `initializers` are the graph's weights and constants (integer ones
 * take part in folding); `inputs` give the shapes of the remaining graph inputs.
 */
export function inferGraph(
  nodes: readonly NodeProto[],
  initializers: ReadonlyMap<string, TensorProto>,
  inputs: ReadonlyMap<string, TensorInfo>,
  options: ShapeInferenceOptions = {},
): InferredGraph {
  const info = new Map<string, TensorInfo>();
  const consts = new Map<string, ConstValue>();
  for (const [name, t] of initializers) {
    info.set(name, { dims: dimsOf(t), dataType: t.dataType ?? DataType.FLOAT });
    if (INT_TYPES.has(t.dataType ?? 0)) {
      const c = tensorConst(t);
      if (c) consts.set(name, c);
    }
  }
  for (const [name, t] of inputs) info.set(name, t);
  const state: ShapeState = { info, consts };
  // Folded outputs become tensors too: later nodes may read small float ones as attributes.
  const tensors = new Map(initializers);
  const kept: NodeProto[] = [];
  const folded: TensorProto[] = [];
  for (const node of topoSort(nodes, new Set([...initializers.keys(), ...inputs.keys()]))) {
    options.onNode?.(node, state);
    const ins = (node.input ?? []).map((n) => (n ? consts.get(n) : undefined));
    const infos = (node.input ?? []).map((n) => (n ? info.get(n) : undefined));
    const allConst = (node.input ?? []).every((n, i) => !n || ins[i] !== undefined);
    const foldable =
      node.opType === 'Shape' || node.opType === 'Constant' || (allConst && (node.input ?? []).length > 0);
    const value = foldable ? evalConst(node, ins, infos) : undefined;
    // Small float initializers (Resize scales...) may be read as attributes, but are never folded:
    // they could be trainable parameters.
    const lookups = ins.map(
      (c, i) => c ?? (node.input?.[i] ? floatInitConst(tensors.get(node.input[i])) : undefined),
    );
    if (value) {
      value.forEach((c, i) => {
        const name = node.output![i]!;
        consts.set(name, c);
        info.set(name, { dims: c.dims, dataType: c.dataType });
        const t = constToTensor(name, c);
        tensors.set(name, t);
        folded.push(t);
      });
      continue;
    }
    if (node.opType === 'Constant') {
      // A large float Constant: keep its tensor as an initializer.
      const t = getAttribute(node, 'value')?.t;
      if (!t) failShapeInference(node, 'unsupported Constant attribute');
      const copy = onnx.TensorProto.create({ ...t, name: node.output![0]! });
      tensors.set(copy.name, copy);
      folded.push(copy);
      info.set(copy.name, { dims: dimsOf(copy), dataType: copy.dataType ?? DataType.FLOAT });
      continue;
    }
    const outs = inferOpShapes(node, infos, lookups);
    if (!outs && options.strict) failShapeInference(node, 'shape inference does not know this op');
    // An unknown op's outputs get the shapes the model declares, if any; a consumer that needs an
    // unknown shape fails with a message naming its input.
    (node.output ?? []).forEach((o, i) => {
      const t = outs?.[i] ?? (o ? options.declared?.get(o) : undefined);
      if (o && t) info.set(o, t);
    });
    kept.push(node);
  }
  return { info, consts, kept, folded };
}
