/**
 * DAVIS semi-supervised evaluation: per sequence, J and F on every frame but the first (the
 * given annotation) and the last, summarised as mean / recall / decay; overall = mean over
 * sequences. Matches the official DAVIS 2016 Python evaluation.
 */
import path from 'node:path';
import { readMask, type BinaryMask } from '../video/mask-io';
import { boundaryF, jaccard } from './measures';
import { meanStatistics, sequenceStatistics, type Statistics } from './statistics';
import {
  DavisDatasetError,
  listDavisSequences,
  loadDavisSequence,
  type ListDavisSequencesOptions,
} from './davis-dataset';

export interface FrameScore {
  J: number;
  F: number;
}

export interface SequenceScores {
  J: Statistics;
  F: Statistics;
}

/** The JSON report: `{"sequences": {"<seq>": {"J": {mean, recall, decay}, "F": {...}}}, "overall": {...}}`. */
export interface EvalReport {
  sequences: Record<string, SequenceScores>;
  overall: SequenceScores;
}

export interface SequenceEvaluation extends SequenceScores {
  /** Scores of the evaluated frames (all but the first and last), in order. */
  frames: Array<FrameScore & { name: string }>;
}

/** J and F of one predicted mask against its ground truth (nonzero = foreground). */
export function scoreFrame(
  pred: Uint8Array,
  gt: Uint8Array,
  width: number,
  height: number,
  boundTh = 0.008,
): FrameScore {
  return { J: jaccard(pred, gt, width, height), F: boundaryF(pred, gt, width, height, boundTh) };
}

/** Indices of the frames scored in a sequence of `frameCount` frames: 1 … frameCount − 2. */
export function evaluatedFrameIndices(frameCount: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < frameCount - 1; i++) out.push(i);
  return out;
}

/** Statistics of a sequence from the scores of its evaluated frames (first and last already left out). */
export function summarizeSequence(frames: FrameScore[]): SequenceScores {
  return {
    J: sequenceStatistics(frames.map((f) => f.J)),
    F: sequenceStatistics(frames.map((f) => f.F)),
  };
}

/** Report with `overall` = mean of each statistic over the sequences. */
export function buildReport(sequences: Record<string, SequenceScores>): EvalReport {
  const all = Object.values(sequences);
  return {
    sequences,
    overall: { J: meanStatistics(all.map((s) => s.J)), F: meanStatistics(all.map((s) => s.F)) },
  };
}

export interface EvaluateSequenceOptions {
  /** Folder of ground-truth PNGs named `<frame>.png`. */
  annotationsDir: string;
  /** Folder of predicted PNGs with the same names (the first and last frame may be missing). */
  resultsDir: string;
  /** Frame stems of the whole sequence in order; the first and last are not scored. */
  frameNames: string[];
  /** Prediction foreground: value > threshold. Default 0, the official "nonzero" rule. */
  threshold?: number;
  boundTh?: number;
  /** Frames decoded concurrently (decoding runs on libuv threads). Default 4. */
  concurrency?: number;
}

/** Scores the predicted masks of one sequence against its ground truth. */
export async function evaluateSequence(options: EvaluateSequenceOptions): Promise<SequenceEvaluation> {
  const { annotationsDir, resultsDir, frameNames } = options;
  const threshold = options.threshold ?? 0;
  const names = evaluatedFrameIndices(frameNames.length).map((i) => frameNames[i]);
  const scoreOne = async (name: string): Promise<FrameScore & { name: string }> => {
    const gt: BinaryMask = await readMask(path.join(annotationsDir, `${name}.png`), { threshold: 0 });
    const pred = await readMask(path.join(resultsDir, `${name}.png`), {
      width: gt.width,
      height: gt.height,
      threshold,
    });
    return { name, ...scoreFrame(pred.data, gt.data, gt.width, gt.height, options.boundTh) };
  };
  const frames = new Array<FrameScore & { name: string }>(names.length);
  const limit = Math.max(1, options.concurrency ?? 4);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      frames[i] = await scoreOne(names[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, names.length) }, worker));
  return { ...summarizeSequence(frames), frames };
}

export interface EvaluateResultsDirOptions extends ListDavisSequencesOptions {
  davisRoot: string;
  /** DAVIS results layout: `<resultsDir>/<seq>/00000.png`. */
  resultsDir: string;
  threshold?: number;
  boundTh?: number;
  /** Called after each sequence (progress output). */
  onSequence?: (name: string, result: SequenceEvaluation) => void;
}

/** Scores precomputed masks in the DAVIS results layout against a DAVIS root's ground truth. */
export async function evaluateResultsDir(options: EvaluateResultsDirOptions): Promise<EvalReport> {
  const names = await listDavisSequences(options.davisRoot, options);
  const sequences: Record<string, SequenceScores> = {};
  for (const name of names) {
    const seq = await loadDavisSequence(options.davisRoot, name, options.resolution);
    if (seq.annotationNames.length !== seq.frameNames.length) {
      throw new DavisDatasetError(
        `Sequence "${name}" has ${seq.frameNames.length} frames but ${seq.annotationNames.length} ground-truth masks ` +
          `in "${seq.annotationsDir}"; evaluation needs a mask for every frame.`,
      );
    }
    const result = await evaluateSequence({
      annotationsDir: seq.annotationsDir,
      resultsDir: path.join(options.resultsDir, name),
      frameNames: seq.annotationNames,
      threshold: options.threshold,
      boundTh: options.boundTh,
    });
    sequences[name] = { J: result.J, F: result.F };
    options.onSequence?.(name, result);
  }
  return buildReport(sequences);
}
