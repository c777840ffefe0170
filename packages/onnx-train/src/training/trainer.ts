/**
 * Trainer: runs a train-step graph step after step with onnxruntime-node. Parameters and optimizer
 * state are kept as ort Tensors and the step's outputs are fed back as the next step's inputs
 * (no copies through JS arrays between steps).
 */
import * as ort from 'onnxruntime-node';
import { dimsOf, encodeModel, tensorToFloat32, type ModelProto } from '../onnx/model-io';
import { bakeWeights } from './bake-weights';
import { readCheckpoint, writeCheckpoint, type CheckpointTensor } from './checkpoint';
import { TrainingGraphError } from './errors';
import { buildMultiStep } from './multi-step';
import { buildTrainStep, type TrainStepGraph, type TrainStepOptions } from './train-step';

export interface TrainBatch {
  /** The step graph's data inputs by name (the model's inputs, or the boundary activations of a split model). */
  inputs: Record<string, ort.Tensor>;
  /** Float labels in [0, 1], shape of the trained output. */
  label: ort.Tensor;
  /** Per-pixel loss weights (0 = don't care); required iff the graph was built with pixelWeights. */
  pixelWeight?: ort.Tensor;
}

export interface StepResult {
  loss: number;
  /** Loss of each term (main output first, then side outputs). */
  termLosses: number[];
}

export type SessionOptions = ort.InferenceSession.SessionOptions;

export class Trainer {
  private steps = 0;
  private readonly state = new Map<string, ort.Tensor>();
  private lastGradients = new Map<string, ort.Tensor>();
  private readonly multiStepSessions = new Map<number, ort.InferenceSession>();

  private constructor(
    readonly graph: TrainStepGraph,
    private readonly session: ort.InferenceSession,
    private readonly sessionOptions: SessionOptions,
  ) {
    const inits = graph.specialized.initializers;
    for (const p of graph.parameters) {
      const t = inits.get(p.name);
      if (!t) throw new TrainingGraphError(`internal: parameter "${p.name}" has no initializer`);
      this.state.set(p.name, new ort.Tensor('float32', tensorToFloat32(t), dimsOf(t)));
      for (const s of p.state) this.state.set(s.input, filled(s.dims, s.init));
    }
    for (const s of graph.globalState) this.state.set(s.input, filled(s.dims, s.init));
  }

  /** Builds the train step for `model` and opens an onnxruntime session on it. */
  static async create(
    model: ModelProto,
    options: TrainStepOptions = {},
    sessionOptions: SessionOptions = {},
  ): Promise<Trainer> {
    return Trainer.fromGraph(buildTrainStep(model, options), sessionOptions);
  }

  static async fromGraph(graph: TrainStepGraph, sessionOptions: SessionOptions = {}): Promise<Trainer> {
    let session: ort.InferenceSession;
    try {
      session = await openSession(graph.model, sessionOptions);
    } catch (cause) {
      throw new TrainingGraphError(`onnxruntime rejected the train-step graph: ${(cause as Error).message}`, {
        cause,
      });
    }
    return new Trainer(graph, session, sessionOptions);
  }

  /** Number of steps done (restored by loadCheckpoint). */
  get stepCount(): number {
    return this.steps;
  }

  async step(batch: TrainBatch, learningRate: number): Promise<StepResult> {
    const g = this.graph;
    const feeds = this.batchFeeds(batch);
    if (g.learningRate) feeds[g.learningRate] = new ort.Tensor('float32', Float32Array.of(learningRate), []);
    for (const [k, v] of this.state) feeds[k] = v;
    const out = await this.session.run(feeds);
    this.takeState(out);
    for (const p of g.parameters)
      if (p.gradientOutput) this.lastGradients.set(p.name, out[p.gradientOutput]!);
    this.steps++;
    return { loss: scalar(out[g.lossOutput]!), termLosses: g.termLossOutputs.map((t) => scalar(out[t]!)) };
  }

  /**
   * `batches.length` steps in one onnxruntime run (an ONNX Loop; parameters and optimizer state
   * stay inside the runtime between them). Same result as calling step() for each batch in turn.
   * The Loop graph for a given count is built on first use. Returns the loss of each step.
   */
  async stepMany(batches: readonly TrainBatch[], learningRates: readonly number[]): Promise<number[]> {
    const g = this.graph;
    const n = batches.length;
    if (n === 0) return [];
    if (learningRates.length !== n)
      throw new TrainingGraphError(
        `stepMany() needs one learning rate per batch (${n}), got ${learningRates.length}`,
      );
    let session = this.multiStepSessions.get(n);
    if (!session) {
      try {
        session = await openSession(buildMultiStep(g, n), this.sessionOptions);
      } catch (cause) {
        throw new TrainingGraphError(
          `onnxruntime rejected the ${n}-step Loop graph: ${(cause as Error).message}`,
          { cause },
        );
      }
      this.multiStepSessions.set(n, session);
    }
    const per = batches.map((b) => this.batchFeeds(b));
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(per[0]!)) {
      const first = per[0]![name]!;
      const size = first.data.length;
      const data = new Float32Array(size * n);
      per.forEach((f, i) => data.set(f[name]!.data as Float32Array, i * size));
      feeds[name] = new ort.Tensor('float32', data, [n, ...first.dims]);
    }
    feeds[g.learningRate!] = new ort.Tensor('float32', Float32Array.from(learningRates), [n]);
    for (const [k, v] of this.state) feeds[k] = v;
    const out = await session.run(feeds);
    this.takeState(out);
    this.steps += n;
    return Array.from(out[g.lossOutput]!.data as Float32Array);
  }

  private takeState(out: ort.InferenceSession.OnnxValueMapType): void {
    const g = this.graph;
    for (const p of g.parameters) {
      if (p.output) this.state.set(p.name, out[p.output] as ort.Tensor);
      for (const s of p.state) this.state.set(s.input, out[s.output] as ort.Tensor);
    }
    for (const s of g.globalState) this.state.set(s.input, out[s.output] as ort.Tensor);
  }

  private batchFeeds(batch: TrainBatch): Record<string, ort.Tensor> {
    const g = this.graph;
    const feeds: Record<string, ort.Tensor> = {};
    for (const d of g.dataInputs) {
      const t = batch.inputs[d.name];
      if (!t)
        throw new TrainingGraphError(
          `train step needs input "${d.name}" [${d.dims.join(',')}]; the batch has ${Object.keys(batch.inputs).join(', ') || 'none'}`,
        );
      checkDims(d.name, t, d.dims);
      feeds[d.name] = t;
    }
    checkDims(g.label.name, batch.label, g.label.dims);
    feeds[g.label.name] = batch.label;
    if (g.pixelWeight) {
      if (!batch.pixelWeight)
        throw new TrainingGraphError('this train step was built with pixel weights: pass batch.pixelWeight');
      checkDims(g.pixelWeight.name, batch.pixelWeight, g.pixelWeight.dims);
      feeds[g.pixelWeight.name] = batch.pixelWeight;
    }
    return feeds;
  }

  /** Current parameter values by name (views of the held tensors: copy before mutating). */
  parameters(): Map<string, Float32Array> {
    return new Map(this.graph.parameters.map((p) => [p.name, this.state.get(p.name)!.data as Float32Array]));
  }

  /** Gradients of the last step (only when built with exposeGradients). */
  gradients(): Map<string, Float32Array> {
    return new Map([...this.lastGradients].map(([k, v]) => [k, v.data as Float32Array]));
  }

  /** Replaces parameter values (e.g. to continue from weights trained elsewhere); optimizer state is kept. */
  setParameters(values: ReadonlyMap<string, Float32Array>): void {
    for (const [name, data] of values) {
      const p = this.graph.parameters.find((q) => q.name === name);
      if (!p) throw new TrainingGraphError(`"${name}" is not a trainable parameter of this train step`);
      if (data.length !== p.dims.reduce((a, b) => a * b, 1))
        throw new TrainingGraphError(
          `parameter "${name}" needs ${p.dims.join('x')} values, got ${data.length}`,
        );
      this.state.set(name, new ort.Tensor('float32', data.slice(), p.dims));
    }
  }

  async saveCheckpoint(path: string): Promise<void> {
    const tensors = new Map<string, CheckpointTensor>();
    for (const [k, v] of this.state) tensors.set(k, { dims: v.dims.slice(), data: v.data as Float32Array });
    await writeCheckpoint(path, {
      step: this.steps,
      meta: { optimizer: this.graph.optimizer, parameters: this.graph.parameters.map((p) => p.name) },
      tensors,
    });
  }

  async loadCheckpoint(path: string): Promise<void> {
    const ckpt = await readCheckpoint(path);
    for (const [k, v] of this.state) {
      const t = ckpt.tensors.get(k);
      if (!t)
        throw new TrainingGraphError(
          `checkpoint ${path} has no tensor "${k}"; it was saved from a different train step (other trainable set or optimizer)`,
        );
      if (t.dims.join(',') !== v.dims.join(','))
        throw new TrainingGraphError(
          `checkpoint ${path}: tensor "${k}" is [${t.dims.join(',')}], the train step expects [${v.dims.join(',')}]`,
        );
    }
    for (const k of this.state.keys()) {
      const t = ckpt.tensors.get(k)!;
      this.state.set(k, new ort.Tensor('float32', t.data, t.dims));
    }
    this.steps = ckpt.step;
  }

  /**
   * A plain inference model with the trained weights baked in: `base` (default: the specialised
   * forward model the step was built from) with its initializers of the same names replaced.
   */
  exportInferenceModel(base?: ModelProto): ModelProto {
    return bakeWeights(base ?? this.graph.specialized.model, this.parameters());
  }

  async dispose(): Promise<void> {
    await this.session.release();
    for (const s of this.multiStepSessions.values()) await s.release();
    this.multiStepSessions.clear();
  }
}

function openSession(model: ModelProto, options: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(model), {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...options,
  });
}

function filled(dims: number[], value: number): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value), dims);
}

function scalar(t: ort.Tensor): number {
  return (t.data as Float32Array)[0]!;
}

function checkDims(name: string, t: ort.Tensor, dims: number[]): void {
  if (t.type !== 'float32')
    throw new TrainingGraphError(`train-step input "${name}" must be float32, got ${t.type}`);
  if (t.dims.join(',') !== dims.join(','))
    throw new TrainingGraphError(
      `train-step input "${name}" must be [${dims.join(',')}], got [${t.dims.join(',')}]`,
    );
}
