/**
 * @oneshot-roto/core: the method and its media (video, the parent model, one-shot fine-tuning,
 * matte finishing, confidence, evaluation, files, logging), without the server or the CLI. Imports
 * only @oneshot-roto/protocol and @oneshot-roto/onnx-train, by name.
 */
export * from './video';
export * from './model';
export * from './matte';
export * from './osvos';
export * from './confidence';
export * from './evaluation';
export * from './logging';
export type {
  SegmentationBackend,
  BackendClip,
  AnnotationMask,
  BackendFineTuneRequest,
  BackendFineTuneResult,
  BackendFineTuneProgress,
  BackendSegmentRequest,
} from './backend';
export { KeyedLock } from './fs/keyed-lock';
// The training engine's surface that the CLI's `train-graph` command exposes.
export {
  encodeModel,
  loadModel,
  buildMultiStep,
  buildTrainStep,
  describeTrainStep,
  parseTrainableSpec,
  splitAtFrozenBoundary,
  type OptimizerOptions,
  type TrainStepOptions,
} from '@oneshot-roto/onnx-train';
// Crash-safe file writes: onnx-train's (its checkpoints use them), for the server's workspace.
export {
  TEMP_MARKER,
  writeFileAtomic,
  writeJsonAtomic,
  readJsonIfExists,
  removeStaleTempFiles,
} from '@oneshot-roto/onnx-train';
