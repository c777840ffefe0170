/** Per-frame confidence from frames' evidence, and the suggested corrections, on made-up clips. */
import {
  buildConfidenceReport,
  scoreFrames,
  suggestCorrections,
  SUGGESTIONS,
  type FrameEvidence,
} from '../../src/confidence';

/** A steady object: a fifth of the frame, centred, drifting slowly right; crisp soft maps. */
function steadyClip(n: number): Map<number, FrameEvidence> {
  const m = new Map<number, FrameEvidence>();
  for (let i = 0; i < n; i++) m.set(i, { area: 0.2, cx: 0.4 + 0.005 * i, cy: 0.5, uncertain: 0.1 });
  return m;
}

test('a frame whose object shrinks against its neighbours is the least sure', () => {
  const clip = steadyClip(12);
  clip.set(7, { ...clip.get(7)!, area: 0.04 });
  const scores = scoreFrames(clip);
  const ranked = [...scores].sort((a, b) => a.confidence - b.confidence);
  expect(ranked[0]!.frame).toBe(7);
  expect(ranked[0]!.consistency).toBeLessThan(0.3);
  // Its neighbours compare with a median that one odd frame does not move.
  expect(scores.find((s) => s.frame === 6)!.consistency).toBeGreaterThan(0.9);
});

test('a jump in position, a hazy map and disagreement with the parent each lower the score', () => {
  const clip = steadyClip(10);
  clip.set(2, { ...clip.get(2)!, cx: 0.9 });
  clip.set(5, { ...clip.get(5)!, uncertain: 0.9 });
  for (const [f, e] of clip) e.agreement = f === 8 ? 0.1 : 0.95;
  const byFrame = new Map(scoreFrames(clip).map((s) => [s.frame, s]));
  const plain = byFrame.get(0)!.confidence;
  for (const f of [2, 5, 8]) expect(byFrame.get(f)!.confidence).toBeLessThan(plain - 0.15);
  expect(byFrame.get(8)!.agreement).toBe(0.1);
});

test('suggestions leave out annotated frames and put frames near an annotation or an earlier suggestion after farther ones', () => {
  const clip = steadyClip(40);
  // Low areas on 21 and 22 (22 the lowest, beside the annotated frame 20), on 30, and on the
  // annotated frame 20 itself.
  for (const [f, area] of [
    [20, 0.01],
    [21, 0.04],
    [22, 0.03],
    [30, 0.06],
  ] as const)
    clip.set(f, { ...clip.get(f)!, area });
  const scores = scoreFrames(clip);
  const byConfidence = [...scores].filter((s) => s.frame !== 20).sort((a, b) => a.confidence - b.confidence);
  expect(byConfidence.slice(0, 2).map((s) => s.frame)).toEqual([22, 21]);
  const suggested = suggestCorrections(scores, { annotated: [20], count: 3 });
  expect(suggested).not.toContain(20);
  // 30 is less doubtful than 22 but ten frames from the annotation, where 22 is two.
  expect(suggested[0]).toBe(30);
  // Without spreading, the score alone: the two frames beside the annotation first.
  expect(suggestCorrections(scores, { annotated: [20], count: 2, spread: false })).toEqual([22, 21]);
  // The whole ranking has every frame but the annotated one, once.
  const ranking = suggestCorrections(scores, { annotated: [20] });
  expect(new Set(ranking).size).toBe(39);
  expect(ranking).not.toContain(20);
});

test('a third suggestion does not land beside the second annotation when the clip has a farther doubtful stretch', () => {
  // The failure measured on the training subset: annotations on 0 and 64 of 80; the frames just
  // before 64 stay the least sure, but a correction there repeats what 64 taught.
  const clip = new Map<number, FrameEvidence>();
  for (let f = 0; f < 80; f += 8) clip.set(f, { area: 0.2, cx: 0.5, cy: 0.5, uncertain: 0.1 });
  clip.set(56, { ...clip.get(56)!, uncertain: 0.6 });
  clip.set(24, { ...clip.get(24)!, uncertain: 0.45 });
  const scores = scoreFrames(clip);
  expect(suggestCorrections(scores, { annotated: [0, 64], count: 1, spread: false })).toEqual([56]);
  expect(suggestCorrections(scores, { annotated: [0, 64], count: 1 })).toEqual([24]);
});

test('the report of a long clip ranks the first SUGGESTIONS frames, as the full ranking starts, or as many as asked', () => {
  // Twenty minutes at 25 fps with a doubtful stretch; ranking every frame is quadratic in the frames.
  const clip = steadyClip(30_000);
  for (let f = 20_000; f < 20_200; f++) clip.set(f, { ...clip.get(f)!, uncertain: 0.9 });
  const report = buildConfidenceReport(clip, [0], (i) => i + 1000);
  expect(report.frames).toHaveLength(30_000);
  expect(report.frames[5]!.sourceFrame).toBe(1005);
  expect(report.suggest).toHaveLength(SUGGESTIONS);
  expect(report.suggest).not.toContain(0);
  expect(report.suggest.slice(0, 3)).toEqual(
    suggestCorrections(scoreFrames(clip), { annotated: [0], count: 3 }),
  );
  expect(report.suggest[0]).toBeGreaterThanOrEqual(20_000);
  expect(report.suggest[0]).toBeLessThan(20_200);
  expect(buildConfidenceReport(clip, [0], (i) => i, { suggestions: 70 }).suggest).toHaveLength(70);
});

test('a frame the last correction moved is less sure; where the networks agree steadiness is 1', () => {
  const clip = steadyClip(8);
  // Every frame was segmented before the correction too; frame 5's object was elsewhere and smaller then.
  for (const [f, e] of clip)
    e.previous = f === 5 ? { area: 0.05, cx: 0.9, cy: 0.2 } : { area: e.area, cx: e.cx, cy: e.cy };
  const scores = new Map(scoreFrames(clip).map((s) => [s.frame, s]));
  expect(scores.get(3)!.steadiness).toBe(1);
  expect(scores.get(5)!.steadiness).toBeLessThan(0.2);
  // The single-network terms are equal on frames 3 and 5; steadiness weighs as much as all of them.
  expect(scores.get(5)!.crispness).toBe(scores.get(3)!.crispness);
  expect(scores.get(3)!.confidence - scores.get(5)!.confidence).toBeGreaterThan(0.4);
  // Without earlier evidence there is no steadiness and the score is the single network's.
  const plain = scoreFrames(steadyClip(8));
  expect(plain.every((s) => s.steadiness === undefined)).toBe(true);
  expect(plain[3]!.confidence).toBeCloseTo(2 * scores.get(3)!.confidence - 1, 10);
});
