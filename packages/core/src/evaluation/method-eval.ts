/**
 * Runs the method on DAVIS sequences and scores it: the semi-supervised protocol (first frame's
 * mask given), optionally with progressive refinement (each further annotation is the ground
 * truth of the frame where the current result is worst by J, as in the paper's Table 4) and the
 * paper's bounding-box tracking measure (Table 5).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { MatteOptions } from '../matte/options';
import { createMatteProcessor } from '../matte/pipeline';
import { planSoftMapTrack } from '../matte/piece-track';
import { openMatteWriter } from '../matte/writers';
import { binarize, makeFloatMatte, type FloatMatte } from '../matte/matte';
import type { DeviceChoice, FrameSegmenter } from '../model';
import { objectPlace, scoreFrames, type FrameEvidence } from '../confidence';
import type { Annotation } from '../osvos/annotations';
import { chooseNextAnnotation, type ChooseMethod, type RoundState } from './choose-annotation';
import { spearman } from './rank-correlation';
import type { FineTuneResult } from '../osvos/finetune';
import {
  createOneShotMethod,
  plainNetwork,
  readAnnotatedFrames,
  refuseAnnotationsForOwnModel,
} from '../osvos/one-shot';
import { measureParentGuide } from '../osvos/parent-guide';
import type { FineTuneSettings } from '../osvos/presets';
import { segmentClip } from '../osvos/segment-clip';
import { readWeights, withSegmentationChoices, writeWeights, type FineTunedWeights } from '../osvos/weights';
import { openFrameSource } from '../video/open-frame-source';
import type { RgbFrame } from '../video/frame';
import { MaskSequenceWriter, readMask, type BinaryMask } from '../video/mask-io';
import {
  annotationPath,
  listDavisSequences,
  loadDavisSequence,
  type ListDavisSequencesOptions,
} from './davis-dataset';
import {
  buildReport,
  scoreFrame,
  summarizeSequence,
  type EvalReport,
  type FrameScore,
  type SequenceScores,
} from './evaluate';

export const BBOX_THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9] as const;

export interface MethodEvalOptions extends ListDavisSequencesOptions {
  davisRoot: string;
  settings: FineTuneSettings;
  matte: MatteOptions;
  /** Annotated frames per sequence: 0 = parent network only, 1 = the first frame (the protocol), more = refinement. */
  annotations: number;
  device?: DeviceChoice;
  threads?: number;
  modelPath?: string;
  /** Where the final masks go, DAVIS results layout `<dir>/<seq>/<frame>.png`. */
  resultsDir: string;
  bbox?: boolean;
  /**
   * Segment with the fine-tuned weights an earlier run saved, `<dir>/<seq>.weights`, instead of
   * fine-tuning (one annotation only): compares segmentation settings such as test-time flip on
   * the same fine-tuned networks. The run's `settings.testTimeFlip` and `settings.zoomPass` apply.
   */
  reuseWeightsDir?: string;
  /** Also write the network's soft maps of the final round as 16-bit PNGs, `<dir>/<seq>/<frame>.png` (for snapping studies). */
  softDir?: string;
  /**
   * Segment and score every `frameStep`-th frame only (indices divisible by it; default 1, every
   * frame): a quicker, sparser estimate of the same measures for studies on a 2-core machine.
   */
  frameStep?: number;
  /**
   * Score annotated frames as the editor gets them, their ground truth kept as painted (the
   * product's default in `segment` and the server's render). Off by default: the evaluation scores
   * the network on every frame, as the DAVIS protocol and the paper's refinement do.
   */
  keepPainted?: boolean;
  /** How each annotation after the first picks its frame (choose-annotation.ts; default `worst`). */
  choose?: ChooseMethod;
  onLine?: (line: string) => void;
}

export interface RoundResult extends SequenceScores {
  annotations: number;
  annotatedFrames: number[];
  /**
   * Spearman's ρ of the per-frame confidence with the per-frame J over the scored frames (first
   * and last left out, as DAVIS does) that have no annotation; absent when it is undefined.
   */
  confidenceSpearman?: number;
}

/**
 * One segmented frame of one annotation round, for studies of the confidence score against the
 * truth: its J and F, its score and the evidence the score was computed from.
 */
export interface FrameRecord {
  round: number;
  frame: number;
  J: number;
  F: number;
  /** Whether DAVIS scores the frame (all but the first and the last). */
  scored: boolean;
  annotated: boolean;
  confidence: number;
  evidence: FrameEvidence;
}

/** How well the per-frame confidence orders frames by their true J, in one annotation round. */
export interface ConfidenceRankResult {
  annotations: number;
  /** ρ over every sequence's frames together. */
  pooled?: number;
  /** Mean of the sequences' own ρ (those where it is defined), and how many there were. */
  meanPerSequence?: number;
  sequences: number;
  frames: number;
}

export interface SequenceTiming {
  fineTuneSeconds: number;
  fineTuneIterations: number;
  frames: number;
  /** Network + matte finishing per frame. */
  msPerFrame: number;
}

export interface MethodEvalReport extends EvalReport {
  timing: {
    fineTuneSeconds: { mean: number; total: number };
    msPerFrame: number;
    /** Fine-tuning spread over the frames plus segmentation, per frame (the paper's Figure 8 x-axis). */
    secondsPerFrameAmortised: number;
    sequences: Record<string, SequenceTiming>;
  };
  executionProvider: string;
  settings: FineTuneSettings;
  matte: MatteOptions;
  /** J/F mean over sequences after each annotation round (Table 4). */
  refinement: { annotations: number; J: number; F: number }[];
  /** How the annotations after the first were chosen. */
  choose: ChooseMethod;
  /** Per round: the per-frame confidence's rank correlation with the per-frame J. */
  confidenceRank: ConfidenceRankResult[];
  /** Per sequence, every segmented frame of every round (first and last frames included). */
  frames: Record<string, FrameRecord[]>;
  /** Share of frames whose box IoU exceeds each threshold (Table 5), when requested. */
  bbox?: Record<string, number>;
}

function boxOf(mask: Uint8Array, w: number, h: number): [number, number, number, number] | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}

/** IoU of the bounding boxes of two masks (1 when both are empty). */
export function boxIoU(a: Uint8Array, b: Uint8Array, w: number, h: number): number {
  const p = boxOf(a, w, h);
  const q = boxOf(b, w, h);
  if (!p && !q) return 1;
  if (!p || !q) return 0;
  const iw = Math.max(0, Math.min(p[2], q[2]) - Math.max(p[0], q[0]));
  const ih = Math.max(0, Math.min(p[3], q[3]) - Math.max(p[1], q[1]));
  const inter = iw * ih;
  const union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter;
  return inter / union;
}

/** Saved weights of one sequence for `reuseWeightsDir`, checked against the run's settings. */
async function reusableWeights(
  dir: string,
  name: string,
  settings: FineTuneSettings,
): Promise<FineTunedWeights> {
  const file = path.join(dir, `${name}.weights`);
  const w = await readWeights(file).catch((err: unknown) => {
    throw new Error(
      `cannot reuse weights for ${name}: ${file} is missing or unreadable (run eval with --results-out ${dir} first)`,
      { cause: err },
    );
  });
  if (w.annotatedFrames.length !== 1 || w.annotatedFrames[0] !== 0)
    throw new Error(
      `${file} was fine-tuned on frames [${w.annotatedFrames.join(', ')}], not on frame 0 alone; it cannot stand for a one-annotation run`,
    );
  if (w.resolution !== settings.resolution)
    throw new Error(
      `${file} was fine-tuned at ${w.resolution}px but this run segments at ${settings.resolution}px; pass --resolution ${w.resolution} or the preset it was trained with`,
    );
  return withSegmentationChoices(w, settings);
}

export async function runMethodEval(options: MethodEvalOptions): Promise<MethodEvalReport> {
  const print = options.onLine ?? (() => undefined);
  const step = options.frameStep ?? 1;
  if (!Number.isInteger(step) || step < 1)
    throw new Error(`the frame step must be a whole number of 1 or more, got ${step}`);
  if (options.reuseWeightsDir && options.annotations !== 1)
    throw new Error(
      `reusing saved weights needs exactly one annotation per sequence, got ${options.annotations}`,
    );
  const names = await listDavisSequences(options.davisRoot, options);
  const method = createOneShotMethod({ device: options.device, threads: options.threads });
  const choose = options.choose ?? 'worst';
  // Per round: every sequence's (confidence, J) pairs, for the pooled rank correlation.
  const confidencePairs: Record<number, { confidence: number[]; J: number[] }> = {};
  const finalScores: Record<string, SequenceScores> = {};
  const roundsBySeq: Record<string, RoundResult[]> = {};
  const frameRecords: Record<string, FrameRecord[]> = {};
  const timing: Record<string, SequenceTiming> = {};
  const boxIous: number[] = [];
  let executionProvider = 'cpu';
  for (const name of names) {
    const seq = await loadDavisSequence(options.davisRoot, name, options.resolution);
    const source = await openFrameSource(seq.framesDir);
    try {
      const gts: BinaryMask[] = [];
      for (const f of seq.annotationNames) gts.push(await readMask(annotationPath(seq, f), { threshold: 0 }));
      if (gts.length !== source.frameCount) {
        throw new Error(`sequence ${name}: ${source.frameCount} frames but ${gts.length} ground-truth masks`);
      }
      const annotations: Annotation[] = [];
      const addAnnotation = (i: number) =>
        annotations.push({ frameIndex: i, mask: gts[i]!.data, width: gts[i]!.width, height: gts[i]!.height });
      const rounds: RoundResult[] = [];
      let lastRound: RoundState | undefined;
      let previousEvidence: Map<number, FrameEvidence> | undefined;
      let weights: FineTunedWeights | undefined;
      let seqTiming: SequenceTiming = { fineTuneSeconds: 0, fineTuneIterations: 0, frames: 0, msPerFrame: 0 };
      const total = Math.max(0, options.annotations);
      for (let round = total === 0 ? 0 : 1; round <= total; round++) {
        if (round >= 1) {
          if (annotations.length === 0) addAnnotation(0);
          else if (lastRound) {
            const next = chooseNextAnnotation(choose, lastRound);
            if (next !== undefined) addAnnotation(next);
          }
        }
        const reused = options.reuseWeightsDir
          ? await reusableWeights(options.reuseWeightsDir, name, options.settings)
          : undefined;
        // The run's parent guide applies to saved weights too, measured on their annotated frame 0.
        if (reused && options.settings.parentGuideResolution > 0 && !reused.parentGuide) {
          if (annotations.length === 0) addAnnotation(0);
          reused.parentGuide = await measureParentGuide(
            await readAnnotatedFrames(source, annotations),
            annotations,
            {
              resolution: options.settings.parentGuideResolution,
              share: options.settings.parentGuideShare,
              device: options.device,
              threads: options.threads,
            },
          );
        }
        // Each round continues from the previous round's weights with all annotations so far.
        const annotated = reused ? [] : annotations;
        const resume = reused ?? weights;
        refuseAnnotationsForOwnModel(options.modelPath, annotated);
        let fineTune: FineTuneResult | undefined;
        let model: FrameSegmenter;
        if (options.modelPath || (annotated.length === 0 && !resume)) {
          model = await method.plainSegmenter(plainNetwork(options.settings, options.modelPath));
          weights = undefined;
        } else {
          if (annotated.length > 0)
            fineTune = await method.fineTune(source, annotated, options.settings, { resumeFrom: resume });
          weights = fineTune?.weights ?? resume!;
          model = await method.segmenter(weights);
        }
        // Keep the final weights beside the masks: soft maps or other matte settings can then be
        // produced again with `segment --weights` without fine-tuning again.
        if (round === total && weights && !reused) {
          await fs.mkdir(options.resultsDir, { recursive: true });
          await writeWeights(path.join(options.resultsDir, `${name}.weights`), weights);
        }
        executionProvider = model.executionProvider;
        const isFinal = round === total;
        const writer = isFinal
          ? await MaskSequenceWriter.create(path.join(options.resultsDir, name), source)
          : undefined;
        const softWriter =
          isFinal && options.softDir
            ? await openMatteWriter('png16', {
                outDir: path.join(options.softDir, name),
                baseName: '',
                width: source.width,
                height: source.height,
              })
            : undefined;
        const processor = createMatteProcessor({ ...options.matte });
        const only =
          step > 1 ? [...Array(source.frameCount).keys()].filter((i) => i % step === 0) : undefined;
        const perFrame = new Array<FrameScore | undefined>(source.frameCount);
        const perFrameJ = new Array<number>(source.frameCount).fill(1);
        const evidence = new Map<number, FrameEvidence>();
        const started = performance.now();
        const consume = async (frameIndex: number, alpha: Float32Array) => {
          const bin = binarize(makeFloatMatte(alpha, source.width, source.height), 0.5);
          const gt = gts[frameIndex]!;
          perFrame[frameIndex] = scoreFrame(bin, gt.data, gt.width, gt.height);
          perFrameJ[frameIndex] = perFrame[frameIndex].J;
          if (isFinal && options.bbox && frameIndex > 0 && frameIndex < source.frameCount - 1) {
            boxIous.push(boxIoU(bin, gt.data, gt.width, gt.height));
          }
          if (writer) {
            const data = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) data[i] = bin[i] ? 255 : 0;
            await writer.write(seq.frameNames[frameIndex]!, {
              data,
              width: source.width,
              height: source.height,
            });
          }
        };
        // Piece tracking needs every frame's map before it finishes any (a frame follows its
        // nearest annotation, which may come later): the clip's maps wait in memory (DAVIS clips).
        const track = options.matte.pieceTrack && annotations.length > 0;
        const held: { index: number; soft: FloatMatte; frame: RgbFrame }[] = [];
        const finish = async (index: number, soft: FloatMatte, frame: RgbFrame) => {
          const painted = options.keepPainted
            ? annotations.find((a) => a.frameIndex === index)?.mask
            : undefined;
          for (const p of processor.push(index, soft, frame, painted))
            await consume(p.frameIndex, p.matte.data);
        };
        try {
          for await (const f of segmentClip(source, model, { only })) {
            evidence.set(f.index, f.evidence);
            const soft = makeFloatMatte(f.probability, source.width, source.height);
            await softWriter?.write(f.index, soft);
            if (track) held.push({ index: f.index, soft, frame: f.frame });
            else await finish(f.index, soft, f.frame);
          }
          if (track) {
            const byIndex = new Map(held.map((h) => [h.index, h.soft]));
            const plan = await planSoftMapTrack({
              frames: held.map((h) => h.index),
              annotations: new Map(annotations.map((a) => [a.frameIndex, a.mask])),
              width: source.width,
              height: source.height,
              threshold: options.matte.threshold,
              readSoft: (i) => Promise.resolve(byIndex.get(i)!),
            });
            for (const h of held) await finish(h.index, plan.apply(h.index, h.soft), h.frame);
          }
          for (const p of processor.flush()) await consume(p.frameIndex, p.matte.data);
          await softWriter?.close();
        } catch (err) {
          await softWriter?.abort();
          throw err;
        } finally {
          await model.dispose();
        }
        const segmented = only?.length ?? source.frameCount;
        const ms = (performance.now() - started) / segmented;
        const scored = perFrame.slice(1, source.frameCount - 1).filter((x): x is FrameScore => !!x);
        const summary = summarizeSequence(scored);
        const annotatedFrames = annotations.map((a) => a.frameIndex);
        // Each frame also carries where the previous round's network put the object (score.ts
        // `steadiness`), as the server keeps it across an editor's corrections.
        if (previousEvidence)
          for (const [i, e] of evidence) {
            const before = previousEvidence.get(i);
            if (before) e.previous = objectPlace(before);
          }
        previousEvidence = evidence;
        const scores = scoreFrames(evidence);
        lastRound = {
          frameCount: source.frameCount,
          segmented: [...evidence.keys()].sort((a, b) => a - b),
          annotated: annotatedFrames,
          jOf: (i) => perFrameJ[i]!,
          scores,
          empty: [...evidence.keys()].filter((i) => !gts[i]!.data.includes(1)),
        };
        const roundRecords: FrameRecord[] = scores.map((s) => {
          const score = perFrame[s.frame]!;
          return {
            round,
            frame: s.frame,
            J: score.J,
            F: score.F,
            scored: s.frame > 0 && s.frame < source.frameCount - 1,
            annotated: annotatedFrames.includes(s.frame),
            confidence: s.confidence,
            evidence: evidence.get(s.frame)!,
          };
        });
        (frameRecords[name] ??= []).push(...roundRecords);
        // Frames DAVIS scores, without the annotated ones (they are what the editor painted).
        const ranked = roundRecords.filter((r) => r.scored && !r.annotated);
        const pairs = { confidence: ranked.map((r) => r.confidence), J: ranked.map((r) => r.J) };
        (confidencePairs[round] ??= { confidence: [], J: [] }).confidence.push(...pairs.confidence);
        confidencePairs[round]!.J.push(...pairs.J);
        const rho = spearman(pairs.confidence, pairs.J);
        rounds.push({
          ...summary,
          annotations: round,
          annotatedFrames,
          ...(rho !== undefined ? { confidenceSpearman: rho } : {}),
        });
        seqTiming = {
          fineTuneSeconds: seqTiming.fineTuneSeconds + (fineTune?.seconds ?? 0),
          fineTuneIterations: seqTiming.fineTuneIterations + (fineTune?.iterations ?? 0),
          frames: segmented,
          msPerFrame: ms,
        };
        print(
          `${name}: ${round} annotation(s) [${annotations.map((a) => a.frameIndex).join(',')}]  J ${summary.J.mean.toFixed(3)}  F ${summary.F.mean.toFixed(3)}` +
            (fineTune
              ? `  fine-tune ${fineTune.seconds.toFixed(1)} s / ${fineTune.iterations} it (${fineTune.stoppedBy})`
              : reused
                ? `  saved weights (${reused.iterations} it)`
                : '') +
            `  ${ms.toFixed(0)} ms/frame` +
            (rounds.at(-1)!.confidenceSpearman !== undefined
              ? `  confidence~J ρ ${rounds.at(-1)!.confidenceSpearman!.toFixed(2)}`
              : ''),
        );
      }
      roundsBySeq[name] = rounds.map(({ J, F, annotations: n, annotatedFrames, confidenceSpearman }) => ({
        J,
        F,
        annotations: n,
        annotatedFrames,
        ...(confidenceSpearman !== undefined ? { confidenceSpearman } : {}),
      }));
      const last = rounds[rounds.length - 1]!;
      finalScores[name] = { J: last.J, F: last.F };
      timing[name] = seqTiming;
    } finally {
      await source.close();
    }
  }
  const report = buildReport(finalScores);
  const seqTimings = Object.values(timing);
  const totalFt = seqTimings.reduce((a, t) => a + t.fineTuneSeconds, 0);
  const totalFrames = seqTimings.reduce((a, t) => a + t.frames, 0);
  const msPerFrame = seqTimings.reduce((a, t) => a + t.msPerFrame * t.frames, 0) / Math.max(1, totalFrames);
  const roundsCount = Math.max(...Object.values(roundsBySeq).map((r) => r.length));
  const refinement: MethodEvalReport['refinement'] = [];
  for (let k = 0; k < roundsCount; k++) {
    const rs = Object.values(roundsBySeq)
      .map((r) => r[k])
      .filter((r): r is RoundResult => !!r);
    refinement.push({
      annotations: rs[0]!.annotations,
      J: rs.reduce((a, r) => a + r.J.mean, 0) / rs.length,
      F: rs.reduce((a, r) => a + r.F.mean, 0) / rs.length,
    });
  }
  const confidenceRank: ConfidenceRankResult[] = refinement.map(({ annotations: n }) => {
    const perSequence = Object.values(roundsBySeq)
      .map((r) => r.find((x) => x.annotations === n)?.confidenceSpearman)
      .filter((v): v is number => v !== undefined);
    const pairs = confidencePairs[n] ?? { confidence: [], J: [] };
    const pooled = spearman(pairs.confidence, pairs.J);
    return {
      annotations: n,
      ...(pooled !== undefined ? { pooled } : {}),
      ...(perSequence.length > 0
        ? { meanPerSequence: perSequence.reduce((a, b) => a + b, 0) / perSequence.length }
        : {}),
      sequences: perSequence.length,
      frames: pairs.J.length,
    };
  });
  const result: MethodEvalReport = {
    ...report,
    timing: {
      fineTuneSeconds: { mean: totalFt / Math.max(1, names.length), total: totalFt },
      msPerFrame,
      secondsPerFrameAmortised: totalFt / Math.max(1, totalFrames) + msPerFrame / 1000,
      sequences: timing,
    },
    executionProvider,
    settings: options.settings,
    matte: options.matte,
    refinement,
    choose,
    confidenceRank,
    frames: frameRecords,
  };
  if (options.bbox) {
    result.bbox = Object.fromEntries(
      BBOX_THRESHOLDS.map((t) => [
        String(t),
        boxIous.filter((v) => v > t).length / Math.max(1, boxIous.length),
      ]),
    );
  }
  return result;
}
