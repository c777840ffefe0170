/**
 * The per-frame matte pipeline, streaming. Order: drop stray islands (relative to the largest, on
 * the network's map) → edge snap (soft, needs the frame) → temporal smoothing of the soft map
 * (optional; delays output by `temporalRadius` frames) → threshold → superpixel snap → fill holes
 * → drop islands → choke → expand → feather → invert.
 * The result is a 0..1 matte the size of the frame: binary unless feathered, or the soft map itself
 * with `soft` (then only the stray islands, fill holes / drop islands, as hard overrides, and
 * invert apply).
 * A frame the editor painted may come with its painted pixels (pinned.ts): they are set on the
 * soft map before any stage (so snapping and smoothing see the editor's edge) and again on the
 * hard matte after fill holes / drop islands, so the matte is the painted mask wherever it is
 * definite; choke, expand, feather and invert still apply, being the editor's own choices for the
 * whole clip.
 */
import { bilateralGridSolve } from './bilateral-grid';
import { labelComponents } from './components';
import {
  chokeMask,
  dropIslandsMask,
  dropRelativeIslandsMask,
  expandMask,
  featherMask,
  fillHolesMask,
} from './controls';
import { denseCrf } from './dense-crf';
import { scaledSnapParams } from './frame-scale';
import { guidedFilter } from './guided-filter';
import { assertSameSize, binarize, makeFloatMatte, type FloatMatte } from './matte';
import { resolveMatteOptions, type MatteOptions } from './options';
import { pinMask, pinSoftMap, type PinnedPixels } from './pinned';
import { majorityVote, slicSuperpixels } from './slic';
import { createTemporalSmoother } from './temporal-smoothing';
import type { RgbFrame } from '../video/frame';

export type MatteProcessingOptions = Omit<MatteOptions, 'format'>;

/**
 * Foreground components of the soft map (at `threshold`, 8-connected) smaller than this many
 * pixels are left as the network drew them: they are below the scale of the snapping filters'
 * windows, which would thin them away (a kite line, a distant ball). Measured in
 * lab/snapping-results.md.
 */
export const SNAP_PROTECT_AREA = 500;

/** Keeps the soft values of foreground components smaller than `area` pixels (default SNAP_PROTECT_AREA). */
export function protectSmallComponents(
  soft: FloatMatte,
  snapped: FloatMatte,
  threshold: number,
  area = SNAP_PROTECT_AREA,
): FloatMatte {
  const mask = binarize(soft, threshold);
  const { labels, areas } = labelComponents(mask, soft.width, soft.height, 1, 8);
  const out = snapped.data.slice();
  for (let i = 0; i < out.length; i++) {
    const id = labels[i]!;
    if (id >= 0 && areas[id]! < area) out[i] = soft.data[i]!;
  }
  return makeFloatMatte(out, soft.width, soft.height);
}

/**
 * Edge-aware snapping of a soft map (frame-sized) to the frame, by the chosen method; small
 * foreground components (< SNAP_PROTECT_AREA px at `threshold`) keep their soft values. Window
 * sizes and the protected area grow with frames larger than DAVIS's 854×480 (frame-scale.ts).
 */
export function snapSoftMap(
  soft: FloatMatte,
  frame: RgbFrame,
  method: MatteOptions['edgeSnap'],
  threshold = 0.5,
): FloatMatte {
  assertSameSize(soft, frame, 'RGB frame');
  if (method === 'none') return soft;
  const p = scaledSnapParams(frame.width, frame.height, SNAP_PROTECT_AREA);
  const snapped =
    method === 'guided'
      ? guidedFilter(soft, frame, p.guided)
      : method === 'bilateral'
        ? bilateralGridSolve(soft, frame, p.bilateral)
        : denseCrf(soft, frame, p.crf);
  return protectSmallComponents(soft, snapped, threshold, p.protectArea);
}

/**
 * Everything after temporal smoothing: threshold, superpixel snap and the finishing controls;
 * `pin` (an annotated frame's painted pixels) overrides the mask before choke/expand/feather/invert.
 */
export function finishMatte(
  soft: FloatMatte,
  frame: RgbFrame,
  options: MatteProcessingOptions,
  pin?: PinnedPixels,
): FloatMatte {
  const { width: w, height: h } = soft;
  let mask = binarize(soft, options.threshold);
  if (options.soft) return finishSoft(soft, mask, options, pin);
  if (options.superpixelSnap) {
    const binary = makeFloatMatte(Float32Array.from(mask), w, h);
    mask = binarize(
      majorityVote(binary, slicSuperpixels(frame, scaledSnapParams(w, h, SNAP_PROTECT_AREA).slic), 0.5),
      0.5,
    );
  }
  if (options.fillHoles !== 'off')
    mask = fillHolesMask(mask, w, h, options.fillHoles === 'all' ? Infinity : options.fillHoles);
  if (options.dropIslands > 0) mask = dropIslandsMask(mask, w, h, options.dropIslands);
  if (pin) mask = pinMask(mask, pin);
  if (options.choke > 0) mask = chokeMask(mask, w, h, options.choke);
  if (options.expand > 0) mask = expandMask(mask, w, h, options.expand);
  const alpha = featherMask(mask, w, h, options.feather);
  if (options.invert) for (let i = 0; i < alpha.length; i++) alpha[i] = 1 - alpha[i]!;
  return makeFloatMatte(alpha, w, h);
}

/**
 * Soft output: the soft map itself is the alpha, except that pixels in filled holes become 1 and
 * pixels of dropped islands become 0 (components found on the mask thresholded at `threshold`).
 */
function finishSoft(
  soft: FloatMatte,
  mask: Uint8Array,
  options: MatteProcessingOptions,
  pin?: PinnedPixels,
): FloatMatte {
  const { width: w, height: h } = soft;
  let fixed = mask;
  if (options.fillHoles !== 'off')
    fixed = fillHolesMask(fixed, w, h, options.fillHoles === 'all' ? Infinity : options.fillHoles);
  if (options.dropIslands > 0) fixed = dropIslandsMask(fixed, w, h, options.dropIslands);
  const alpha = new Float32Array(soft.data.length);
  for (let i = 0; i < alpha.length; i++) {
    const painted = pin?.[i];
    const v = painted === 0 || painted === 1 ? painted : fixed[i] === mask[i] ? soft.data[i]! : fixed[i]!;
    alpha[i] = options.invert ? 1 - v : v;
  }
  return makeFloatMatte(alpha, w, h);
}

/**
 * The soft map with its stray islands set to 0: foreground components (at `threshold`) smaller
 * than `fraction` × the largest. Done on the network's own map, before snapping, because a snap
 * can cut a thin connection (a kite's line) and leave a true part as a small island of its own.
 */
export function dropStrayIslands(soft: FloatMatte, threshold: number, fraction: number): FloatMatte {
  if (fraction === 0) return soft;
  const mask = binarize(soft, threshold);
  const kept = dropRelativeIslandsMask(mask, soft.width, soft.height, fraction);
  const out = soft.data.slice();
  for (let i = 0; i < out.length; i++) if (mask[i] && !kept[i]) out[i] = 0;
  return makeFloatMatte(out, soft.width, soft.height);
}

/** Stray islands dropped, then the edge snap: the soft stages before temporal smoothing. */
function prepareSoftMap(soft: FloatMatte, frame: RgbFrame, o: MatteProcessingOptions): FloatMatte {
  const cleaned = dropStrayIslands(soft, o.threshold, o.dropIslandsRelative);
  return snapSoftMap(cleaned, frame, o.edgeSnap, o.threshold);
}

/** One frame through the whole pipeline (no temporal smoothing: that needs the stream). */
export function processFrame(
  soft: FloatMatte,
  frame: RgbFrame,
  options: Partial<MatteProcessingOptions> = {},
  pin?: PinnedPixels,
): FloatMatte {
  const o = resolveMatteOptions(options);
  const start = pin ? pinSoftMap(soft, pin) : soft;
  return finishMatte(prepareSoftMap(start, frame, o), frame, o, pin);
}

export interface ProcessedFrame {
  frameIndex: number;
  matte: FloatMatte;
  frame: RgbFrame;
}

export interface MatteProcessor {
  /**
   * Adds a frame's soft map (frame-sized) and RGB frame, with its painted pixels when the editor
   * annotated it; returns the frames now finished.
   */
  push(frameIndex: number, soft: FloatMatte, frame: RgbFrame, pin?: PinnedPixels): ProcessedFrame[];
  /** Finishes the frames held back by temporal smoothing. */
  flush(): ProcessedFrame[];
}

export function createMatteProcessor(options: Partial<MatteProcessingOptions> = {}): MatteProcessor {
  const o = resolveMatteOptions(options);
  const smoother = createTemporalSmoother<{ frame: RgbFrame; pin?: PinnedPixels }>(o.temporalRadius);
  const finish = (
    list: { frameIndex: number; matte: FloatMatte; payload: { frame: RgbFrame; pin?: PinnedPixels } }[],
  ): ProcessedFrame[] =>
    list.map((f) => ({
      frameIndex: f.frameIndex,
      matte: finishMatte(f.matte, f.payload.frame, o, f.payload.pin),
      frame: f.payload.frame,
    }));
  return {
    push(frameIndex, soft, frame, pin) {
      const start = pin ? pinSoftMap(soft, pin) : soft;
      return finish(smoother.push(frameIndex, prepareSoftMap(start, frame, o), { frame, pin }));
    },
    flush() {
      return finish(smoother.flush());
    },
  };
}
