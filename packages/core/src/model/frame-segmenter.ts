import type { RgbFrame } from '../video/frame';

/**
 * Anything that turns one frame into a foreground probability map at the frame's size: the parent
 * network, a fine-tuned network or ensemble (SegmentationModel), or a fine-tuned network guided
 * by the parent (osvos/parent-guide.ts). Frames are independent: any order, any subset.
 */
export interface FrameSegmenter {
  /** Foreground probability per pixel, 0..1, row-major at the frame's size. */
  predict(frame: RgbFrame): Promise<Float32Array>;
  /** The onnxruntime execution provider the networks run on (`cpu`, `cuda`, …). */
  readonly executionProvider: string;
  /** Releases the inference sessions. */
  dispose(): Promise<void>;
}
