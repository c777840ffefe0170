/**
 * The OSVOS method, composed once: fine-tune on a clip's annotated frames (or continue saved
 * weights), then load what segments every frame independently: the fine-tuned network, or a plain
 * one (the parent, or the user's own model). The CLI (`segment`, `eval`, `demo`), the server
 * (osvos/backend.ts) and the lab compose it here and run the frames through segment-clip.ts.
 */
import { SegmentationModel, type DeviceChoice, type FrameSegmenter } from '../model';
import type { FrameSource } from '../video/frame-source';
import type { RgbFrame } from '../video/frame';
import { AnnotationError, type Annotation } from './annotations';
import { fineTuneOnClip } from './clip-fine-tune';
import type { FineTuneProgress, FineTuneResult } from './finetune';
import { loadWeightsSegmenter } from './fine-tuned-model';
import { ParentMapCache } from './parent-map-cache';
import type { FineTuneSettings } from './presets';
import type { FineTunedWeights } from './weights';

/** What fine-tuning needs of a clip: random access to its annotated frames. */
export type AnnotatedClip = Pick<FrameSource, 'frameCount' | 'readFrame'>;

/** Where the networks run and where the parent is cached: the same for every step. */
export interface MethodRuntime {
  device?: DeviceChoice;
  threads?: number;
  cacheDir?: string;
  /**
   * The parent guide's maps of frames already segmented, reused by every later segmentation run and
   * guide measurement of this method (a correction round re-runs the fine-tuned network only). Default: a cache with
   * DEFAULT_PARENT_MAP_CACHE_BYTES; `new ParentMapCache({ maxBytes: 0 })` keeps none.
   */
  parentMaps?: ParentMapCache;
}

/** One fine-tune's own inputs besides the clip: what it continues and how it reports and stops. */
export interface FineTuneRun {
  /** Continue from these weights (a correction round) instead of the parent's. */
  resumeFrom?: FineTunedWeights;
  onProgress?: (p: FineTuneProgress) => void;
  signal?: AbortSignal;
  /** Keep an ensemble's finished networks here until it is done (finetune.ts `progressFile`). */
  progressFile?: string;
}

/** A network that segments without fine-tuned weights: the built-in parent, or `modelPath`. */
export interface PlainNetwork {
  resolution: number;
  testTimeFlip?: boolean;
  zoomPass?: boolean;
  modelPath?: string;
}

export interface OneShotMethod {
  /** Fine-tunes on `annotations` of `clip` and, when the settings say so, measures the parent guide. */
  fineTune(
    clip: AnnotatedClip,
    annotations: readonly Annotation[],
    settings: FineTuneSettings,
    run?: FineTuneRun,
  ): Promise<FineTuneResult>;
  /** What fine-tuned weights segment with (guided by the parent when they carry a guide). */
  segmenter(weights: FineTunedWeights): Promise<FrameSegmenter>;
  plainSegmenter(network: PlainNetwork): Promise<FrameSegmenter>;
}

export function createOneShotMethod(runtime: MethodRuntime = {}): OneShotMethod {
  const { device, threads, cacheDir } = runtime;
  const parentMaps = runtime.parentMaps ?? new ParentMapCache();
  return {
    fineTune: async (clip, annotations, settings, run = {}) =>
      fineTuneOnClip(
        {
          frames: await readAnnotatedFrames(clip, annotations),
          annotations,
          settings,
          device,
          threads,
          cacheDir,
          ...run,
        },
        parentMaps,
      ),
    segmenter: (weights) => loadWeightsSegmenter(weights, { device, threads, cacheDir, parentMaps }),
    plainSegmenter: (network) => SegmentationModel.load({ ...network, device, threads, cacheDir }),
  };
}

/** Decodes the annotated frames of a clip (random access). */
export async function readAnnotatedFrames(
  source: AnnotatedClip,
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

/** The plain network that segments with `settings`: the built-in parent, or `modelPath`. */
export function plainNetwork(settings: FineTuneSettings, modelPath?: string): PlainNetwork {
  return {
    modelPath,
    resolution: settings.resolution,
    testTimeFlip: settings.testTimeFlip,
    zoomPass: settings.zoomPass,
  };
}

/** Fine-tuning targets the built-in parent: a user's own network (`--model`) takes no annotations. */
export function refuseAnnotationsForOwnModel(
  modelPath: string | undefined,
  annotations: readonly Annotation[],
): void {
  if (modelPath && annotations.length > 0) {
    throw new AnnotationError(
      'annotations fine-tune the built-in parent network; with --model the given network segments as it is. ' +
        'Leave out --model to fine-tune, or the annotations to use your model.',
    );
  }
}
