/** Public API of evaluation: the DAVIS measures, exactly as the official code computes them. */
export { jaccard, seg2bmap, boundaryRadius, boundaryScore, boundaryF, type BoundaryScore } from './measures';
export {
  annotationPath,
  framePath,
  listDavisSequences,
  loadDavisSequence,
  DavisDatasetError,
  type DavisSequence,
  type ListDavisSequencesOptions,
} from './davis-dataset';
export { evaluateResultsDir, type EvalReport } from './evaluate';
export { formatEvalTable } from './format-report';
export { CHOOSE_METHODS, type ChooseMethod } from './choose-annotation';
export { runMethodEval, type MethodEvalReport, type FrameRecord } from './method-eval';
export { spearman } from './rank-correlation';
