/**
 * A confidence score per frame from the frames' evidence (evidence.ts), and the frames where a
 * correction would help most. Every frame is segmented on its own, so a frame whose object
 * suddenly shrinks, grows or jumps against its neighbours is one the network probably got wrong;
 * so is a hazy soft map, and a frame where the fine-tuned network and the parent disagree.
 * The score ranks frames; it is not a calibrated probability.
 */
import type { FrameEvidence } from './evidence';

/** Neighbours on each side a frame's area and position are compared with. */
export const NEIGHBOUR_RADIUS = 3;

export interface FrameConfidence {
  /** Clip-relative frame index. */
  frame: number;
  /** 0..1, higher is surer: the mean of the terms below that the frame has. */
  confidence: number;
  /** 1 − the soft map's uncertain share. */
  crispness: number;
  /** The fine-tuned network's agreement with the parent (IoU), with the parent guide only. */
  agreement?: number;
  /** The object's area and position against its neighbours' medians, 0..1. */
  consistency: number;
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
  const area = median(neighbours.map((e) => e.area));
  const big = Math.max(own.area, area);
  const ratio = big === 0 ? 1 : Math.min(own.area, area) / big;
  const dx = own.cx - median(neighbours.map((e) => e.cx));
  const dy = own.cy - median(neighbours.map((e) => e.cy));
  // A floor of 2 % of the frame keeps a tiny object's jitter from reading as a jump.
  const size = Math.max(Math.sqrt(area), 0.02);
  return ratio / (1 + Math.hypot(dx, dy) / size);
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
    const score: FrameConfidence = {
      frame,
      confidence: terms.reduce((a, b) => a + b, 0) / terms.length,
      crispness,
      consistency: steady,
    };
    if (own.agreement !== undefined) score.agreement = own.agreement;
    return score;
  });
}

export interface SuggestOptions {
  /** Frames not to suggest: the annotated ones (they come back as painted). */
  exclude?: Iterable<number>;
  /** How many frames to suggest (default: all that are left). */
  count?: number;
  /**
   * Frames within this distance of an earlier suggestion wait until no farther frame is left: a
   * correction teaches the network its neighbours too, so five adjacent suggestions help less
   * than five spread ones. Default NEIGHBOUR_RADIUS; 0 ranks by confidence alone.
   */
  spacing?: number;
}

/** The frames where a correction would help most, least sure first. */
export function suggestCorrections(
  scores: readonly FrameConfidence[],
  options: SuggestOptions = {},
): number[] {
  const excluded = new Set(options.exclude ?? []);
  const spacing = options.spacing ?? NEIGHBOUR_RADIUS;
  const ranked = scores
    .filter((s) => !excluded.has(s.frame))
    .sort((a, b) => a.confidence - b.confidence || a.frame - b.frame)
    .map((s) => s.frame);
  const count = Math.min(options.count ?? ranked.length, ranked.length);
  const picked: number[] = [];
  const deferred: number[] = [];
  for (const f of ranked) {
    if (picked.length >= count) break;
    if (picked.some((p) => Math.abs(p - f) <= spacing)) deferred.push(f);
    else picked.push(f);
  }
  return [...picked, ...deferred].slice(0, count);
}
