/**
 * Fine-tuned weights loaded for segmentation.
 */
import { SegmentationModel, type DeviceChoice } from '../model';
import { encodeModel } from '../onnx/model-io';
import { buildEnsembleGraph } from './ensemble-graph';
import { outputRoles } from './finetune';
import { buildFineTunedModel, type FineTunedWeights } from './weights';

/**
 * The fine-tuned network; for an ensemble one graph that runs the frozen encoder once and each
 * network's trained part, and outputs the mean of their probabilities (ensemble-graph.ts).
 */
export async function loadFineTunedModel(
  weights: FineTunedWeights,
  options: { device?: DeviceChoice; threads?: number; cacheDir?: string },
): Promise<SegmentationModel> {
  const model = await buildFineTunedModel(weights, options.cacheDir);
  const ensemble = weights.ensemble.length > 0;
  const bytes = ensemble
    ? encodeModel(
        buildEnsembleGraph(
          model,
          weights.ensemble.map((m) => m.parameters),
          outputRoles(model, weights.resolution).main,
        ),
      )
    : encodeModel(model);
  return SegmentationModel.load({
    modelBytes: bytes,
    testTimeFlip: weights.testTimeFlip,
    zoomPass: weights.zoomPass,
    device: options.device,
    threads: options.threads,
    ...(ensemble ? { outputKind: 'probability' as const } : {}),
  });
}
