/** Per-frame confidence from frames' evidence, and the suggested corrections, on made-up clips. */
import { scoreFrames, suggestCorrections, type FrameEvidence } from '../../src/confidence';

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

test('suggestions leave out annotated frames and put nearby frames after farther ones', () => {
  const clip = steadyClip(20);
  // Low areas on 4, 5 and 15 (5 the lowest), and on the annotated frame 10.
  for (const [f, area] of [
    [4, 0.05],
    [5, 0.03],
    [15, 0.06],
    [10, 0.01],
  ] as const)
    clip.set(f, { ...clip.get(f)!, area });
  const scores = scoreFrames(clip);
  expect(suggestCorrections(scores, { exclude: [10], count: 3 }).slice(0, 2)).toEqual([5, 15]);
  expect(suggestCorrections(scores, { exclude: [10], count: 3 })).not.toContain(10);
  // Spacing 0 ranks by the score alone: 4 comes right after 5.
  expect(suggestCorrections(scores, { exclude: [10], count: 2, spacing: 0 })).toEqual([5, 4]);
});
