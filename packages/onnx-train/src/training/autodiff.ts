/**
 * Reverse-mode differentiation of a specialised forward graph. Only nodes that lie both on a path
 * from a trainable parameter and on a path to a seeded tensor get gradient nodes, so frozen
 * prefixes cost their forward pass only.
 */
import { DataType, onnx, type NodeProto } from '../onnx/model-io';
import { TrainingGraphError, UnsupportedGradientError } from './errors';
import {
  GRADIENT_RULES,
  type ConvInputGradient,
  type ConvWeightGradient,
  type GradContext,
} from './gradient-rules';
import type { GraphBuilder } from './graph-builder';
import { constantOf, type SpecializedGraph } from './specialize';

export interface GradientResult {
  /** Gradient tensor of each parameter that influences the seeds. */
  paramGrads: Map<string, string>;
  /** Parameters asked for that do not influence the seeds (no gradient). */
  unreachedParams: string[];
  /** Gradient tensor of every forward tensor that got one. */
  gradientOf: Map<string, string>;
  /** Forward nodes that got gradient nodes (names). */
  differentiatedNodes: string[];
  /** Forward nodes, possibly edited (MaxPool gets its Indices output), to place before the gradient nodes. */
  forwardNodes: NodeProto[];
}

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16]);

/**
 * Emits, into `b`, nodes computing d(loss)/d(param) for `params`, given the gradients `seeds`
 * (forward tensor → name of its gradient tensor, already in `b`).
 */
export function differentiate(
  sg: SpecializedGraph,
  b: GraphBuilder,
  params: readonly string[],
  seeds: Map<string, string>,
  opts: { convInputGradient: ConvInputGradient; convWeightGradient: ConvWeightGradient },
): GradientResult {
  const isFloat = (name: string) => FLOAT_TYPES.has(sg.info.get(name)?.dataType ?? -1);
  const dependent = new Set<string>(params);
  for (const node of sg.nodes) {
    if ((node.input ?? []).some((i) => i && dependent.has(i)))
      for (const o of node.output ?? []) if (o && isFloat(o)) dependent.add(o);
  }
  const reaches = new Set<string>(seeds.keys());
  for (let k = sg.nodes.length - 1; k >= 0; k--) {
    const node = sg.nodes[k]!;
    if ((node.output ?? []).some((o) => o && reaches.has(o)))
      for (const i of node.input ?? []) if (i) reaches.add(i);
  }

  // Forward nodes needed to compute the seeded tensors (others, e.g. unused outputs, are dropped).
  const forwardNodes: NodeProto[] = [];
  const active: NodeProto[] = [];
  for (const node of sg.nodes) {
    if (!(node.output ?? []).some((o) => o && reaches.has(o))) continue;
    const isActive = (node.input ?? []).some((i) => i && dependent.has(i));
    if (isActive && node.opType === 'MaxPool' && (node.output ?? []).length < 2) {
      const copy = onnx.NodeProto.create({
        ...node,
        output: [node.output![0]!, b.fresh(`${node.output![0]}__indices`)],
      });
      sg.info.set(copy.output[1]!, { dims: sg.info.get(node.output![0]!)!.dims, dataType: DataType.INT64 });
      forwardNodes.push(copy);
      active.push(copy);
      continue;
    }
    forwardNodes.push(node);
    if (isActive) active.push(node);
  }

  const contributions = new Map<string, string[]>();
  const gradientOf = new Map<string, string>();
  const add = (t: string, g: string) => {
    const list = contributions.get(t) ?? [];
    list.push(g);
    contributions.set(t, list);
  };
  const finalize = (t: string): string | undefined => {
    const existing = gradientOf.get(t);
    if (existing) return existing;
    const list = contributions.get(t);
    if (!list || list.length === 0) return undefined;
    const g = list.length === 1 ? list[0]! : b.op('Sum', list, {}, `grad/${t}`);
    gradientOf.set(t, g);
    return g;
  };
  for (const [t, g] of seeds) add(t, g);

  const ctx: GradContext = {
    b,
    info: (name) => {
      const i = sg.info.get(name);
      if (!i) throw new TrainingGraphError(`internal: no shape for tensor "${name}"`);
      return i;
    },
    constant: (name) => constantOf(sg, name),
    convInputGradient: opts.convInputGradient,
    convWeightGradient: opts.convWeightGradient,
    zero: b.scalar(0, 'zero'),
    one: b.scalar(1, 'one'),
  };

  const differentiatedNodes: string[] = [];
  for (let k = active.length - 1; k >= 0; k--) {
    const node = active[k]!;
    const dOut = (node.output ?? []).map((o) => (o ? finalize(o) : undefined));
    if (dOut.every((d) => d === undefined)) continue;
    const need = (node.input ?? []).map((i) => !!i && dependent.has(i) && reaches.has(i));
    if (!need.some(Boolean)) continue;
    const rule = GRADIENT_RULES[node.opType ?? ''];
    const nodeName = node.name || node.output?.[0] || '?';
    if (!rule)
      throw new UnsupportedGradientError(
        node.opType ?? '?',
        nodeName,
        'the training engine has no gradient rule for this op',
      );
    const before = b.nodes.length;
    const dIn = rule(ctx, node, dOut, need);
    for (let j = before; j < b.nodes.length; j++) b.nodes[j]!.name = `grad/${nodeName}/${b.nodes[j]!.name}`;
    differentiatedNodes.push(nodeName);
    dIn.forEach((g, i) => {
      if (g && need[i]) add(node.input![i]!, g);
    });
  }

  const paramGrads = new Map<string, string>();
  const unreachedParams: string[] = [];
  for (const p of params) {
    const g = finalize(p);
    if (g) paramGrads.set(p, g);
    else unreachedParams.push(p);
  }
  return { paramGrads, unreachedParams, gradientOf, differentiatedNodes, forwardNodes };
}
