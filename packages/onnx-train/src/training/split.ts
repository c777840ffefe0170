/**
 * Splitting a forward model at the frozen/trainable boundary. The prefix (everything that depends
 * on no trainable parameter) becomes a plain inference model whose outputs are the activations
 * entering the trainable part; the suffix takes those activations as inputs. Fine-tuning then runs
 * the frozen prefix once per training sample and each train step only the suffix.
 */
import { DataType, onnx, type ModelProto, type NodeProto } from '../onnx/model-io';
import { TrainingGraphError } from './errors';
import { makeValueInfo, specializeModel, type SpecializedGraph } from './specialize';
import { selectParameters, type TrainableSelector, type TensorSpec } from './train-step';

export interface SplitOptions {
  trainable: TrainableSelector;
  inputShapes?: Record<string, readonly number[]>;
  /** Outputs the suffix computes (default: every model output that depends on a trainable parameter). */
  outputs?: readonly string[];
}

export interface SplitModel {
  /** Frozen part: the model's inputs → the boundary activations (inference only). */
  prefix: ModelProto;
  /** Trainable part: boundary activations (and any model input it reads directly) → outputs. */
  suffix: ModelProto;
  /** Inputs of the suffix, in order: tensor names shared with the prefix's outputs or the model's inputs. */
  boundary: TensorSpec[];
  /** Parameters the selector picked (all live in the suffix). */
  trainable: string[];
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE]);

export function splitAtFrozenBoundary(model: ModelProto, options: SplitOptions): SplitModel {
  const sg = specializeModel(model, options.inputShapes ?? {});
  return splitSpecialized(sg, options);
}

export function splitSpecialized(sg: SpecializedGraph, options: SplitOptions): SplitModel {
  const { selected } = selectParameters(sg, options.trainable);
  if (selected.length === 0)
    throw new TrainingGraphError('no trainable parameters selected: nothing to split');
  const dependent = new Set<string>(selected);
  for (const n of sg.nodes) {
    if ((n.input ?? []).some((i) => i && dependent.has(i)))
      for (const o of n.output ?? [])
        if (o && FLOAT_TYPES.has(sg.info.get(o)?.dataType ?? -1)) dependent.add(o);
  }
  const outputs = options.outputs ? [...options.outputs] : sg.outputs.filter((o) => dependent.has(o));
  for (const o of outputs) {
    if (!sg.info.has(o)) throw new TrainingGraphError(`output "${o}" is not a tensor of the model`);
    if (!dependent.has(o))
      throw new TrainingGraphError(
        `output "${o}" depends on no trainable parameter; it belongs to the frozen prefix`,
      );
  }
  if (outputs.length === 0)
    throw new TrainingGraphError('no model output depends on the trainable parameters');

  const producer = new Map<string, NodeProto>();
  for (const n of sg.nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  // Suffix: dependent nodes needed for the outputs.
  const suffixNodes = new Set<NodeProto>();
  const boundarySet = new Set<string>();
  const stack = [...outputs];
  const seen = new Set<string>();
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const p = producer.get(t);
    if (!p) continue; // initializer or model input
    const isSuffix = (p.output ?? []).some((o) => dependent.has(o));
    if (!isSuffix) {
      boundarySet.add(t);
      continue;
    }
    suffixNodes.add(p);
    for (const i of p.input ?? []) {
      if (!i || sg.initializers.has(i)) continue;
      if (sg.inputs.includes(i)) boundarySet.add(i);
      else stack.push(i);
    }
  }
  const boundary = [...boundarySet].map((name) => ({ name, dims: sg.info.get(name)!.dims }));
  const prefixOutputs = boundary.filter((b) => !sg.inputs.includes(b.name)).map((b) => b.name);

  // Prefix: frozen nodes needed for the boundary.
  const prefixNodes = new Set<NodeProto>();
  const pstack = [...prefixOutputs];
  const pseen = new Set<string>();
  while (pstack.length) {
    const t = pstack.pop()!;
    if (pseen.has(t)) continue;
    pseen.add(t);
    const p = producer.get(t);
    if (!p) continue;
    prefixNodes.add(p);
    for (const i of p.input ?? []) if (i) pstack.push(i);
  }

  const vi = (name: string) => makeValueInfo(name, sg.info.get(name)!);
  const sub = (nodes: Set<NodeProto>, inputs: string[], outs: string[], name: string): ModelProto => {
    const ordered = sg.nodes.filter((n) => nodes.has(n));
    const used = new Set<string>(outs);
    for (const n of ordered) for (const i of n.input ?? []) if (i) used.add(i);
    return onnx.ModelProto.create({
      irVersion: sg.model.irVersion,
      opsetImport: sg.model.opsetImport,
      producerName: 'oneshot-roto training engine (split)',
      graph: onnx.GraphProto.create({
        name,
        node: ordered,
        initializer: [...sg.initializers.values()].filter((t) => used.has(t.name ?? '')),
        input: inputs.map(vi),
        output: outs.map(vi),
      }),
    });
  };
  const prefixInputs = sg.inputs.filter((i) => [...prefixNodes].some((n) => (n.input ?? []).includes(i)));
  return {
    prefix: sub(prefixNodes, prefixInputs, prefixOutputs, 'frozen_prefix'),
    suffix: sub(
      suffixNodes,
      boundary.map((b) => b.name),
      outputs,
      'trainable_suffix',
    ),
    boundary,
    trainable: selected,
  };
}
