/** How refinement picks its next annotated frame, and the rank correlation the confidence is judged by. */
import { chooseNextAnnotation, type RoundState } from '../../src/evaluation/choose-annotation';
import { spearman } from '../../src/evaluation/rank-correlation';
import type { FrameConfidence } from '../../src/confidence';

function state(j: number[], confidence: number[], annotated: number[]): RoundState {
  const scores: FrameConfidence[] = confidence.map((c, frame) => ({
    frame,
    confidence: c,
    crispness: c,
    consistency: c,
  }));
  return { frameCount: j.length, segmented: j.map((_, i) => i), annotated, jOf: (i) => j[i]!, scores };
}

test('worst takes the lowest J, confidence the least sure frame, spread the middle of the longest gap', () => {
  const j = [1, 0.9, 0.2, 0.8, 0.9, 0.95, 0.9, 0.9, 0.9, 0.9];
  const c = [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3, 0.9, 0.9];
  expect(chooseNextAnnotation('worst', state(j, c, [0]))).toBe(2);
  expect(chooseNextAnnotation('confidence', state(j, c, [0]))).toBe(7);
  expect(chooseNextAnnotation('spread', state(j, c, [0]))).toBe(5);
  // With 0 and 4 annotated, the longest stretch runs from 4 to the clip's end (10): its middle, 7.
  expect(chooseNextAnnotation('spread', state(j, c, [0, 4]))).toBe(7);
  // Annotated frames are never chosen again.
  expect(chooseNextAnnotation('worst', state(j, c, [0, 2]))).toBe(3);
  expect(chooseNextAnnotation('confidence', state(j, c, [0, 7]))).not.toBe(7);
});

test('a frame whose ground truth is empty is never chosen: an editor cannot paint it', () => {
  const j = [1, 0.9, 0.2, 0.8, 0.9, 0.95, 0.9, 0.9, 0.9, 0.9];
  const c = [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3, 0.9, 0.9];
  // The object leaves the frame at 2 (worst's pick), 5 (spread's) and 7 (confidence's).
  const s = { ...state(j, c, [0]), empty: [2, 5, 7] };
  expect(chooseNextAnnotation('worst', s)).toBe(3);
  // The nearest open frame to the middle (5), the earlier of 4 and 6.
  expect(chooseNextAnnotation('spread', s)).toBe(4);
  expect(chooseNextAnnotation('confidence', s)).not.toBe(7);
  expect([2, 5, 7]).not.toContain(chooseNextAnnotation('confidence', s));
  expect(chooseNextAnnotation('spread', { ...state([1, 1], [1, 1], [0]), empty: [1] })).toBeUndefined();
});

test('nothing is chosen when every segmented frame has an annotation', () => {
  expect(chooseNextAnnotation('spread', state([1, 1], [1, 1], [0, 1]))).toBeUndefined();
});

test("Spearman's rho: 1 for the same order, −1 reversed, ties averaged, undefined without an order", () => {
  expect(spearman([1, 2, 3, 4], [10, 20, 30, 1000])).toBeCloseTo(1, 12);
  expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  // Ranks [1, 2.5, 2.5, 4] and [1, 2, 3, 4]: ρ = 4.5 / √(4.5 · 5).
  expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
  expect(spearman([1, 1, 1], [1, 2, 3])).toBeUndefined();
  expect(spearman([1, 2], [1, 2])).toBeUndefined();
});
