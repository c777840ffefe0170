/**
 * A confidence score per frame from the frames' evidence (evidence.ts), and the frames where a
 * correction would help most. Every frame is segmented on its own, so a frame whose object
 * suddenly shrinks, grows or jumps against its neighbours is one the network probably got wrong;
 * so is a hazy soft map, a frame where the fine-tuned network and the parent disagree, and a frame
 * the editor's last correction moved (the networks before and after it disagree there).
 * The score ranks frames; it is not a calibrated probability.
 */
import type { FrameEvidence, ObjectPlace } from './evidence';

/** Neighbours on each side a frame's area and position are compared with. */
export const NEIGHBOUR_RADIUS = 3;

export interface FrameConfidence {
  /** Clip-relative frame index. */
  frame: number;
  /**
   * 0..1, higher is surer: the mean of crispness, consistency and agreement (those the frame has),
   * averaged with steadiness where the frame has it.
   */
  confidence: number;
  /** 1 − the soft map's uncertain share. */
  crispness: number;
  /** The fine-tuned network's agreement with the parent (IoU), with the parent guide only. */
  agreement?: number;
  /** The object's area and position against its neighbours' medians, 0..1. */
  consistency: number;
  /**
   * The object's area and position against the same frame under the network before the last
   * correction, 0..1; only where the frame has that evidence (`FrameEvidence.previous`).
   */
  steadiness?: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Area ratio to the neighbours' median area, times 1/(1 + d) where d is the centre's distance
 * from the neighbours' median centre in object sizes (√ of the median area).
 */
function consistency(own: FrameEvidence, neighbours: FrameEvidence[]): number {
  if (neighbours.length === 0) return 1;
  return placeAgreement(own, {
    area: median(neighbours.map((e) => e.area)),
    cx: median(neighbours.map((e) => e.cx)),
    cy: median(neighbours.map((e) => e.cy)),
  });
}

/** Area ratio of two places of the object, times 1/(1 + centre distance in object sizes of `ref`). */
function placeAgreement(own: ObjectPlace, ref: ObjectPlace): number {
  const big = Math.max(own.area, ref.area);
  const ratio = big === 0 ? 1 : Math.min(own.area, ref.area) / big;
  // A floor of 2 % of the frame keeps a tiny object's jitter from reading as a jump.
  const size = Math.max(Math.sqrt(ref.area), 0.02);
  return ratio / (1 + Math.hypot(own.cx - ref.cx, own.cy - ref.cy) / size);
}

/**
 * Scores every frame that has evidence. Neighbours are the nearest `radius` frames with evidence
 * on each side (so a clip segmented every n-th frame compares sampled frames with each other).
 */
export function scoreFrames(
  evidence: ReadonlyMap<number, FrameEvidence>,
  radius = NEIGHBOUR_RADIUS,
): FrameConfidence[] {
  const frames = [...evidence.keys()].sort((a, b) => a - b);
  return frames.map((frame, k) => {
    const own = evidence.get(frame)!;
    const neighbours = [
      ...frames.slice(Math.max(0, k - radius), k),
      ...frames.slice(k + 1, k + 1 + radius),
    ].map((f) => evidence.get(f)!);
    const terms: number[] = [];
    const crispness = 1 - own.uncertain;
    const steady = consistency(own, neighbours);
    terms.push(crispness, steady);
    if (own.agreement !== undefined) terms.push(own.agreement);
    const single = terms.reduce((a, b) => a + b, 0) / terms.length;
    // Two networks' answers (before and after the last correction) weigh as much as all that one
    // network's maps say: on the training subset's refinement rounds the two together ranked a
    // clip's frames by J better than either (BENCHMARKS.md, "Steadiness across corrections").
    const steadiness = own.previous ? placeAgreement(own.previous, own) : undefined;
    const score: FrameConfidence = {
      frame,
      confidence: steadiness === undefined ? single : (single + steadiness) / 2,
      crispness,
      consistency: steady,
    };
    if (own.agreement !== undefined) score.agreement = own.agreement;
    if (steadiness !== undefined) score.steadiness = steadiness;
    return score;
  });
}

export interface SuggestOptions {
  /**
   * The annotated frames: never suggested (they come back as painted), and the frames near them
   * wait, since a correction teaches the network its neighbours too.
   */
  annotated?: Iterable<number>;
  /** How many frames to suggest (default: all that are left). */
  count?: number;
  /**
   * Weigh each frame's doubt (1 − confidence) by its distance from the nearest annotation or
   * earlier suggestion, relative to the gap that evenly spaced annotations would leave, up to 1
   * (default true). Without it the second and third suggestions land beside each other or beside
   * the last correction, where that correction already helped (BENCHMARKS "Choosing the next
   * annotation"). false ranks by confidence alone.
   */
  spread?: boolean;
}

/** The frames where a correction would help most, most useful first. */
export function suggestCorrections(
  scores: readonly FrameConfidence[],
  options: SuggestOptions = {},
): number[] {
  const annotated = new Set(options.annotated ?? []);
  const spread = options.spread ?? true;
  const left = scores.filter((s) => !annotated.has(s.frame));
  const count = Math.min(options.count ?? left.length, left.length);
  // The clip's extent from its frames (no spread into Math.max: a long clip's frames overflow it).
  let [first, last] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const f of [...scores.map((s) => s.frame), ...annotated])
    [first, last] = [Math.min(first, f), Math.max(last, f)];
  const span = last >= first ? last - first + 1 : 0;
  // Distance of each candidate from its nearest anchor (annotation or earlier pick), kept up to
  // date as picks are made so that a full ranking stays linear in the frames per pick.
  const marks = [...annotated];
  const distance = left.map((s) =>
    marks.reduce((d, a) => Math.min(d, Math.abs(a - s.frame)), Number.POSITIVE_INFINITY),
  );
  let anchors = annotated.size;
  const taken = new Array<boolean>(left.length).fill(false);
  const picked: number[] = [];
  while (picked.length < count) {
    const gap = span / (anchors + 1);
    let best = -1;
    let bestPriority = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < left.length; i++) {
      if (taken[i]) continue;
      const s = left[i]!;
      const novelty = spread && gap > 0 ? Math.min(1, distance[i]! / gap) : 1;
      const priority = (1 - s.confidence) * novelty;
      const b = left[best];
      if (
        priority > bestPriority ||
        (priority === bestPriority &&
          b !== undefined &&
          (s.confidence < b.confidence || (s.confidence === b.confidence && s.frame < b.frame)))
      ) {
        best = i;
        bestPriority = priority;
      }
    }
    const frame = left[best]!.frame;
    taken[best] = true;
    picked.push(frame);
    anchors++;
    for (let i = 0; i < left.length; i++)
      distance[i] = Math.min(distance[i]!, Math.abs(left[i]!.frame - frame));
  }
  return picked;
}
