/**
 * @oneshot-roto/onnx-train: ONNX model I/O and the training engine that builds and runs train-step
 * graphs, with the crash-safe file writes its checkpoints use. Imports no other workspace package.
 */
export * from './onnx';
export * from './training';
export {
  TEMP_MARKER,
  writeFileAtomic,
  writeJsonAtomic,
  readJsonIfExists,
  removeStaleTempFiles,
} from './fs/atomic-file';
