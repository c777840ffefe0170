/**
 * Fine-tuned weights loaded for segmentation.
 */
import { SegmentationModel, type DeviceChoice, type FrameSegmenter } from '../model';
import { encodeModel } from '@oneshot-roto/onnx-train';
import { buildEnsembleGraph } from './ensemble-graph';
import { outputRoles } from './finetune';
import { ParentGuidedSegmenter } from './parent-guide';
import type { ParentMapCache } from './parent-map-cache';
import { buildFineTunedModel, type FineTunedWeights } from './weights';

/**
 * The fine-tuned network as one ONNX graph: for an ensemble, the frozen encoder once and each
 * network's trained part, outputting the mean of their probabilities (ensemble-graph.ts).
 */
async function fineTunedGraph(weights: FineTunedWeights, cacheDir?: string): Promise<Uint8Array> {
  const model = await buildFineTunedModel(weights, cacheDir);
  if (weights.ensemble.length === 0) return encodeModel(model);
  const members = weights.ensemble.map((m) => m.parameters);
  return encodeModel(buildEnsembleGraph(model, members, outputRoles(model, weights.resolution).main));
}

/** The fine-tuned network ready to segment, with its test-time flip and zoom pass. */
export async function loadFineTunedModel(
  weights: FineTunedWeights,
  options: { device?: DeviceChoice; threads?: number; cacheDir?: string },
): Promise<SegmentationModel> {
  return SegmentationModel.load({
    modelBytes: await fineTunedGraph(weights, options.cacheDir),
    testTimeFlip: weights.testTimeFlip,
    zoomPass: weights.zoomPass,
    device: options.device,
    threads: options.threads,
    // The parent ends in a Sigmoid; an ensemble's mean of probabilities does not: say what it is.
    outputKind: 'probability',
  });
}

/**
 * What saved weights segment with: the fine-tuned network (loadFineTunedModel), guided by the
 * parent at its own resolution when the weights carry a parent guide (parent-guide.ts).
 */
export async function loadWeightsSegmenter(
  weights: FineTunedWeights,
  options: { device?: DeviceChoice; threads?: number; cacheDir?: string; parentMaps?: ParentMapCache },
): Promise<FrameSegmenter> {
  const fine = await loadFineTunedModel(weights, options);
  if (!weights.parentGuide) return fine;
  try {
    return await ParentGuidedSegmenter.load(fine, weights.parentGuide, options);
  } catch (err) {
    await fine.dispose();
    throw err;
  }
}
