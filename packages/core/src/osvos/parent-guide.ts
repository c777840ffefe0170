/**
 * The parent network at its own resolution as a guide to the fine-tuned network. ISNet was trained
 * at 1024² and finds whole objects there at any scale or viewpoint; a one-shot network knows
 * *which* object the editor means but, fine-tuned on one frame, can lose the object where it no
 * longer looks like that frame (DESIGN.md, "One-shot must not replace what the parent knows").
 * The guide averages the two maps, frame by frame: where the fine-tuned network loses the object,
 * the parent's sure answer carries it; where the parent picks the wrong salient thing (a crowd
 * around a dancer), the fine-tuned network's sure "not this one" outvotes it. This holds even on
 * clips where the parent misses the object on the annotated frame (BENCHMARKS.md, "Parent guide").
 * Two cases keep the fine-tuned map: a frame where the parent sees none of the fine-tuned
 * network's objects (the editor marked a wall; UNSEEN_SUPPORT), and a clip whose annotation is a
 * part of something the parent calls one object (a face, a shirt; MIN_ANNOTATION_SHARE) when the
 * parent's share is half or more, where the mean would hand the matte the whole object.
 */
import { labelComponents } from '../matte';
import { SegmentationModel, type DeviceChoice, type FrameSegmenter } from '../model';
import type { RgbFrame } from '../video/frame';
import type { Annotation } from './annotations';
import { ParentMapCache } from './parent-map-cache';

/** What the guide needs to know about a clip; stored with the fine-tuned weights. */
export interface ParentGuide {
  /** The parent's input size for the guide pass (its own 1024 by default). */
  resolution: number;
  /**
   * Mean IoU of the parent's mask with the editor's annotations on the annotated frames (their
   * definite pixels): whether the parent's idea of "the object" is the editor's in this clip.
   * Reported, not acted on: the mean beats the fine-tuned map alone on low-agreement clips too.
   */
  agreement: number;
  /**
   * The share of the parent's objects that touch the annotation (connected regions of its mask)
   * which the annotation covers, over the annotated frames: low when the editor marked a part of
   * one. Absent in weights saved before it was measured (the guide then always averages).
   */
  annotationShare?: number;
  /**
   * The parent's share of the mean (PARENT_SHARE when absent, as in weights saved before it was a
   * setting): a preset whose fine-tuned network is stronger gives the parent less.
   */
  share?: number;
}

/**
 * Below this annotation share the editor marked a part of what the parent calls one object, and
 * the guide stands aside (the fine-tuned map alone) when the parent's share is half or more. Every
 * training sequence's frames score 0.63 or more, the annotated frame wherever it is, so no
 * measured figure depends on it; the test is the bear's head (test/osvos/parent-guide.test.ts).
 */
export const MIN_ANNOTATION_SHARE = 0.5;

/**
 * Whether the guide stands aside for a clip. Only an even (or larger) parent share needs to: there
 * the parent's sure "object" alone reaches the threshold against the fine-tuned network's sure
 * "not this part". Below half, a pixel is the object only where the fine-tuned network gives it
 * at least (0.5 − share) / (1 − share) (0.17 at 0.4), so its "not this part" wins anyway, and
 * standing aside would only lose the parent where the share misjudges a whole object as a part:
 * a skater the parent joins to the ground around him (BENCHMARKS.md, "`best` on the held-out subset").
 */
export function guideStandsAside(guide: ParentGuide): boolean {
  return (guide.annotationShare ?? 1) < MIN_ANNOTATION_SHARE && (guide.share ?? PARENT_SHARE) >= 0.5;
}

/**
 * The parent's share of the fused map. An even mean of the two probabilities won on the training
 * subset over keeping the parent's objects that the fine-tuned map supports (OSVOS-S-style
 * selection) and over a mean weighted by how well the parent agrees with the annotation
 * (BENCHMARKS.md, "Parent guide"): a pixel is the object where the two networks' confidence adds
 * up to one, so each network's sure answers outvote the other's doubts.
 */
export const PARENT_SHARE = 0.5;

/**
 * A fine-tuned object the parent does not see: its pixels' mean parent probability is under this.
 * In a frame where the parent sees none of the fine-tuned network's objects, the editor has
 * marked something the parent does not call an object (a wall) and the fine-tuned map is kept
 * there, since an even mean would leave it at the threshold. Where the parent sees one of them,
 * the unseen rest are the fine-tuned network's false alarms and the mean stands: keeping them in
 * every frame cost 1.3 J (BENCHMARKS.md, "Parent guide"). A round "the parent sees nothing here"
 * value; 0.05–0.3 move the training subset by 0.1 J.
 */
export const UNSEEN_SUPPORT = 0.15;

export interface FuseOptions {
  /** The parent's share of the mean (PARENT_SHARE). */
  share?: number;
  /** UNSEEN_SUPPORT; 0 averages everywhere. */
  unseenSupport?: number;
  /**
   * Keep the fine-tuned map on unseen objects only in frames where the parent sees none of the
   * fine-tuned network's objects (true, the default), or in every frame (false).
   */
  onlyWhenNothingSeen?: boolean;
}

/**
 * The fused map: the mean of the fine-tuned network's and the parent's probabilities, except in a
 * frame where the parent sees none of the fine-tuned network's objects (connected regions of map
 * ≥ 0.5), where the fine-tuned map stands on them. Maps are row-major at `width` × `height`.
 */
export function fuseWithParent(
  fine: Float32Array,
  parent: Float32Array,
  width: number,
  height: number,
  options: FuseOptions = {},
): Float32Array {
  if (fine.length !== parent.length || fine.length !== width * height)
    throw new Error(
      `cannot fuse maps of ${fine.length} and ${parent.length} values at ${width}×${height}: they must be of one frame`,
    );
  const share = options.share ?? PARENT_SHARE;
  const unseen = options.unseenSupport ?? UNSEEN_SUPPORT;
  const out = new Float32Array(fine.length);
  for (let i = 0; i < out.length; i++) out[i] = share * parent[i]! + (1 - share) * fine[i]!;
  if (unseen <= 0) return out;
  const objects = labelComponents(
    Uint8Array.from(fine, (v) => (v >= 0.5 ? 1 : 0)),
    width,
    height,
    1,
    8,
  );
  const support = new Float64Array(objects.areas.length);
  for (let i = 0; i < out.length; i++) {
    const k = objects.labels[i]!;
    if (k >= 0) support[k]! += parent[i]!;
  }
  const keepFine = objects.areas.map((area, k) => support[k]! / area < unseen);
  if (!keepFine.includes(true)) return out;
  if ((options.onlyWhenNothingSeen ?? true) && keepFine.includes(false)) return out;
  for (let i = 0; i < out.length; i++) {
    const k = objects.labels[i]!;
    if (k >= 0 && keepFine[k]) out[i] = fine[i]!;
  }
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

/**
 * The share of the parent's objects (8-connected regions of map ≥ 0.5) touching the annotation's
 * object pixels that those pixels cover; 1 when the parent's mask touches none (nothing to be a
 * part of).
 */
export function annotationShare(parentMap: Float32Array, annotation: Annotation): number {
  const { width, height, mask } = annotation;
  const objects = labelComponents(
    Uint8Array.from(parentMap, (v) => (v >= 0.5 ? 1 : 0)),
    width,
    height,
    1,
    8,
  );
  const touched = new Set<number>();
  for (let i = 0; i < mask.length; i++)
    if (mask[i] === 1 && objects.labels[i]! >= 0) touched.add(objects.labels[i]!);
  if (touched.size === 0) return 1;
  let area = 0;
  let covered = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!touched.has(objects.labels[i]!)) continue;
    area++;
    if (mask[i] === 1) covered++;
  }
  return covered / area;
}

/**
 * The parent's guide for a clip: the parent run on the annotated frames, compared with the
 * annotations. With `parentMaps`, frames segmented before (a correction's frame usually was) are
 * read from there, and the parent is loaded only if one is not.
 */
export async function measureParentGuide(
  frames: ReadonlyMap<number, RgbFrame>,
  annotations: readonly Annotation[],
  options: {
    resolution: number;
    share?: number;
    device?: DeviceChoice;
    threads?: number;
    cacheDir?: string;
    parentMaps?: ParentMapCache;
  },
): Promise<ParentGuide> {
  const parent = new CachedParent(options);
  try {
    let agreement = 0;
    let share = 0;
    for (const a of annotations) {
      const frame = frames.get(a.frameIndex);
      if (!frame) throw new Error(`frame ${a.frameIndex} of an annotation was not decoded`);
      const map = await parent.mapOf(frame);
      agreement += annotationAgreement(map, a);
      share += annotationShare(map, a);
    }
    const n = Math.max(1, annotations.length);
    return {
      resolution: options.resolution,
      agreement: agreement / n,
      annotationShare: share / n,
      ...(options.share !== undefined ? { share: options.share } : {}),
    };
  } finally {
    await parent.dispose();
  }
}

/**
 * The parent's map of a frame at the guide's resolution: from the cache when the frame was seen
 * before, otherwise from the parent network, loaded on its first such frame. When every frame's
 * map is in the cache (a correction round re-rendering the clip) its session is never created.
 */
class CachedParent {
  private loading: Promise<SegmentationModel> | undefined;
  private readonly parentMaps: ParentMapCache;

  constructor(
    private readonly options: {
      resolution: number;
      device?: DeviceChoice;
      threads?: number;
      cacheDir?: string;
      parentMaps?: ParentMapCache;
    },
  ) {
    // Without a cache, one that keeps nothing: every frame runs the parent.
    this.parentMaps = options.parentMaps ?? new ParentMapCache({ maxBytes: 0 });
  }

  get loaded(): boolean {
    return this.loading !== undefined;
  }

  /** The map is shared with the cache: read it, do not write to it. */
  mapOf(frame: RgbFrame): Promise<Float32Array> {
    return this.parentMaps.mapOf(frame, this.options.resolution, async () => {
      this.loading ??= SegmentationModel.load({
        resolution: this.options.resolution,
        device: this.options.device,
        threads: this.options.threads,
        cacheDir: this.options.cacheDir,
      });
      return (await this.loading).predict(frame);
    });
  }

  async dispose(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    // A load that failed has nothing to release; its error reached the frame that asked for it.
    if (loading)
      await loading.then(
        (m) => m.dispose(),
        () => undefined,
      );
  }
}

/** A fine-tuned network whose every frame is guided by the parent at its own resolution. */
export class ParentGuidedSegmenter implements FrameSegmenter {
  private constructor(
    private readonly fine: FrameSegmenter,
    private readonly parent: CachedParent,
    private readonly share: number,
  ) {}

  /**
   * With `parentMaps`, the parent's map of a frame it has seen before (in this or an earlier
   * segmentation run) is read from there instead of run again, and the parent network is loaded
   * only when a frame is not there.
   */
  static async load(
    fine: FrameSegmenter,
    guide: ParentGuide,
    options: { device?: DeviceChoice; threads?: number; cacheDir?: string; parentMaps?: ParentMapCache },
  ): Promise<FrameSegmenter> {
    if (guideStandsAside(guide)) return fine;
    return new ParentGuidedSegmenter(
      fine,
      new CachedParent({ ...options, resolution: guide.resolution }),
      guide.share ?? PARENT_SHARE,
    );
  }

  /** Whether the parent network has been loaded (false while every frame came from the cache). */
  get parentLoaded(): boolean {
    return this.parent.loaded;
  }

  get executionProvider(): string {
    return this.fine.executionProvider;
  }

  async predict(frame: RgbFrame): Promise<Float32Array> {
    return (await this.predictParts(frame)).probability;
  }

  /**
   * The fused map with the two maps it came from (their agreement is a confidence measure). The
   * parent's map may be shared with the cache: read it, do not write to it.
   */
  async predictParts(
    frame: RgbFrame,
  ): Promise<{ probability: Float32Array; fine: Float32Array; parent: Float32Array }> {
    const fine = await this.fine.predict(frame);
    const parent = await this.parent.mapOf(frame);
    const probability = fuseWithParent(fine, parent, frame.width, frame.height, { share: this.share });
    return { probability, fine, parent };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.fine.dispose(), this.parent.dispose()]);
  }
}
