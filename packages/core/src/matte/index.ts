/** Public API of matte finishing: snapping, controls, the streaming pipeline, options and writers. */
export {
  makeFloatMatte,
  emptyFloatMatte,
  assertSameSize,
  binarize,
  maskToMatte,
  type FloatMatte,
} from './matte';
export { resizeSoftMap } from './resize';
export { guidedFilter, DEFAULT_GUIDED_FILTER, type GuidedFilterParams } from './guided-filter';
export { bilateralGridSolve, DEFAULT_BILATERAL_GRID, type BilateralGridParams } from './bilateral-grid';
export { denseCrf, DEFAULT_DENSE_CRF, type DenseCrfParams } from './dense-crf';
export { scaledSnapParams, snapScale, SNAP_REFERENCE_SIZE, type ScaledSnapParams } from './frame-scale';
export {
  slicSuperpixels,
  majorityVote,
  superpixelSnap,
  DEFAULT_SLIC,
  type SlicParams,
  type Superpixels,
} from './slic';
export {
  thresholdMatte,
  chokeMatte,
  expandMatte,
  featherMatte,
  fillHolesMatte,
  dropIslandsMatte,
  dropRelativeIslandsMatte,
  invertMatte,
  chokeMask,
  expandMask,
  featherMask,
  fillHolesMask,
  dropIslandsMask,
  dropRelativeIslandsMask,
} from './controls';
export { createTemporalSmoother, type TemporalSmoother, type SmoothedFrame } from './temporal-smoothing';
export {
  MatteOptionsSchema,
  DEFAULT_MATTE_OPTIONS,
  EDGE_SNAP_METHODS,
  MATTE_OUTPUT_FORMATS,
  MatteOptionsError,
  resolveMatteOptions,
  type MatteOptions,
  type EdgeSnapMethod,
  type MatteOutputFormat,
} from './options';
export {
  snapSoftMap,
  dropStrayIslands,
  protectSmallComponents,
  SNAP_PROTECT_AREA,
  finishMatte,
  processFrame,
  createMatteProcessor,
  type MatteProcessor,
  type ProcessedFrame,
  type MatteProcessingOptions,
} from './pipeline';
export {
  openMatteWriter,
  pngFrameName,
  MatteWriteError,
  type MatteWriter,
  type MatteWriterOptions,
} from './writers';
export { pinSoftMap, pinMask, type PinnedPixels } from './pinned';
export { labelComponents, type Components, type Connectivity } from './components';
export { squaredDistanceTo } from './distance-transform';
export {
  keepNearPieces,
  planPieceTrack,
  planSoftMapTrack,
  PieceTrack,
  PieceTrackOptionsError,
  DEFAULT_PIECE_TRACK,
  type PieceTrackJson,
  type PieceTrackOptions,
  type PieceTrackSource,
  type SoftMapTrackSource,
} from './piece-track';
export { SoftMapSpill } from './soft-map-spill';
