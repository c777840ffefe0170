/**
 * Self-training labels: the fine-tuned network's own confident answers on unannotated frames,
 * turned into annotations that a second fine-tuning round learns from (online adaptation,
 * Voigtlaender & Leibe 2017, done on the whole clip at once instead of frame after frame).
 *
 * Foreground: pixels the network is sure of (soft ≥ `positive`) inside its mask's main object.
 * Background: pixels farther than `negativeDistance` from that object — whatever the network said
 * there, so a distractor it took for the object (a stray island the finishing drops) is taught
 * as background — and, with a `negative` level, pixels it is sure are background wherever they
 * are. Everything between is "don't care". The object is the mask thresholded at 0.5
 * with the islands smaller than `islandFraction` × the largest removed (the finishing's rule).
 */
import { DONT_CARE, type Annotation } from './annotations';
import { binarize, type FloatMatte } from '../matte/matte';
import { dropRelativeIslandsMask } from '../matte/controls';
import { squaredDistanceTo } from '../matte/distance-transform';
import { snapScale } from '../matte/frame-scale';

export interface PseudoLabelOptions {
  /** Soft-map level at and above which an object pixel is taught as foreground. */
  positive: number;
  /** Soft-map level below which any pixel is taught as background (0: only distant pixels are). */
  negative: number;
  /** Distance from the object, in pixels of an 854×480 frame (scaled with the frame), beyond which pixels are background. */
  negativeDistance: number;
  /** Islands smaller than this share of the largest component are not the object. */
  islandFraction: number;
  /** A frame whose confident foreground is under this share of its object is not used. */
  minConfidentShare: number;
}

export const DEFAULT_PSEUDO_LABELS: PseudoLabelOptions = {
  positive: 0.9,
  negative: 0,
  negativeDistance: 40,
  islandFraction: 0.05,
  minConfidentShare: 0.5,
};

/**
 * `count` frames spread evenly over the clip, away from the annotated ones: the middle of each
 * of `count` equal stretches, moved to the nearest frame that is not annotated.
 */
export function pseudoLabelFrames(frameCount: number, annotated: readonly number[], count: number): number[] {
  const taken = new Set(annotated);
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    const centre = Math.floor(((j + 0.5) * frameCount) / count);
    for (let d = 0; d < frameCount; d++) {
      const below = centre - d;
      const above = centre + d;
      const pick =
        below >= 0 && !taken.has(below) ? below : above < frameCount && !taken.has(above) ? above : -1;
      if (pick >= 0) {
        taken.add(pick);
        out.push(pick);
        break;
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The pseudo-annotation of one frame from its soft map (frame-sized), or undefined when the
 * network is not sure enough of the object there (nothing confident, or under
 * `minConfidentShare` of the object) — teaching a doubtful frame would teach the doubt.
 */
export function pseudoAnnotation(
  frameIndex: number,
  soft: FloatMatte,
  options: PseudoLabelOptions = DEFAULT_PSEUDO_LABELS,
): Annotation | undefined {
  const { width: w, height: h, data } = soft;
  const object = dropRelativeIslandsMask(binarize(soft, 0.5), w, h, options.islandFraction);
  const far = options.negativeDistance * snapScale(w, h);
  const dist2 = squaredDistanceTo(object, w, h, 1);
  const mask = new Uint8Array(w * h);
  let objectPixels = 0;
  let confident = 0;
  let background = 0;
  for (let i = 0; i < mask.length; i++) {
    if (object[i]) objectPixels++;
    if (object[i] && data[i]! >= options.positive) {
      mask[i] = 1;
      confident++;
    } else if (dist2[i]! > far * far || data[i]! < options.negative) {
      mask[i] = 0;
      background++;
    } else mask[i] = DONT_CARE;
  }
  if (confident === 0 || background === 0 || confident < options.minConfidentShare * objectPixels)
    return undefined;
  return { frameIndex, mask, width: w, height: h };
}
