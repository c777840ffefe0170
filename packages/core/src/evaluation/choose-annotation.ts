/**
 * Which frame the next annotation of a refinement round goes on (the paper's Table 4 study):
 * `worst` the frame worst by J under the current result (an oracle: it needs the ground truth),
 * `confidence` the product's own suggestion (confidence/, no ground truth), `spread` the middle of
 * the longest stretch without an annotation (a plain baseline).
 */
import { suggestCorrections, type FrameConfidence } from '../confidence';

export const CHOOSE_METHODS = ['worst', 'confidence', 'spread'] as const;
export type ChooseMethod = (typeof CHOOSE_METHODS)[number];

export interface RoundState {
  frameCount: number;
  /** Frames the round segmented (every frame, or every n-th with a frame step). */
  segmented: readonly number[];
  annotated: readonly number[];
  /** J of each segmented frame under the round's result. */
  jOf: (frame: number) => number;
  scores: readonly FrameConfidence[];
  /**
   * Frames whose ground truth shows no object: an editor cannot paint them (an empty mask is
   * refused), so they are never chosen.
   */
  empty?: readonly number[];
}

/** The middle of the longest run of frames with no annotation (the clip's end bounds the last run). */
function spreadFrame(state: RoundState, candidates: number[]): number | undefined {
  const marks = [...state.annotated].sort((a, b) => a - b);
  let best: { length: number; middle: number } | undefined;
  const consider = (from: number, to: number, middle: number) => {
    if (!best || to - from > best.length) best = { length: to - from, middle };
  };
  for (let k = 0; k < marks.length; k++) {
    const from = marks[k]!;
    const to = k + 1 < marks.length ? marks[k + 1]! : state.frameCount;
    consider(from, to, (from + to) / 2);
  }
  if (marks.length === 0 || marks[0]! > 0)
    consider(0, marks[0] ?? state.frameCount, (marks[0] ?? state.frameCount) / 2);
  if (!best) return undefined;
  const middle = best.middle;
  return candidates.reduce((a, b) => (Math.abs(b - middle) < Math.abs(a - middle) ? b : a));
}

/** The next frame to annotate, or undefined when every segmented frame has an annotation. */
export function chooseNextAnnotation(method: ChooseMethod, state: RoundState): number | undefined {
  const taken = new Set(state.annotated);
  const empty = new Set(state.empty ?? []);
  const candidates = state.segmented.filter((f) => !taken.has(f) && !empty.has(f));
  if (candidates.length === 0) return undefined;
  if (method === 'worst') return candidates.reduce((a, b) => (state.jOf(b) < state.jOf(a) ? b : a));
  if (method === 'confidence') {
    // The product's whole ranking, first frame that can be painted (as an editor skips the rest).
    const open = new Set(candidates);
    return suggestCorrections(state.scores, { annotated: taken }).find((f) => open.has(f)) ?? candidates[0];
  }
  return spreadFrame(state, candidates);
}
