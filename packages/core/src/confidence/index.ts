/** Public API of per-frame confidence: evidence from a frame's maps, scores over a clip, suggestions. */
export {
  measureFrame,
  objectPlace,
  UNSURE_LOW,
  UNSURE_HIGH,
  type FrameEvidence,
  type GuideMaps,
  type ObjectPlace,
} from './evidence';
export {
  scoreFrames,
  suggestCorrections,
  NEIGHBOUR_RADIUS,
  type FrameConfidence,
  type SuggestOptions,
} from './score';
export {
  buildConfidenceReport,
  CONFIDENCE_FILE,
  SUGGESTIONS,
  type ConfidenceReport,
  type ConfidenceReportOptions,
  type FrameConfidenceEntry,
} from './report';
