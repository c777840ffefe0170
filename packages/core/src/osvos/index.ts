/** Public API of the method: presets, one-shot fine-tuning and segmentation, the parent guide, weights. */
export {
  AnnotationError,
  DONT_CARE,
  mergeAnnotations,
  validateAnnotation,
  type Annotation,
} from './annotations';
export { OperationCancelledError, type CancellableStep } from './cancelled';
export {
  PRESETS,
  PRESET_NAMES,
  FINE_TUNE_LOSSES,
  TRAINABLE_DEPTHS,
  networkFinishing,
  resolveSettings,
  type FineTuneSettings,
  type FineTuneLoss,
  type PresetName,
  type TrainableDepth,
} from './presets';
export {
  createOneShotMethod,
  plainNetwork,
  readAnnotatedFrames,
  refuseAnnotationsForOwnModel,
  type AnnotatedClip,
  type FineTuneRun,
  type MethodRuntime,
  type OneShotMethod,
  type PlainNetwork,
} from './one-shot';
export { fineTune, outputRoles, trainableSelector, type FineTuneResult } from './finetune';
export { fineTuneOnClip } from './clip-fine-tune';
export { segmentClip, segmentFrames, type SegmentedFrame, type SegmentClipOptions } from './segment-clip';
export { predictWithEvidence, type FramePrediction } from './frame-evidence';
export { loadFineTunedModel, loadWeightsSegmenter } from './fine-tuned-model';
export {
  UNSEEN_SUPPORT,
  MIN_ANNOTATION_SHARE,
  guideStandsAside,
  annotationShare,
  type FuseOptions,
  PARENT_SHARE,
  annotationAgreement,
  fuseWithParent,
  measureParentGuide,
  ParentGuidedSegmenter,
  type ParentGuide,
} from './parent-guide';
export {
  ParentMapCache,
  DEFAULT_PARENT_MAP_CACHE_BYTES,
  DEFAULT_PARENT_MAP_STALE_MS,
  type ParentMapCacheOptions,
  type ParentMapCacheStats,
} from './parent-map-cache';
export {
  readWeights,
  writeWeights,
  buildFineTunedModel,
  settingsToContinue,
  withSegmentationChoices,
  type FineTunedWeights,
} from './weights';
export { createOsvosBackend, type OsvosBackendOptions } from './backend';
export { seededRandom } from './augment';
