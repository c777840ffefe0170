/**
 * The OSVOS method end to end on one clip: fine-tune on the annotations (or continue from saved
 * weights), then hand back a network that segments any frame independently. Used by the CLI
 * (`segment`, `eval`, `demo`) and by the server's backend.
 */
import { SegmentationModel, type DeviceChoice, type FrameSegmenter } from '../model';
import type { FrameSource } from '../video/frame-source';
import type { RgbFrame } from '../video/frame';
import { AnnotationError, type Annotation } from './annotations';
import { fineTuneOnClip } from './clip-fine-tune';
import type { FineTuneProgress, FineTuneResult } from './finetune';
import { loadWeightsSegmenter } from './fine-tuned-model';
import type { FineTuneSettings } from './presets';
import type { FineTunedWeights } from './weights';

export interface OneShotOptions {
  settings: FineTuneSettings;
  device?: DeviceChoice;
  threads?: number;
  cacheDir?: string;
  /** A user's own ONNX network: segmentation only (fine-tuning targets the built-in parent). */
  modelPath?: string;
  onProgress?: (p: FineTuneProgress) => void;
  signal?: AbortSignal;
  /** Keep an ensemble's finished networks here until it is done (finetune.ts `progressFile`). */
  progressFile?: string;
}

export interface PreparedSegmenter {
  /** One network, or an ensemble's networks in one graph. */
  model: FrameSegmenter;
  /** Absent when no annotation was given (parent network only). */
  fineTune?: FineTuneResult;
  weights?: FineTunedWeights;
  threshold: number;
}

/** Decodes the annotated frames of a clip (random access). */
export async function readAnnotatedFrames(
  source: FrameSource,
  annotations: readonly Annotation[],
): Promise<Map<number, RgbFrame>> {
  const frames = new Map<number, RgbFrame>();
  for (const a of annotations) {
    if (a.frameIndex < 0 || a.frameIndex >= source.frameCount) {
      throw new AnnotationError(
        `annotation on frame ${a.frameIndex}: the clip has frames 0..${source.frameCount - 1}`,
      );
    }
    if (!frames.has(a.frameIndex)) frames.set(a.frameIndex, await source.readFrame(a.frameIndex));
  }
  return frames;
}

/**
 * Fine-tunes on `annotations` (continuing from `resumeFrom` when given) and loads the result for
 * segmentation. With no annotations and no weights, the parent network alone.
 */
export async function prepareSegmenter(
  source: FrameSource,
  annotations: readonly Annotation[],
  options: OneShotOptions,
  resumeFrom?: FineTunedWeights,
): Promise<PreparedSegmenter> {
  const s = options.settings;
  if (options.modelPath) {
    if (annotations.length > 0) {
      throw new AnnotationError(
        'annotations fine-tune the built-in parent network; with --model the given network segments as it is. ' +
          'Leave out --model to fine-tune, or the annotations to use your model.',
      );
    }
    const model = await SegmentationModel.load({
      modelPath: options.modelPath,
      resolution: s.resolution,
      testTimeFlip: s.testTimeFlip,
      zoomPass: s.zoomPass,
      device: options.device,
      threads: options.threads,
    });
    return { model, threshold: s.threshold };
  }
  if (annotations.length === 0 && !resumeFrom) {
    const model = await SegmentationModel.load({
      resolution: s.resolution,
      testTimeFlip: s.testTimeFlip,
      zoomPass: s.zoomPass,
      device: options.device,
      threads: options.threads,
      cacheDir: options.cacheDir,
    });
    return { model, threshold: s.threshold };
  }
  let weights = resumeFrom;
  let result: FineTuneResult | undefined;
  if (annotations.length > 0) {
    const frames = await readAnnotatedFrames(source, annotations);
    result = await fineTuneOnClip({
      frames,
      annotations,
      settings: s,
      resumeFrom,
      device: options.device,
      threads: options.threads,
      cacheDir: options.cacheDir,
      onProgress: options.onProgress,
      signal: options.signal,
      progressFile: options.progressFile,
    });
    weights = result.weights;
  }
  const model = await loadWeightsSegmenter(weights!, options);
  return { model, fineTune: result, weights, threshold: weights!.threshold };
}
