/**
 * One-shot fine-tuning (OSVOS): teach the parent network "this object" from the annotated frame(s).
 *
 * The parent is split at the frozen/trainable boundary. The frozen prefix runs once per augmented
 * view of each annotation and its activations are kept; every train step then runs only the
 * trainable suffix (forward, class-balanced loss with deep supervision, gradients, Adam update),
 * so a step costs a few suffix passes instead of the whole network.
 */
import * as ort from 'onnxruntime-node';
import { childLogger } from '../logging/logger';
import { ensureParentModel, type DeviceChoice } from '../model';
import { createSession } from '../model/execution-provider';
import { resizeRgb } from '../model/preprocess';
import { encodeModel, loadModel, type ModelProto } from '../onnx/model-io';
import { splitAtFrozenBoundary } from '../training/split';
import { Trainer } from '../training/trainer';
import type { TrainableSelector } from '../training/train-step';
import type { RgbFrame } from '../video/frame';
import { validateAnnotation, type Annotation } from './annotations';
import { objectFreeBackground, planAugmentations, renderAugmentedSample, seededRandom } from './augment';
import type { FineTuneLoss, FineTuneSettings, TrainableDepth } from './presets';
import type { FineTunedWeights } from './weights';

export interface FineTuneProgress {
  iteration: number;
  total: number;
  loss: number;
  elapsedSeconds: number;
  etaSeconds: number;
  phase: 'preparing' | 'training';
}

export interface FineTuneRequest {
  /** Annotated frames by frame index (full resolution, as decoded). */
  frames: ReadonlyMap<number, RgbFrame>;
  annotations: readonly Annotation[];
  settings: FineTuneSettings;
  /** Continue from these weights (a correction round) instead of the parent's. */
  resumeFrom?: FineTunedWeights;
  device?: DeviceChoice;
  threads?: number;
  cacheDir?: string;
  onProgress?: (p: FineTuneProgress) => void;
  signal?: AbortSignal;
  /** Seed of the augmentation plan (reproducible runs). */
  seed?: number;
}

export interface FineTuneResult {
  weights: FineTunedWeights;
  iterations: number;
  seconds: number;
  /** Smoothed loss at the end. */
  finalLoss: number;
  stoppedBy: 'iterations' | 'time-budget' | 'plateau';
  executionProvider: string;
}

/** ISNet decoder stages are /stage5d/ … /stage1d/, side outputs /side1/ … /side6/. */
export function trainableSelector(depth: TrainableDepth): TrainableSelector {
  switch (depth) {
    case 'head':
      return { nodeName: /^\/side\d\// };
    case 'decoder-top':
      return { nodeName: /^\/(stage[12]d|side\d)\// };
    case 'decoder':
      return { nodeName: /^\/(stage\dd|side\d)\// };
    case 'all':
      return () => true;
  }
}

export class FineTuneCancelledError extends Error {
  constructor() {
    super('fine-tuning was cancelled');
    this.name = 'FineTuneCancelledError';
  }
}

/** The network's final output and the same-sized side outputs used for deep supervision. */
export function outputRoles(model: ModelProto, resolution: number): { main: string; sides: string[] } {
  const outputs = model.graph?.output ?? [];
  const names = outputs.map((o) => o.name ?? '');
  const main = names.includes('output') ? 'output' : names[0];
  const full = outputs.filter((o) => {
    const dims = o.type?.tensorType?.shape?.dim ?? [];
    return (
      dims.length === 4 &&
      Number(dims[1]?.dimValue ?? 0) === 1 &&
      Number(dims[2]?.dimValue ?? 0) === resolution
    );
  });
  return { main, sides: full.map((o) => o.name ?? '').filter((n) => n !== main) };
}

/** γ of each loss setting (training/loss.ts): the power of the other class's share. */
const CLASS_BALANCE: Record<FineTuneLoss, number> = { 'class-balanced': 1, 'sqrt-balanced': 0.5, plain: 0 };

const PLATEAU_WINDOW = 40;
const PLATEAU_MIN_ITERATIONS = 80;
const PLATEAU_REL_IMPROVEMENT = 0.02;

export async function fineTune(req: FineTuneRequest): Promise<FineTuneResult> {
  const log = childLogger('finetune');
  const started = performance.now();
  const s = req.settings;
  const R = s.resolution;
  if (req.annotations.length === 0) throw new Error('fine-tuning needs at least one annotated frame');
  for (const a of req.annotations) {
    const frame = req.frames.get(a.frameIndex);
    if (!frame) throw new Error(`no decoded frame was given for the annotation on frame ${a.frameIndex}`);
    validateAnnotation(a, frame);
  }
  if (req.resumeFrom && (req.resumeFrom.resolution !== R || req.resumeFrom.trainable !== s.trainable)) {
    throw new Error(
      `the saved weights were trained at ${req.resumeFrom.resolution}px with "${req.resumeFrom.trainable}" trainable; ` +
        `continue with the same resolution and depth (got ${R}px, "${s.trainable}")`,
    );
  }
  const report = (p: Omit<FineTuneProgress, 'elapsedSeconds'>) =>
    req.onProgress?.({ ...p, elapsedSeconds: (performance.now() - started) / 1000 });
  report({ iteration: 0, total: s.iterations, loss: NaN, etaSeconds: NaN, phase: 'preparing' });

  const parent = await ensureParentModel({ resolution: R, cacheDir: req.cacheDir });
  const model = await loadModel(parent.modelPath);
  const roles = outputRoles(model, R);
  const selector = trainableSelector(s.trainable);
  const inputName = model.graph?.input?.[0]?.name ?? 'input';
  const inputShapes = { [inputName]: [1, 3, R, R] };
  const outputs = s.sideOutputWeight > 0 ? [roles.main, ...roles.sides] : [roles.main];
  const split = splitAtFrozenBoundary(model, { trainable: selector, inputShapes, outputs });
  const boundaryShapes = Object.fromEntries(split.boundary.map((b) => [b.name, b.dims]));

  const prefix = await createSession(encodeModel(split.prefix), { device: req.device, threads: req.threads });
  const trainer = await Trainer.create(
    split.suffix,
    {
      inputShapes: boundaryShapes,
      output: roles.main,
      sideOutputs:
        s.sideOutputWeight > 0 ? roles.sides.map((name) => ({ name, weight: s.sideOutputWeight })) : [],
      trainable: selector,
      loss: { normalization: 'mean', pixelWeights: true, classBalance: CLASS_BALANCE[s.loss] },
      optimizer: { kind: 'adam', weightDecay: 0 },
      biasLrMult: 2,
    },
    { intraOpNumThreads: prefix.threads, executionProviders: [prefix.executionProvider] },
  );
  try {
    if (req.resumeFrom) trainer.setParameters(req.resumeFrom.parameters);

    // Augmented views → frozen-prefix activations, computed once.
    type Sample = { inputs: Record<string, ort.Tensor>; label: ort.Tensor; weight: ort.Tensor };
    const samples: Sample[] = [];
    const normalise = (v: number) => v / 255 - 0.5;
    let seed = req.seed ?? 1;
    for (const a of req.annotations) {
      const frame = req.frames.get(a.frameIndex)!;
      const resized = { data: await resizeRgb(frame, R, R), width: R, height: R, channels: 3 as const };
      const plan = planAugmentations(
        s.augmentationsPerAnnotation,
        { zooms: [1, 0.8, 1.25], maxRotationDeg: 15, maxShift: 0.1, flip: true },
        seed++,
        s.compositeViews,
      );
      const background = s.compositeViews > 0 ? objectFreeBackground(resized, a) : undefined;
      for (const view of plan) {
        throwIfAborted(req.signal);
        const sample = renderAugmentedSample(resized, a, R, view, normalise, background);
        const out = await prefix.session.run({
          [inputName]: new ort.Tensor('float32', sample.image, [1, 3, R, R]),
        });
        const inputs: Record<string, ort.Tensor> = {};
        for (const b of split.boundary)
          inputs[b.name] =
            b.name === inputName ? new ort.Tensor('float32', sample.image, [1, 3, R, R]) : out[b.name]!;
        samples.push({
          inputs,
          label: new ort.Tensor('float32', sample.label, [1, 1, R, R]),
          weight: new ort.Tensor('float32', sample.weight, [1, 1, R, R]),
        });
      }
    }
    log.info(
      {
        samples: samples.length,
        boundary: split.boundary.map((b) => b.name),
        trainable: split.trainable.length,
      },
      'fine-tuning samples ready',
    );

    // Train: cycle through shuffled samples; cosine-decayed learning rate; stop on iterations, budget or plateau.
    const trainStart = performance.now();
    const budgetMs = s.timeBudgetSeconds * 1000 - (trainStart - started);
    let ema = NaN;
    const history: number[] = [];
    let stoppedBy: FineTuneResult['stoppedBy'] = 'iterations';
    let it = 0;
    const order: number[] = [];
    const rnd = seededRandom(req.seed ?? 1);
    for (; it < s.iterations; it++) {
      throwIfAborted(req.signal);
      if (order.length === 0)
        order.push(
          ...shuffle(
            samples.map((_, i) => i),
            rnd,
          ),
        );
      const sample = samples[order.pop()!]!;
      const lr = s.learningRate * (0.5 + 0.5 * Math.cos((Math.PI * it) / s.iterations));
      const { loss } = await trainer.step(
        { inputs: sample.inputs, label: sample.label, pixelWeight: sample.weight },
        lr,
      );
      ema = Number.isNaN(ema) ? loss : 0.9 * ema + 0.1 * loss;
      history.push(ema);
      const elapsed = performance.now() - trainStart;
      const perStep = elapsed / (it + 1);
      const remaining = Math.min(s.iterations - it - 1, Math.max(0, (budgetMs - elapsed) / perStep));
      report({
        iteration: it + 1,
        total: s.iterations,
        loss: ema,
        etaSeconds: (remaining * perStep) / 1000,
        phase: 'training',
      });
      if (!Number.isFinite(loss))
        throw new Error(
          `fine-tuning diverged at iteration ${it + 1} (loss ${loss}); lower the learning rate`,
        );
      if (elapsed + perStep > budgetMs) {
        stoppedBy = 'time-budget';
        it++;
        break;
      }
      if (it + 1 >= PLATEAU_MIN_ITERATIONS && history.length > PLATEAU_WINDOW) {
        const before = history[history.length - 1 - PLATEAU_WINDOW]!;
        if (before - ema < PLATEAU_REL_IMPROVEMENT * before) {
          stoppedBy = 'plateau';
          it++;
          break;
        }
      }
    }
    const params = new Map<string, Float32Array>();
    for (const [k, v] of trainer.parameters()) params.set(k, v.slice());
    const weights: FineTunedWeights = {
      resolution: R,
      trainable: s.trainable,
      parentSha256: parent.manifest.sha256,
      annotatedFrames: req.annotations.map((a) => a.frameIndex),
      iterations: (req.resumeFrom?.iterations ?? 0) + it,
      threshold: s.threshold,
      testTimeFlip: s.testTimeFlip,
      parameters: params,
    };
    const seconds = (performance.now() - started) / 1000;
    log.info({ iterations: it, seconds, loss: ema, stoppedBy }, 'fine-tuning done');
    return {
      weights,
      iterations: it,
      seconds,
      finalLoss: ema,
      stoppedBy,
      executionProvider: prefix.executionProvider,
    };
  } finally {
    await trainer.dispose();
    await prefix.session.release();
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new FineTuneCancelledError();
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
