/**
 * buildTrainStep: forward model + choice of trainable parameters → one ONNX graph computing the
 * loss, the gradients and the optimizer update. See README.md for its inputs and outputs.
 */
import { DataType, dimsOf, onnx, type ModelProto } from '../onnx/model-io';
import { differentiate } from './autodiff';
import type { ConvInputGradient, ConvWeightGradient } from './gradient-rules';
import { TrainingGraphError } from './errors';
import { GraphBuilder } from './graph-builder';
import { buildClassBalancedLoss, type LossNormalization } from './loss';
import { buildOptimizer, type OptimizerOptions, type StateSlot } from './optimizer';
import { makeValueInfo, specializeModel, type SpecializedGraph } from './specialize';

/**
 * Which initializers train: a regex on parameter names, a list of names, `{ nodeName }` (the
 * parameters of nodes whose name matches, e.g. /^\/(stage\d+d|side\d+)\// for ISNet's decoder),
 * or a predicate that also sees the names of the nodes consuming the parameter.
 */
export type TrainableSelector =
  | RegExp
  | readonly string[]
  | { nodeName: RegExp }
  | ((name: string, dims: readonly number[], consumers: readonly string[]) => boolean);

export interface LrMultRule {
  /** Regex matched against the parameter name; the first matching rule wins. */
  pattern: RegExp;
  mult: number;
}

export interface TrainStepOptions {
  /** Static shapes of the model's data inputs (needed when the model's are symbolic or to specialise). */
  inputShapes?: Record<string, readonly number[]>;
  /** Output trained against (default: the model's first output). A Sigmoid's output trains on its logits. */
  output?: string;
  /** Weight of the main output's loss term (default 1). */
  outputWeight?: number;
  /** Deep supervision: more outputs with their loss weights (same shape as the main output). */
  sideOutputs?: readonly { name: string; weight: number }[];
  /** Default: every float initializer that influences the loss. */
  trainable?: TrainableSelector;
  /**
   * `classBalance` γ in [0, 1]: weight each class by the other's share to the power γ; 1 = OSVOS
   * Eq. 1 (the default), 0 = plain cross-entropy, as the parent was trained.
   */
  loss?: { normalization?: LossNormalization; pixelWeights?: boolean; classBalance?: number };
  /** Default: SGD with momentum 0.9, no weight decay. */
  optimizer?: OptimizerOptions;
  /** Learning-rate multiplier of rank-1 parameters (biases) unless an lrMults rule matches (default 1; OSVOS uses 2). */
  biasLrMult?: number;
  lrMults?: readonly LrMultRule[];
  /** Also output each parameter's gradient as `<param>__grad`. */
  exposeGradients?: boolean;
  /**
   * Stride-1 conv input gradients as a Conv with the flipped kernel or as ConvTranspose; 'auto'
   * (default) picks by map size, the faster on ONNX Runtime CPU.
   */
  convInputGradient?: ConvInputGradient;
  /**
   * Batch-1 ungrouped conv weight gradients: one im2col patch tensor + Gemm ('patches'), or a
   * Slice + Gemm per kernel tap ('tapwise', no patch tensor); 'auto' (default) uses patches up to
   * 64 MiB of patch tensor.
   */
  convWeightGradient?: ConvWeightGradient;
}

export interface TensorSpec {
  name: string;
  dims: number[];
}

export interface ParameterSpec extends TensorSpec {
  lrMult: number;
  weightDecay: number;
  /** Output name of the updated value (absent with optimizer 'none'). */
  output?: string;
  /** Optimizer state tensors of this parameter. */
  state: StateSlot[];
  /** Output name of the gradient when exposeGradients is set. */
  gradientOutput?: string;
}

export interface TrainStepGraph {
  model: ModelProto;
  /** The forward model after specialisation (static shapes, folded shape computations). */
  specialized: SpecializedGraph;
  dataInputs: TensorSpec[];
  label: TensorSpec;
  pixelWeight?: TensorSpec;
  /** Scalar float input (absent with optimizer 'none'). */
  learningRate?: string;
  parameters: ParameterSpec[];
  globalState: StateSlot[];
  lossOutput: string;
  termLossOutputs: string[];
  /** Logits tensors the loss terms use (forward graph names). */
  logits: string[];
  /** Selected parameters that do not influence the loss (left out of the step). */
  unreachedParameters: string[];
  /** Float initializers not selected for training. */
  frozenParameters: string[];
  /** Forward tensor → its gradient tensor, for every tensor that has one. */
  gradientOf: ReadonlyMap<string, string>;
  /** Forward nodes that have gradient nodes. */
  differentiatedNodes: string[];
  optimizer: OptimizerOptions;
}

export const LABEL_INPUT = 'label';
export const PIXEL_WEIGHT_INPUT = 'pixel_weight';
export const LEARNING_RATE_INPUT = 'learning_rate';
export const LOSS_OUTPUT = 'loss';
const OUTPUT_OPSET = 17;

export function selectTrainable(
  selector: TrainableSelector | undefined,
  name: string,
  dims: readonly number[],
  consumers: readonly string[],
): boolean {
  if (selector === undefined) return true;
  if (selector instanceof RegExp) return selector.test(name);
  if (typeof selector === 'function') return selector(name, dims, consumers);
  if ('nodeName' in selector) return consumers.some((c) => selector.nodeName.test(c));
  return selector.includes(name);
}

/** Float initializers (rank ≥ 1) of a specialised graph that the selector picks, in model order. */
export function selectParameters(
  sg: SpecializedGraph,
  selector: TrainableSelector | undefined,
): { selected: string[]; frozen: string[] } {
  const consumers = new Map<string, string[]>();
  for (const n of sg.nodes)
    for (const i of n.input ?? []) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n.name ?? '']);
  const selected: string[] = [];
  const frozen: string[] = [];
  for (const t of sg.initializers.values()) {
    if (t.dataType !== DataType.FLOAT || dimsOf(t).length < 1) continue;
    const name = t.name ?? '';
    (selectTrainable(selector, name, dimsOf(t), consumers.get(name) ?? []) ? selected : frozen).push(name);
  }
  return { selected, frozen };
}

/** Follows Identity nodes back and takes a Sigmoid's input: the logits behind an output. */
export function logitsOf(sg: SpecializedGraph, output: string): string {
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of sg.nodes) for (const o of n.output ?? []) producer.set(o, n);
  let t = output;
  for (;;) {
    const p = producer.get(t);
    if (p?.opType === 'Identity') t = p.input![0]!;
    else if (p?.opType === 'Sigmoid') return p.input![0]!;
    else return t;
  }
}

export function buildTrainStep(model: ModelProto, options: TrainStepOptions = {}): TrainStepGraph {
  const sg = specializeModel(model, options.inputShapes ?? {});
  return buildTrainStepFromSpecialized(sg, options);
}

export function buildTrainStepFromSpecialized(
  sg: SpecializedGraph,
  options: TrainStepOptions = {},
): TrainStepGraph {
  const optimizer: OptimizerOptions = options.optimizer ?? { kind: 'sgd', momentum: 0.9 };
  const mainOutput = options.output ?? sg.outputs[0];
  if (!mainOutput) throw new TrainingGraphError('model has no outputs');
  const terms = [{ name: mainOutput, weight: options.outputWeight ?? 1 }, ...(options.sideOutputs ?? [])];
  for (const t of terms) {
    if (!sg.info.has(t.name))
      throw new TrainingGraphError(
        `output "${t.name}" is not a tensor of the model (outputs: ${sg.outputs.join(', ')})`,
      );
  }
  const logits = terms.map((t) => logitsOf(sg, t.name));
  const labelDims = sg.info.get(logits[0]!)!.dims;
  logits.forEach((l, i) => {
    const d = sg.info.get(l)!.dims;
    if (d.join(',') !== labelDims.join(',')) {
      throw new TrainingGraphError(
        `loss term "${terms[i]!.name}" has shape [${d.join(',')}], the main output [${labelDims.join(',')}]; deep supervision needs outputs of the label's shape`,
      );
    }
  });

  const reserved = new Set<string>([...sg.inputs, ...sg.initializers.keys()]);
  for (const n of sg.nodes) {
    for (const o of n.output ?? []) reserved.add(o);
    if (n.name) reserved.add(n.name);
  }
  for (const name of [LABEL_INPUT, PIXEL_WEIGHT_INPUT, LEARNING_RATE_INPUT, LOSS_OUTPUT]) {
    if (reserved.has(name))
      throw new TrainingGraphError(
        `the model already has a tensor named "${name}", which the train step needs for itself; rename it`,
      );
  }
  const b = new GraphBuilder(reserved);
  for (const name of [LABEL_INPUT, PIXEL_WEIGHT_INPUT, LEARNING_RATE_INPUT, LOSS_OUTPUT]) b.reserve(name);

  const { selected, frozen: frozenParameters } = selectParameters(sg, options.trainable);
  if (selected.length === 0)
    throw new TrainingGraphError('no trainable parameters selected (check --trainable)');

  const pixelWeights = options.loss?.pixelWeights ?? false;
  const lossGraph = buildClassBalancedLoss(
    b,
    logits.map((l, i) => ({ logits: l, weight: terms[i]!.weight })),
    LABEL_INPUT,
    labelDims,
    pixelWeights ? PIXEL_WEIGHT_INPUT : undefined,
    options.loss?.normalization ?? 'mean',
    options.loss?.classBalance ?? 1,
  );
  b.node('Identity', [lossGraph.loss], [LOSS_OUTPUT]);

  const grads = differentiate(sg, b, selected, lossGraph.seeds, {
    convInputGradient: options.convInputGradient ?? 'auto',
    convWeightGradient: options.convWeightGradient ?? 'auto',
  });
  const params = selected.filter((p) => grads.paramGrads.has(p));
  if (params.length === 0)
    throw new TrainingGraphError(
      `none of the ${selected.length} selected parameters influences the loss on "${mainOutput}"`,
    );

  const specs = params.map((name) => {
    const dims = sg.info.get(name)!.dims;
    const rule = options.lrMults?.find((r) => r.pattern.test(name));
    const lrMult = rule ? rule.mult : dims.length === 1 ? (options.biasLrMult ?? 1) : 1;
    const wd = optimizer.kind === 'none' ? 0 : (optimizer.weightDecay ?? 0);
    return { name, dims, grad: grads.paramGrads.get(name)!, lrMult, weightDecay: dims.length >= 2 ? wd : 0 };
  });
  const needsLr = optimizer.kind !== 'none';
  const opt = buildOptimizer(b, optimizer, LEARNING_RATE_INPUT, specs);
  const parameters: ParameterSpec[] = specs.map((s, i) => {
    const u = opt.params[i]!;
    const spec: ParameterSpec = {
      name: s.name,
      dims: s.dims,
      lrMult: s.lrMult,
      weightDecay: s.weightDecay,
      state: u.state,
    };
    if (u.output) spec.output = u.output;
    if (options.exposeGradients) {
      spec.gradientOutput = b.fresh(`${s.name}__grad`);
      b.node('Identity', [s.grad], [spec.gradientOutput]);
    }
    return spec;
  });

  const nodes = [...grads.forwardNodes, ...b.nodes];
  const used = new Set<string>();
  for (const n of nodes) for (const i of n.input ?? []) if (i) used.add(i);
  const dataInputs = sg.inputs
    .filter((n) => used.has(n))
    .map((name) => ({ name, dims: sg.info.get(name)!.dims }));
  const paramSet = new Set(params);
  const initializers = [...sg.initializers.values(), ...b.initializers].filter(
    (t) => !paramSet.has(t.name ?? '') && used.has(t.name ?? ''),
  );

  const f = (name: string, dims: number[]) => makeValueInfo(name, { dims, dataType: DataType.FLOAT });
  const label: TensorSpec = { name: LABEL_INPUT, dims: labelDims };
  const pixelWeight: TensorSpec | undefined = pixelWeights
    ? { name: PIXEL_WEIGHT_INPUT, dims: labelDims }
    : undefined;
  const graphInputs = [
    ...dataInputs.map((d) => makeValueInfo(d.name, sg.info.get(d.name)!)),
    f(label.name, label.dims),
    ...(pixelWeight ? [f(pixelWeight.name, pixelWeight.dims)] : []),
    ...(needsLr ? [f(LEARNING_RATE_INPUT, [])] : []),
    ...parameters.map((p) => f(p.name, p.dims)),
    ...parameters.flatMap((p) => p.state.map((s) => f(s.input, s.dims))),
    ...opt.globalState.map((s) => f(s.input, s.dims)),
  ];
  const graphOutputs = [
    f(LOSS_OUTPUT, []),
    ...parameters.filter((p) => p.output).map((p) => f(p.output!, p.dims)),
    ...parameters.flatMap((p) => p.state.map((s) => f(s.output, s.dims))),
    ...opt.globalState.map((s) => f(s.output, s.dims)),
    ...lossGraph.termLosses.map((t) => f(t, [])),
    ...parameters.filter((p) => p.gradientOutput).map((p) => f(p.gradientOutput!, p.dims)),
  ];
  const out = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'oneshot-roto training engine',
    opsetImport: [{ domain: '', version: Math.max(sg.opset, OUTPUT_OPSET) }],
    graph: onnx.GraphProto.create({
      name: 'train_step',
      node: nodes,
      initializer: initializers,
      input: graphInputs,
      output: graphOutputs,
    }),
  });
  return {
    model: out,
    specialized: sg,
    dataInputs,
    label,
    ...(pixelWeight ? { pixelWeight } : {}),
    ...(needsLr ? { learningRate: LEARNING_RATE_INPUT } : {}),
    parameters,
    globalState: opt.globalState,
    lossOutput: LOSS_OUTPUT,
    termLossOutputs: lossGraph.termLosses,
    logits,
    unreachedParameters: grads.unreachedParams,
    frozenParameters,
    gradientOf: grads.gradientOf,
    differentiatedNodes: grads.differentiatedNodes,
    optimizer,
  };
}
