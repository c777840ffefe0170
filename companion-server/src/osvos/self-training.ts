/**
 * Fine-tuning on a clip with an optional self-training round (presets.ts `selfTrainingFrames`):
 * after the usual fine-tune on the annotations, the network segments a few frames spread over
 * the clip; its confident answers there (pseudo-labels.ts) become extra annotations, and a short
 * second round continues every network on them together with the real ones. The network then
 * knows how the object looks further into the clip — a duck in flight, not only on the water —
 * and which look-alikes far from it are background. Frames are still segmented one by one.
 */
import type { RgbFrame } from '../video/frame';
import type { Annotation } from './annotations';
import { fineTune, type FineTuneRequest, type FineTuneResult } from './finetune';
import { loadFineTunedModel } from './fine-tuned-model';
import { measureParentGuide } from './parent-guide';
import type { FineTuneSettings } from './presets';
import {
  DEFAULT_PSEUDO_LABELS,
  pseudoAnnotation,
  pseudoLabelFrames,
  type PseudoLabelOptions,
} from './pseudo-labels';
import type { FrameSegmenter } from '../model';
import { childLogger } from '../logging/logger';

/** Views per annotated frame in the self-training round (the zoom × flip grid's first four). */
export const SELF_TRAINING_VIEWS = 4;
/** Steps per network in the self-training round. */
export const SELF_TRAINING_ITERATIONS = 60;
/** A self-training round needs at least this much of the time budget left, seconds. */
const MIN_SELF_TRAINING_SECONDS = 30;

/** The frames of the clip being fine-tuned on, for the self-training round. */
export interface ClipFrames {
  frameCount: number;
  readFrame(index: number): Promise<RgbFrame>;
}

export interface ClipFineTuneRequest extends FineTuneRequest {
  clip: ClipFrames;
}

export interface ClipFineTuneResult extends FineTuneResult {
  /** Frames the self-training round learned the network's own answers on (empty: no round). */
  selfTrainingFrames: number[];
}

/**
 * The user's annotations repeated so that they make up about `share` of the second round's samples
 * beside `pseudoCount` pseudo-annotations (at least once each): with one annotation among six of the
 * network's own answers, the round drifted towards its errors (BENCHMARKS.md, "Self-training").
 */
export function withAnnotationShare(
  annotations: readonly Annotation[],
  pseudoCount: number,
  share = 0.5,
): Annotation[] {
  const times = Math.max(1, Math.round(((share / (1 - share)) * pseudoCount) / annotations.length));
  return Array.from({ length: times }, () => annotations).flat();
}

/** `, self-trained on frames 5, 17` for a report line; empty when no round ran. */
export function describeSelfTraining(result: ClipFineTuneResult): string {
  const frames = result.selfTrainingFrames;
  return frames.length > 0 ? `, self-trained on frames ${frames.join(', ')}` : '';
}

/** The second round's settings: every network continues, on fewer views and for fewer steps. */
export function selfTrainingSettings(
  s: FineTuneSettings,
  round: { budgetSeconds: number; views?: number; iterations?: number },
): FineTuneSettings {
  const views = round.views ?? SELF_TRAINING_VIEWS;
  return {
    ...s,
    augmentationsPerAnnotation: views,
    ensembleViews: s.ensembleViews.map(() => views),
    iterations: round.iterations ?? SELF_TRAINING_ITERATIONS,
    timeBudgetSeconds: round.budgetSeconds,
    compositeViews: 0,
  };
}

/**
 * The network's pseudo-annotations on `picks` (frames it is unsure of left out) and the frames
 * they were made on, to train on beside the annotated ones. Stops early when `signal` aborts.
 */
export async function collectPseudoAnnotations(
  model: FrameSegmenter,
  clip: ClipFrames,
  picks: readonly number[],
  options: PseudoLabelOptions = DEFAULT_PSEUDO_LABELS,
  signal?: AbortSignal,
): Promise<{ frames: Map<number, RgbFrame>; annotations: Annotation[] }> {
  const frames = new Map<number, RgbFrame>();
  const annotations: Annotation[] = [];
  for (const index of picks) {
    if (signal?.aborted) break;
    const frame = await clip.readFrame(index);
    const soft = { data: await model.predict(frame), width: frame.width, height: frame.height };
    const a = pseudoAnnotation(index, soft, options);
    if (!a) continue;
    frames.set(index, frame);
    annotations.push(a);
  }
  return { frames, annotations };
}

/**
 * Fine-tunes on the request's annotations, then, when the settings ask for it and the budget
 * allows, runs the self-training round. The weights keep the first round's description (annotated
 * frames, ensemble views): a correction continues them as any fine-tuned weights.
 */
export async function fineTuneOnClip(req: ClipFineTuneRequest): Promise<ClipFineTuneResult> {
  const result = await fineTuneWithSelfTraining(req);
  const resolution = req.settings.parentGuideResolution;
  if (resolution === 0) return result;
  const parentGuide = await measureParentGuide(req.frames, req.annotations, { ...req, resolution });
  childLogger('parent-guide').info(parentGuide, 'parent guide measured on the annotated frames');
  return { ...result, weights: { ...result.weights, parentGuide } };
}

async function fineTuneWithSelfTraining(req: ClipFineTuneRequest): Promise<ClipFineTuneResult> {
  const s = req.settings;
  const networks = 1 + s.ensembleViews.length;
  const rounds = s.selfTrainingFrames > 0 ? 2 : 1;
  const total = networks * (s.iterations + (rounds - 1) * SELF_TRAINING_ITERATIONS);
  const first = await fineTune({
    ...req,
    onProgress: req.onProgress && ((p) => req.onProgress!({ ...p, total })),
  });
  if (rounds === 1) return { ...first, selfTrainingFrames: [] };
  const log = childLogger('self-training');
  const left = s.timeBudgetSeconds - first.seconds;
  if (left < MIN_SELF_TRAINING_SECONDS) {
    log.info({ secondsLeft: left }, 'no time left in the budget for self-training; keeping the first round');
    return { ...first, selfTrainingFrames: [] };
  }

  const started = performance.now();
  const annotated = req.annotations.map((a) => a.frameIndex);
  const picks = pseudoLabelFrames(req.clip.frameCount, annotated, s.selfTrainingFrames);
  const model = await loadFineTunedModel(first.weights, req);
  let found: Awaited<ReturnType<typeof collectPseudoAnnotations>>;
  try {
    found = await collectPseudoAnnotations(model, req.clip, picks, DEFAULT_PSEUDO_LABELS, req.signal);
  } finally {
    await model.dispose();
  }
  const pseudo = found.annotations;
  if (pseudo.length === 0) {
    log.info(
      { frames: picks },
      'the network is sure of the object on none of the frames; keeping the first round',
    );
    return { ...first, selfTrainingFrames: [] };
  }
  const segmentSeconds = (performance.now() - started) / 1000;
  const offset = networks * s.iterations;
  const second = await fineTune({
    ...req,
    frames: new Map([...req.frames, ...found.frames]),
    annotations: [...withAnnotationShare(req.annotations, pseudo.length), ...pseudo],
    settings: selfTrainingSettings(s, { budgetSeconds: left - segmentSeconds }),
    resumeFrom: first.weights,
    onProgress:
      req.onProgress &&
      ((p) =>
        req.onProgress!({
          ...p,
          iteration: p.phase === 'training' ? offset + p.iteration : offset,
          total,
          elapsedSeconds: first.seconds + segmentSeconds + p.elapsedSeconds,
        })),
  });
  const selfTrainingFrames = pseudo.map((a) => a.frameIndex);
  log.info(
    { frames: selfTrainingFrames, skipped: picks.length - pseudo.length, seconds: second.seconds },
    'self-training round done',
  );
  return {
    ...second,
    weights: {
      ...second.weights,
      annotatedFrames: first.weights.annotatedFrames,
      ensemble: second.weights.ensemble.map((m, i) => ({ ...m, views: first.weights.ensemble[i]!.views })),
    },
    iterations: first.iterations + second.iterations,
    seconds: first.seconds + segmentSeconds + second.seconds,
    // The first round's reason is the telling one: the second always runs its fixed steps.
    stoppedBy: second.stoppedBy === 'time-budget' ? 'time-budget' : first.stoppedBy,
    selfTrainingFrames,
  };
}
