/**
 * The contract between the companion server's job runner and the segmentation pipeline.
 * The server owns clips, annotations, files and scheduling; a backend only learns weights from
 * annotated frames and turns frames into probability mattes. Implementations:
 * `createOsvosBackend` (osvos/backend.ts: real one-shot fine-tuning) and
 * `createParentOnlyBackend` (companion-server's server/parent-only-backend.ts: the parent network,
 * no fine-tuning).
 * Its types are named `Backend…`: the method's own fine-tune types (osvos/finetune.ts) take decoded
 * frames and settings, these take a clip, a preset and file paths.
 */
import type { FrameEvidence } from './confidence';
import type { EdgeSnapMethod } from './matte/options';
import type { PresetName } from './osvos/presets';
import type { RgbFrame } from './video/frame';

/** A clip as the backend sees it: frames by clip-relative index (0 = the clip's in point). */
export interface BackendClip {
  clipId: string;
  width: number;
  height: number;
  frameCount: number;
  /** Decodes frame `index` (0 ≤ index < frameCount) at the clip's full size. */
  readFrame(index: number): Promise<RgbFrame>;
}

/**
 * One annotated frame: `mask` has width*height bytes, 1 = object, 0 = background, DONT_CARE =
 * open (the editor left it to the network; the same convention as osvos/annotations.ts
 * `Annotation`, with `frame` as its `frameIndex`).
 */
export interface AnnotationMask {
  frame: number;
  width: number;
  height: number;
  mask: Uint8Array;
}

export interface BackendFineTuneProgress {
  /** Iterations done so far (1-based after the first step). */
  iteration: number;
  total: number;
  loss: number;
  etaSeconds: number;
}

export interface BackendFineTuneRequest {
  clip: BackendClip;
  /** Every annotation of the object so far (initial frame and corrections), at frame size. */
  annotations: AnnotationMask[];
  preset: PresetName;
  /** Weights file to continue from (a correction round), or null to start from the parent network. */
  resumeFrom: string | null;
  /** Where to write the fine-tuned weights. The server gives a temp path and renames it after success. */
  weightsOut: string;
  /**
   * Where the backend may keep the progress of this fine-tune until its weights are written, so the
   * same job run again after a crash or a shutdown continues it instead of starting over. The same
   * path on every run of one job; the server removes it when the job ends.
   */
  progressFile?: string;
  /** Aborted on cancel or shutdown: stop soon and reject (any error; the server knows why). */
  signal: AbortSignal;
  onProgress(progress: BackendFineTuneProgress): void;
}

export interface BackendFineTuneResult {
  /** Normally `weightsOut`. */
  weightsPath: string;
  /** Probability threshold (0..1) the backend recommends for hard mattes. */
  threshold: number;
  /** Edge snap the backend recommends for its maps; absent: the matte's default. */
  edgeSnap?: EdgeSnapMethod;
}

export interface BackendSegmentRequest {
  clip: BackendClip;
  /** Fine-tuned weights, or null for the parent network alone. */
  weightsPath: string | null;
  /** Frames to segment in this order (the playhead frame first). */
  frameOrder: number[];
  signal: AbortSignal;
  /**
   * Called once per frame, in `frameOrder` order; `probability` is an 8-bit soft matte
   * (0..255) of width*height bytes at frame size. Awaiting it gives the server back-pressure.
   * `evidence` is how sure the network is of the frame (confidence/evidence.ts); without it the
   * server measures what the soft matte alone tells.
   */
  onFrame(
    index: number,
    probability: Uint8Array,
    width: number,
    height: number,
    evidence?: FrameEvidence,
  ): Promise<void>;
}

export interface SegmentationBackend {
  /** Short name for /health and logs ("osvos", "parent-only", ...). */
  readonly name: string;
  /** The execution provider in use ("cpu", "cuda", ...), "none" before the model loads. */
  executionProvider(): string;
  fineTune(req: BackendFineTuneRequest): Promise<BackendFineTuneResult>;
  segment(req: BackendSegmentRequest): Promise<void>;
  /** Releases sessions and memory. */
  close?(): Promise<void>;
}
