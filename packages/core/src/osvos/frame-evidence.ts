/**
 * A frame segmented together with its confidence evidence (confidence/evidence.ts): with the
 * parent guide, the fine-tuned and parent maps it already computes are compared too.
 */
import { measureFrame, type FrameEvidence } from '../confidence';
import type { FrameSegmenter } from '../model';
import type { RgbFrame } from '../video/frame';
import { ParentGuidedSegmenter } from './parent-guide';

export interface FramePrediction {
  /** Foreground probability at frame size, 0..1. */
  probability: Float32Array;
  evidence: FrameEvidence;
}

export async function predictWithEvidence(model: FrameSegmenter, frame: RgbFrame): Promise<FramePrediction> {
  if (model instanceof ParentGuidedSegmenter) {
    const { probability, fine, parent } = await model.predictParts(frame);
    return { probability, evidence: measureFrame(probability, frame.width, frame.height, { fine, parent }) };
  }
  const probability = await model.predict(frame);
  return { probability, evidence: measureFrame(probability, frame.width, frame.height) };
}
