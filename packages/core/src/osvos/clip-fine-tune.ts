/**
 * The fine-tune a clip gets from the CLI, eval and the server: one-shot fine-tuning on its
 * annotations (finetune.ts), then, when the settings guide by the parent, the parent guide measured
 * on the annotated frames and stored with the weights (parent-guide.ts).
 */
import { childLogger } from '../logging/logger';
import { fineTune, type FineTuneRequest, type FineTuneResult } from './finetune';
import { measureParentGuide } from './parent-guide';
import type { ParentMapCache } from './parent-map-cache';

/** `parentMaps`: the parent's maps of frames segmented before, for the guide's measurement. */
export async function fineTuneOnClip(
  req: FineTuneRequest,
  parentMaps?: ParentMapCache,
): Promise<FineTuneResult> {
  const result = await fineTune(req);
  const resolution = req.settings.parentGuideResolution;
  if (resolution === 0) return result;
  const share = req.settings.parentGuideShare;
  const parentGuide = await measureParentGuide(req.frames, req.annotations, {
    ...req,
    resolution,
    share,
    parentMaps,
  });
  childLogger('parent-guide').info(parentGuide, 'parent guide measured on the annotated frames');
  return { ...result, weights: { ...result.weights, parentGuide } };
}
