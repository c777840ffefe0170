/** Public API of the training engine: train-step ONNX graphs and their execution. */
export { TrainingGraphError, UnsupportedGradientError } from './errors';
export { specializeModel, type SpecializedGraph } from './specialize';
export type { TensorInfo } from './shape-geometry';
export type { ConstValue } from './const-fold';
export {
  inferGraph,
  type InferredGraph,
  type ShapeInferenceOptions,
  type ShapeState,
} from './shape-inference';
export {
  buildTrainStep,
  buildTrainStepFromSpecialized,
  selectParameters,
  LABEL_INPUT,
  PIXEL_WEIGHT_INPUT,
  LEARNING_RATE_INPUT,
  LOSS_OUTPUT,
  type LrMultRule,
  type ParameterSpec,
  type TensorSpec,
  type TrainStepGraph,
  type TrainStepOptions,
  type TrainableSelector,
} from './train-step';
export type { LossNormalization } from './loss';
export type { ConvInputGradient, ConvWeightGradient } from './gradient-rules';
export type { AdamOptions, NoOptimizer, OptimizerOptions, SgdOptions, StateSlot } from './optimizer';
export { splitAtFrozenBoundary, type SplitModel, type SplitOptions } from './split';
export { Trainer, type SessionOptions, type StepResult, type TrainBatch } from './trainer';
export { bakeWeights } from './bake-weights';
export {
  readCheckpoint,
  writeCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  type Checkpoint,
  type CheckpointTensor,
} from './checkpoint';
export { describeTrainStep, type TensorDescription, type TrainStepDescription } from './describe';
export { parseTrainableSpec, ISNET_DECODER_NODES } from './trainable-spec';
export { buildMultiStep } from './multi-step';
