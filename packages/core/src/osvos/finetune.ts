/**
 * One-shot fine-tuning (OSVOS): teach the parent network "this object" from the annotated frame(s).
 *
 * The parent is split at the frozen/trainable boundary. The frozen prefix runs once per augmented
 * view of each annotation and its activations are kept; every train step then runs only the
 * trainable suffix (forward, class-balanced loss with deep supervision, gradients, Adam update),
 * so a step costs a few suffix passes instead of the whole network. An ensemble
 * (`settings.ensembleViews`) trains each further network the same way on its own set of views,
 * one after the other, sharing the prefix session and the time budget.
 */
import * as ort from 'onnxruntime-node';
import { childLogger } from '../logging/logger';
import { ensureParentModel, type DeviceChoice } from '../model';
import { createSession } from '../model/execution-provider';
import { resizeRgb } from '../model/preprocess';
import {
  encodeModel,
  loadModel,
  type ModelProto,
  splitAtFrozenBoundary,
  Trainer,
  type TrainableSelector,
} from '@oneshot-roto/onnx-train';
import type { RgbFrame } from '../video/frame';
import { validateAnnotation, type Annotation } from './annotations';
import { OperationCancelledError } from './cancelled';
import { planAugmentations, renderAugmentedSample, seededRandom, type AugmentationRanges } from './augment';
import type { FineTuneLoss, FineTuneSettings, TrainableDepth } from './presets';
import type { FineTunedWeights } from './weights';
import {
  fineTuneKey,
  readFineTuneProgress,
  writeFineTuneProgress,
  type FineTuneStopReason,
  type FinishedNetwork,
} from './fine-tune-progress-file';

/** The OSVOS code's zoom × flip grid, plus small rotations and shifts (BENCHMARKS.md, "Augmentation"). */
const AUGMENTATION_RANGES: AugmentationRanges = {
  zooms: [1, 0.8, 1.25],
  maxRotationDeg: 15,
  maxShift: 0.1,
  flip: true,
};

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
  /**
   * Where an ensemble fine-tune keeps its finished networks until it is done
   * (fine-tune-progress-file.ts): a fine-tune of the same request that finds the file continues
   * with the next network. The caller removes the file once the weights are saved.
   */
  progressFile?: string;
}

/** Why fine-tuning stopped, most telling first. */
const STOP_REASONS: readonly FineTuneStopReason[] = ['time-budget', 'plateau', 'iterations'];

export interface FineTuneResult {
  weights: FineTunedWeights;
  iterations: number;
  seconds: number;
  /** Smoothed loss at the end. */
  finalLoss: number;
  stoppedBy: FineTuneStopReason;
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

/** The network's final output and the same-sized side outputs used for deep supervision. */
export function outputRoles(model: ModelProto, resolution: number): { main: string; sides: string[] } {
  const outputs = model.graph?.output ?? [];
  const names = outputs.map((o) => o.name ?? '');
  const main = names.includes('output') ? 'output' : names[0];
  if (main === undefined) throw new Error('the model has no outputs to fine-tune');
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
  const networks = [s.augmentationsPerAnnotation, ...s.ensembleViews];
  report({
    iteration: 0,
    total: networks.length * s.iterations,
    loss: NaN,
    etaSeconds: NaN,
    phase: 'preparing',
  });

  const resumeSets = req.resumeFrom
    ? [req.resumeFrom.parameters, ...req.resumeFrom.ensemble.map((m) => m.parameters)]
    : undefined;
  if (req.resumeFrom && req.resumeFrom.ensemble.length !== s.ensembleViews.length) {
    throw new Error(
      `the saved weights hold ${req.resumeFrom.ensemble.length + 1} network(s); continue with the same ensemble ` +
        `(got settings for ${networks.length})`,
    );
  }

  const parent = await ensureParentModel({ resolution: R, cacheDir: req.cacheDir });
  const model = await loadModel(parent.modelPath);
  const roles = outputRoles(model, R);
  const selector = trainableSelector(s.trainable);
  const inputName = model.graph?.input?.[0]?.name ?? 'input';
  const inputShapes = { [inputName]: [1, 3, R, R] };
  const outputs = s.sideOutputWeight > 0 ? [roles.main, ...roles.sides] : [roles.main];
  const split = splitAtFrozenBoundary(model, { trainable: selector, inputShapes, outputs });

  const progressKey = req.progressFile
    ? fineTuneKey({
        settings: s,
        parentSha256: parent.manifest.sha256,
        annotations: req.annotations,
        frames: req.frames,
        seed: req.seed ?? 1,
        resumeFrom: req.resumeFrom,
      })
    : '';
  const trained: FinishedNetwork[] = req.progressFile
    ? await finishedNetworks(req.progressFile, progressKey, networks.length, log)
    : [];

  // Networks finished before an interruption count against the budget with the time they took.
  const earlierMs = trained.reduce((a, t) => a + t.seconds * 1000, 0);

  const prefix = await createSession(encodeModel(split.prefix), { device: req.device, threads: req.threads });
  try {
    for (let k = trained.length; k < networks.length; k++) {
      // Each network gets an even share of what is left of the budget.
      const leftMs = s.timeBudgetSeconds * 1000 - earlierMs - (performance.now() - started);
      const networkStart = performance.now();
      const network = await trainNetwork({
        req,
        views: networks[k]!,
        resume: resumeSets?.[k],
        budgetMs: leftMs / (networks.length - k),
        split,
        roles,
        selector,
        inputName,
        prefix,
        report: (p) =>
          report({
            ...p,
            iteration: k * s.iterations + p.iteration,
            total: networks.length * s.iterations,
            etaSeconds: p.etaSeconds + (networks.length - 1 - k) * p.secondsPerNetwork,
          }),
      });
      trained.push({ ...network, seconds: (performance.now() - networkStart) / 1000 });
      if (req.progressFile && k < networks.length - 1) {
        // Losing this file only costs the time to train the network again: not worth failing for.
        await writeFineTuneProgress(req.progressFile, progressKey, trained).catch((err: Error) =>
          log.warn({ err, file: req.progressFile }, 'cannot save fine-tuning progress; continuing without'),
        );
      }
    }
    const [first, ...rest] = trained;
    const iterations = trained.reduce((a, t) => a + t.iterations, 0);
    const weights: FineTunedWeights = {
      resolution: R,
      trainable: s.trainable,
      parentSha256: parent.manifest.sha256,
      annotatedFrames: req.annotations.map((a) => a.frameIndex),
      iterations: (req.resumeFrom?.iterations ?? 0) + iterations,
      threshold: s.threshold,
      edgeSnap: s.edgeSnap,
      testTimeFlip: s.testTimeFlip,
      zoomPass: s.zoomPass,
      parameters: first!.parameters,
      ensemble: rest.map((t, i) => ({ views: s.ensembleViews[i]!, parameters: t.parameters })),
    };
    const seconds = (performance.now() - started) / 1000;
    // An ensemble reports its most telling stop reason (a network cut short by the budget says
    // so even if the others ran to the end) and its last network's loss.
    const stoppedBy = STOP_REASONS.find((r) => trained.some((t) => t.stoppedBy === r))!;
    const finalLoss = trained[trained.length - 1]!.finalLoss;
    log.info(
      { networks: trained.length, iterations, seconds, loss: finalLoss, stoppedBy },
      'fine-tuning done',
    );
    return {
      weights,
      iterations,
      seconds,
      finalLoss,
      stoppedBy,
      executionProvider: prefix.executionProvider,
    };
  } finally {
    await prefix.session.release();
  }
}

/** The finished networks of an interrupted run of this fine-tune, if its progress file holds them. */
async function finishedNetworks(
  file: string,
  key: string,
  count: number,
  log: ReturnType<typeof childLogger>,
): Promise<FinishedNetwork[]> {
  const found = await readFineTuneProgress(file, key);
  if (found.status === 'found' && found.networks.length < count) {
    log.info(
      { file, networks: found.networks.length },
      'continuing an interrupted fine-tune after its finished networks',
    );
    return found.networks;
  }
  if (found.status === 'other-request')
    log.info({ file }, 'fine-tuning progress file belongs to another request; starting over');
  if (found.status === 'unreadable')
    log.warn({ file, reason: found.reason }, 'fine-tuning progress file is unreadable; starting over');
  return [];
}

type TrainedNetwork = Omit<FinishedNetwork, 'seconds'>;

interface NetworkJob {
  req: FineTuneRequest;
  /** Augmented views per annotation. */
  views: number;
  /** Parameters to continue from (a correction round). */
  resume?: ReadonlyMap<string, Float32Array>;
  budgetMs: number;
  split: ReturnType<typeof splitAtFrozenBoundary>;
  roles: { main: string; sides: string[] };
  selector: TrainableSelector;
  inputName: string;
  prefix: Awaited<ReturnType<typeof createSession>>;
  report: (p: Omit<FineTuneProgress, 'elapsedSeconds'> & { secondsPerNetwork: number }) => void;
}

/** Fine-tunes one network: renders its views, runs them through the frozen prefix once, trains the suffix. */
async function trainNetwork(job: NetworkJob): Promise<TrainedNetwork> {
  const { req, split, roles, selector, inputName, prefix } = job;
  const log = childLogger('finetune');
  const s = req.settings;
  const R = s.resolution;
  const started = performance.now();
  const trainer = await Trainer.create(
    split.suffix,
    {
      inputShapes: Object.fromEntries(split.boundary.map((b) => [b.name, b.dims])),
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
    if (job.resume) trainer.setParameters(job.resume);

    // Augmented views → frozen-prefix activations, computed once.
    type Sample = { inputs: Record<string, ort.Tensor>; label: ort.Tensor; weight: ort.Tensor };
    const samples: Sample[] = [];
    const normalise = (v: number) => v / 255 - 0.5;
    let seed = req.seed ?? 1;
    // An annotation given more than once (the same object) weighs more: its samples are repeated,
    // not rendered and run through the prefix again.
    const rendered = new Map<Annotation, Sample[]>();
    for (const a of req.annotations) {
      const earlier = rendered.get(a);
      if (earlier) {
        samples.push(...earlier);
        continue;
      }
      const first = samples.length;
      const frame = req.frames.get(a.frameIndex)!;
      const resized = { data: await resizeRgb(frame, R, R), width: R, height: R, channels: 3 as const };
      for (const view of planAugmentations(job.views, AUGMENTATION_RANGES, seed++)) {
        throwIfAborted(req.signal);
        const sample = renderAugmentedSample(resized, a, R, view, normalise);
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
      rendered.set(a, samples.slice(first));
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
    const budgetMs = job.budgetMs - (trainStart - started);
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
      job.report({
        iteration: it + 1,
        total: s.iterations,
        loss: ema,
        etaSeconds: (remaining * perStep) / 1000,
        phase: 'training',
        secondsPerNetwork: (trainStart - started + s.iterations * perStep) / 1000,
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
    const parameters = new Map<string, Float32Array>();
    for (const [k, v] of trainer.parameters()) parameters.set(k, v.slice());
    log.info(
      {
        views: job.views,
        iterations: it,
        seconds: (performance.now() - started) / 1000,
        loss: ema,
        stoppedBy,
      },
      'network fine-tuned',
    );
    return { parameters, iterations: it, finalLoss: ema, stoppedBy };
  } finally {
    await trainer.dispose();
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new OperationCancelledError('fine-tuning');
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
