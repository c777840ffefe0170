/** Public API of model preparation and inference. */
export { ModelError, type ModelErrorCode } from './errors';
export {
  DEFAULT_RESOLUTION,
  PARENT_MODEL_NAME,
  PARENT_PREPROCESSING,
  checkResolution,
  ensureParentModel,
  listPreparedParentModels,
  parentModelPaths,
  type ParentModelManifest,
  type ParentModelOptions,
  type PreparedParentModel,
} from './parent-model';
export { CACHE_ENV, resolveCacheDir } from './model-cache';
export {
  DEVICE_CHOICES,
  cudaProviderInstalled,
  createSession,
  isDeviceChoice,
  type DeviceChoice,
} from './execution-provider';
export { inspectModelSignature, type ModelSignature } from './model-signature';
export {
  SegmentationModel,
  mirrorPlanes,
  type ModelSource,
  type RawOutput,
  type SegmentationModelOptions,
} from './segmentation-model';
export type { FrameSegmenter } from './frame-segmenter';
export { probabilityToUint8, resizeBilinear } from './postprocess';
export { preprocessFrame } from './preprocess';
export { assembleImglyModel, describeImglyModel } from './imgly-package';
export { zoomBox, cropFrame, blendZoomed, type ZoomBox } from './zoom-pass';
