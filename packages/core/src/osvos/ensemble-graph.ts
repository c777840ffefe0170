/**
 * One ONNX graph for an ensemble of fine-tunes of one parent. The networks differ only in their
 * trained parameters, so the graph keeps the frozen part once and clones, per further network,
 * only the nodes that depend on trained parameters on the way to the main output; its output is the
 * mean of the networks' outputs. Each frame then runs the frozen encoder once instead of once per
 * network, with the same result as averaging the networks' maps.
 */
import { dimsOf, makeFloatTensor, onnx, type ModelProto, type NodeProto } from '@oneshot-roto/onnx-train';

/** The ensemble graph's output: the mean of the networks' foreground probabilities. */
export const ENSEMBLE_OUTPUT = 'ensemble/mean';

/**
 * `base` is the parent with the first network's parameters baked in; `members` are the further
 * networks' parameters (the same names as the first's). `mainOutput` names the output to average.
 */
export function buildEnsembleGraph(
  base: ModelProto,
  members: readonly ReadonlyMap<string, Float32Array>[],
  mainOutput: string,
): ModelProto {
  const graph = base.graph;
  if (!graph) throw new Error('the model has no graph');
  if (members.length === 0) return base;
  const trained = new Set(members[0]!.keys());
  const nodes = graph.node ?? [];
  // The cone of the trained parameters: nodes reading one, or reading such a node's output
  // (ONNX nodes are stored in topological order).
  const coneOutputs = new Set<string>();
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) {
    const inCone = (n.input ?? []).some((i) => trained.has(i) || coneOutputs.has(i));
    if (!inCone) continue;
    for (const o of n.output ?? []) {
      coneOutputs.add(o);
      producer.set(o, n);
    }
  }
  const last = nodes.find((n) => (n.output ?? []).includes(mainOutput));
  if (last?.opType !== 'Sigmoid')
    throw new Error(
      `output "${mainOutput}" is not a probability (made by ${last?.opType ?? 'nothing'}); only probabilities average`,
    );
  if (!coneOutputs.has(mainOutput))
    throw new Error(`output "${mainOutput}" does not depend on the fine-tuned parameters`);
  // Only what the main output needs: walk back from it through the cone.
  const needed = new Set<NodeProto>();
  const stack = [mainOutput];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.input ?? []) if (coneOutputs.has(i)) stack.push(i);
  }
  const cloned = nodes.filter((n) => needed.has(n));

  const byName = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const extraNodes: onnx.INodeProto[] = [];
  const extraInitializers: onnx.ITensorProto[] = [];
  const memberOutputs = [mainOutput];
  members.forEach((params, k) => {
    const rename = (name: string) => `ensemble/${k + 1}/${name}`;
    for (const [name, data] of params) {
      const t = byName.get(name);
      if (!t) throw new Error(`the model has no initializer "${name}" for ensemble network ${k + 1}`);
      extraInitializers.push(makeFloatTensor(rename(name), dimsOf(t), data));
    }
    for (const n of cloned) {
      extraNodes.push(
        onnx.NodeProto.create({
          ...n,
          name: rename(n.name ?? ''),
          input: (n.input ?? []).map((i) => (trained.has(i) || coneOutputs.has(i) ? rename(i) : i)),
          output: (n.output ?? []).map(rename),
        }),
      );
    }
    memberOutputs.push(rename(mainOutput));
  });
  extraInitializers.push(makeFloatTensor('ensemble/scale', [], Float32Array.of(1 / memberOutputs.length)));
  extraNodes.push(
    onnx.NodeProto.create({
      name: 'ensemble/sum',
      opType: 'Sum',
      input: memberOutputs,
      output: ['ensemble/sum'],
    }),
    onnx.NodeProto.create({
      name: 'ensemble/mean',
      opType: 'Mul',
      input: ['ensemble/sum', 'ensemble/scale'],
      output: [ENSEMBLE_OUTPUT],
    }),
  );
  const main = (graph.output ?? []).find((o) => o.name === mainOutput);
  if (!main) throw new Error(`the model has no output "${mainOutput}"`);
  return onnx.ModelProto.create({
    ...base,
    graph: onnx.GraphProto.create({
      ...graph,
      node: [...nodes, ...extraNodes],
      initializer: [...(graph.initializer ?? []), ...extraInitializers],
      output: [onnx.ValueInfoProto.create({ ...main, name: ENSEMBLE_OUTPUT })],
    }),
  });
}
