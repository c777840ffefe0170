/**
 * The confidence of a clip's frames as saved beside its masks (`confidence.json`) by `segment`:
 * every segmented frame's score and terms, and the frames suggested for a correction.
 */
import type { FrameEvidence } from './evidence';
import { scoreFrames, suggestCorrections, type FrameConfidence } from './score';

export const CONFIDENCE_FILE = 'confidence.json';

/**
 * Suggestions a report ranks by default. Each one is a pass over the clip's frames, so ranking all
 * of an hour-long clip's frames took minutes and held the server's event loop; an editor checks a
 * handful (the panel marks 5).
 */
export const SUGGESTIONS = 50;

export interface ConfidenceReportOptions {
  /** How many frames to suggest, at most (default SUGGESTIONS). */
  suggestions?: number;
}

export interface FrameConfidenceEntry extends FrameConfidence {
  /** The frame's number in the source (file name or media frame), as the matte files are numbered. */
  sourceFrame: number;
  /** The editor annotated this frame: it comes back as painted and is never suggested. */
  annotated: boolean;
}

export interface ConfidenceReport {
  /** Frames in clip order. */
  frames: FrameConfidenceEntry[];
  /**
   * Clip-relative frames where a correction would help most, most useful first (suggestCorrections),
   * up to `suggestions` of them.
   */
  suggest: number[];
}

export function buildConfidenceReport(
  evidence: ReadonlyMap<number, FrameEvidence>,
  annotated: readonly number[],
  sourceFrame: (index: number) => number,
  options: ConfidenceReportOptions = {},
): ConfidenceReport {
  const scores = scoreFrames(evidence);
  const painted = new Set(annotated);
  return {
    frames: scores.map((s) => ({ ...s, sourceFrame: sourceFrame(s.frame), annotated: painted.has(s.frame) })),
    suggest: suggestCorrections(scores, {
      annotated: painted,
      count: options.suggestions ?? SUGGESTIONS,
    }),
  };
}
