/**
 * The parent network at its own resolution as a guide to the fine-tuned network. ISNet was trained
 * at 1024² and finds whole objects there at any scale or viewpoint; a one-shot network knows
 * *which* object the editor means but, fine-tuned on one frame, can lose the object where it no
 * longer looks like that frame (DESIGN.md, "One-shot must not replace what the parent knows").
 * The guide averages the two maps, frame by frame: where the fine-tuned network loses the object,
 * the parent's sure answer carries it; where the parent picks the wrong salient thing (a crowd
 * around a dancer), the fine-tuned network's sure "not this one" outvotes it. On a clip where the
 * parent does not find the annotated object at all (MIN_AGREEMENT), the guide stands aside.
 */
import { SegmentationModel, type DeviceChoice, type FrameSegmenter } from '../model';
import type { RgbFrame } from '../video/frame';
import type { Annotation } from './annotations';

/** What the guide needs to know about a clip; stored with the fine-tuned weights. */
export interface ParentGuide {
  /** The parent's input size for the guide pass (its own 1024 by default). */
  resolution: number;
  /**
   * Mean IoU of the parent's mask with the editor's annotations on the annotated frames (their
   * definite pixels): whether the parent's idea of "the object" is the editor's in this clip.
   */
  agreement: number;
}

/**
 * Below this agreement the parent does not find the editor's object on the annotated frames (a
 * non-salient object, a part of one): the guide stands aside and the fine-tuned map is used alone,
 * since an even mean would leave such an object at the threshold. Every training sequence agrees
 * at 0.59 or more, so this rule is a safeguard, not a tuned value (BENCHMARKS.md, "Parent guide").
 */
export const MIN_AGREEMENT = 0.5;

/**
 * The parent's share of the fused map. An even mean of the two probabilities won on the training
 * subset over keeping the parent's objects that the fine-tuned map supports (OSVOS-S-style
 * selection) and over a mean weighted by how well the parent agrees with the annotation
 * (BENCHMARKS.md, "Parent guide"): a pixel is the object where the two networks' confidence adds
 * up to one, so each network's sure answers outvote the other's doubts.
 */
export const PARENT_SHARE = 0.5;

/** The fused map: the mean of the fine-tuned network's and the parent's probabilities. */
export function fuseWithParent(fine: Float32Array, parent: Float32Array, share = PARENT_SHARE): Float32Array {
  if (fine.length !== parent.length)
    throw new Error(
      `cannot fuse maps of ${fine.length} and ${parent.length} values: they must be of one frame`,
    );
  const out = new Float32Array(fine.length);
  for (let i = 0; i < out.length; i++) out[i] = share * parent[i]! + (1 - share) * fine[i]!;
  return out;
}

/** IoU of the parent's mask (map ≥ 0.5) with an annotation's definite pixels (don't-care ignored). */
export function annotationAgreement(parentMap: Float32Array, annotation: Annotation): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < parentMap.length; i++) {
    const a = annotation.mask[i]!;
    if (a !== 0 && a !== 1) continue;
    const p = parentMap[i]! >= 0.5;
    if (p && a === 1) inter++;
    if (p || a === 1) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** The parent's guide for a clip: the parent run on the annotated frames, compared with the annotations. */
export async function measureParentGuide(
  frames: ReadonlyMap<number, RgbFrame>,
  annotations: readonly Annotation[],
  options: { resolution: number; device?: DeviceChoice; threads?: number; cacheDir?: string },
): Promise<ParentGuide> {
  const parent = await SegmentationModel.load(options);
  try {
    let total = 0;
    for (const a of annotations) {
      const frame = frames.get(a.frameIndex);
      if (!frame) throw new Error(`frame ${a.frameIndex} of an annotation was not decoded`);
      total += annotationAgreement(await parent.predict(frame), a);
    }
    return { resolution: options.resolution, agreement: total / Math.max(1, annotations.length) };
  } finally {
    await parent.dispose();
  }
}

/** A fine-tuned network whose every frame is guided by the parent at its own resolution. */
export class ParentGuidedSegmenter implements FrameSegmenter {
  private constructor(
    private readonly fine: FrameSegmenter,
    private readonly parent: SegmentationModel,
  ) {}

  static async load(
    fine: FrameSegmenter,
    guide: ParentGuide,
    options: { device?: DeviceChoice; threads?: number; cacheDir?: string },
  ): Promise<FrameSegmenter> {
    if (guide.agreement < MIN_AGREEMENT) return fine;
    const parent = await SegmentationModel.load({
      resolution: guide.resolution,
      device: options.device,
      threads: options.threads,
      cacheDir: options.cacheDir,
    });
    return new ParentGuidedSegmenter(fine, parent);
  }

  get executionProvider(): string {
    return this.fine.executionProvider;
  }

  async predict(frame: RgbFrame): Promise<Float32Array> {
    const fine = await this.fine.predict(frame);
    const parent = await this.parent.predict(frame);
    return fuseWithParent(fine, parent);
  }

  async dispose(): Promise<void> {
    await Promise.all([this.fine.dispose(), this.parent.dispose()]);
  }
}
