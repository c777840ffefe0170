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
