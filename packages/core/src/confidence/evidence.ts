/**
 * What one segmented frame says about how sure the network is, measured from the maps the product
 * already computes: the soft map's uncertain share, and (with the parent guide) whether the
 * fine-tuned network and the parent see the same object. Small, JSON-safe, kept per frame so a
 * clip's scores (score.ts) can be computed again at any time from the frames segmented so far.
 */

/** Soft values in [UNSURE_LOW, UNSURE_HIGH] count as uncertain. */
export const UNSURE_LOW = 0.2;
export const UNSURE_HIGH = 0.8;

export interface FrameEvidence {
  /** Share of the frame that is object (map ≥ 0.5). */
  area: number;
  /** Object centre (map ≥ 0.5) in frame fractions, 0..1; the frame centre when there is no object. */
  cx: number;
  cy: number;
  /**
   * Share of the pixels the map gives any chance of being object (≥ UNSURE_LOW) that it leaves
   * uncertain (≤ UNSURE_HIGH): near 0 for a crisp matte, near 1 for a hazy one; 0 for an empty map.
   */
  uncertain: number;
  /**
   * IoU of the fine-tuned network's mask with the parent's (each map ≥ 0.5), when the frame was
   * segmented with the parent guide; 1 when both are empty.
   */
  agreement?: number;
  /**
   * The object's area and centre on this frame under the network before the editor's last
   * correction, when there was one: a frame the correction moved is one the evidence left
   * ambiguous (score.ts `steadiness`).
   */
  previous?: ObjectPlace;
}

/** Where the object is on a frame: its share of the frame and its centre, as in FrameEvidence. */
export interface ObjectPlace {
  area: number;
  cx: number;
  cy: number;
}

/** The object's place alone, from a frame's evidence (for `FrameEvidence.previous`). */
export function objectPlace(e: ObjectPlace): ObjectPlace {
  return { area: e.area, cx: e.cx, cy: e.cy };
}

/** The maps behind a parent-guided frame: the fine-tuned network's and the parent's. */
export interface GuideMaps {
  fine: Float32Array;
  parent: Float32Array;
}

function checkLength(name: string, map: ArrayLike<number>, n: number): void {
  if (map.length !== n)
    throw new RangeError(
      `the ${name} map has ${map.length} values, expected ${n} (one per pixel of the frame)`,
    );
}

/**
 * Evidence of one frame from its final soft map (0..1, or 0..255 with `scale` 255) at
 * `width`×`height`, and the guide's two maps when there are.
 */
export function measureFrame(
  probability: ArrayLike<number>,
  width: number,
  height: number,
  guide?: GuideMaps,
  scale = 1,
): FrameEvidence {
  const n = width * height;
  checkLength('soft', probability, n);
  const low = UNSURE_LOW * scale;
  const high = UNSURE_HIGH * scale;
  const half = 0.5 * scale;
  let object = 0;
  let sx = 0;
  let sy = 0;
  let chance = 0;
  let unsure = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const p = probability[i]!;
      if (p >= half) {
        object++;
        sx += x;
        sy += y;
      }
      if (p >= low) {
        chance++;
        if (p <= high) unsure++;
      }
    }
  }
  const evidence: FrameEvidence = {
    area: object / n,
    cx: object > 0 ? (sx / object + 0.5) / width : 0.5,
    cy: object > 0 ? (sy / object + 0.5) / height : 0.5,
    uncertain: chance > 0 ? unsure / chance : 0,
  };
  if (guide) {
    checkLength('fine-tuned', guide.fine, n);
    checkLength('parent', guide.parent, n);
    let inter = 0;
    let union = 0;
    for (let i = 0; i < n; i++) {
      const f = guide.fine[i]! >= 0.5;
      const p = guide.parent[i]! >= 0.5;
      if (f && p) inter++;
      if (f || p) union++;
    }
    evidence.agreement = union === 0 ? 1 : inter / union;
  }
  return evidence;
}
