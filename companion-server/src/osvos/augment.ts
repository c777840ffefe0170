/**
 * Augmentation of an annotated frame for one-shot fine-tuning: random affine views (zoom,
 * rotation, shift, horizontal flip) of the frame and its mask, resampled straight to the network's
 * square input. Pixels that fall outside the frame, or on "don't care" annotation pixels, get
 * weight 0 so the loss ignores them instead of learning the padding.
 *
 * Composite views (in the spirit of Lucid Data Dreaming) also move and rescale the object alone,
 * pasted over the frame with the object's own place filled in (inpaint.ts): the network has to
 * find the object by its appearance rather than by where it was on the annotated frame.
 */
import { expandMask } from '../matte/controls';
import { zoomBox } from '../model/zoom-pass';
import type { RgbFrame } from '../video/frame';
import { DONT_CARE } from './annotations';
import { fillHole } from './inpaint';

export interface AugmentationParams {
  /** >1 zooms in (object larger), <1 zooms out. */
  zoom: number;
  /** Degrees, counter-clockwise. */
  rotationDeg: number;
  /** Shift as a fraction of the frame's width/height. */
  shiftX: number;
  shiftY: number;
  flip: boolean;
  /**
   * Composite views: the object alone is moved by `shiftX`/`shiftY` (fractions of the frame) and
   * scaled about its centre by `zoom`, over the background with its old place filled.
   * Absent: the frame is used as it is.
   */
  object?: { shiftX: number; shiftY: number; zoom: number };
}

export const IDENTITY_AUGMENTATION: AugmentationParams = {
  zoom: 1,
  rotationDeg: 0,
  shiftX: 0,
  shiftY: 0,
  flip: false,
};

export interface AugmentationRanges {
  zooms: readonly number[];
  maxRotationDeg: number;
  maxShift: number;
  flip: boolean;
  /** Composite views: the largest move of the object, as a fraction of the frame (default 0.25). */
  maxObjectShift?: number;
  /** Composite views: the object's own zoom lies within 1 ± this (default 0.2). */
  objectZoomRange?: number;
}

export interface TrainingSample {
  /** Network input, NCHW (N=1) float32, already normalised. */
  image: Float32Array;
  /** 0/1 labels, size×size. */
  label: Float32Array;
  /** 1 where the label counts, 0 for padding and "don't care". */
  weight: Float32Array;
  size: number;
}

/** Deterministic pseudo-random numbers (mulberry32) so fine-tuning runs are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The views to train on: the identity view first, then the zoom × flip grid of the OSVOS code,
 * then random rotated/shifted views up to `count`, then `composites` composite views (random
 * views whose object is also moved and rescaled).
 */
export function planAugmentations(
  count: number,
  ranges: AugmentationRanges,
  seed = 1,
  composites = 0,
): AugmentationParams[] {
  const out: AugmentationParams[] = [];
  const flips = ranges.flip ? [false, true] : [false];
  for (const zoom of ranges.zooms)
    for (const flip of flips) out.push({ ...IDENTITY_AUGMENTATION, zoom, flip });
  const rnd = seededRandom(seed);
  const randomView = (): AugmentationParams => ({
    zoom: ranges.zooms[Math.floor(rnd() * ranges.zooms.length)]! * (0.9 + 0.2 * rnd()),
    rotationDeg: (2 * rnd() - 1) * ranges.maxRotationDeg,
    shiftX: (2 * rnd() - 1) * ranges.maxShift,
    shiftY: (2 * rnd() - 1) * ranges.maxShift,
    flip: ranges.flip && rnd() < 0.5,
  });
  while (out.length < count) out.push(randomView());
  const plan = out.slice(0, Math.max(1, count));
  const maxMove = ranges.maxObjectShift ?? 0.25;
  const zoomRange = ranges.objectZoomRange ?? 0.2;
  for (let i = 0; i < composites; i++) {
    const view = randomView();
    view.object = {
      shiftX: (2 * rnd() - 1) * maxMove,
      shiftY: (2 * rnd() - 1) * maxMove,
      zoom: 1 + (2 * rnd() - 1) * zoomRange,
    };
    plan.push(view);
  }
  return plan;
}

/**
 * Zoom views: the annotated frame framed as the zoom pass frames a small object (model/zoom-pass.ts:
 * its box with the same margin, widened to the frame's aspect ratio, at most 3× in), each with a
 * little random zoom, shift, rotation and flip around that framing. The network then learns the
 * object at the scale the zoom pass shows it, not only at the whole-frame scale. None when the
 * object is absent or too large for the zoom pass to look at it again. Drawn from their own
 * seeded sequence so the ordinary views stay the same with or without them.
 */
export function planZoomViews(
  count: number,
  annotation: MaskImage,
  ranges: AugmentationRanges,
  seed = 1,
): AugmentationParams[] {
  if (count <= 0) return [];
  const { width, height } = annotation;
  const probability = new Float32Array(width * height);
  for (let i = 0; i < probability.length; i++) probability[i] = annotation.mask[i] === 1 ? 1 : 0;
  const box = zoomBox(probability, width, height);
  if (!box) return [];
  // In the square's unit coordinates the box keeps the frame's aspect, so one zoom fits both sides.
  const zoom = Math.min(width / box.width, height / box.height);
  const px = (box.x + box.width / 2) / width - 0.5;
  const py = (box.y + box.height / 2) / height - 0.5;
  const rnd = seededRandom(seed + 0x9e3779b9);
  const out: AugmentationParams[] = [];
  for (let i = 0; i < count; i++) {
    const z = i === 0 ? zoom : zoom * (0.9 + 0.2 * rnd());
    const rotationDeg = i === 0 ? 0 : (2 * rnd() - 1) * ranges.maxRotationDeg;
    const flip = ranges.flip && i % 2 === 1;
    const theta = (rotationDeg * Math.PI) / 180;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    // The shift that brings the box's centre to the view's centre (renderAugmentedSample's
    // inverse map, solved for it), plus a jitter of up to half the ordinary views' shift.
    const jitter = () => (2 * rnd() - 1) * ranges.maxShift * 0.5;
    out.push({
      zoom: z,
      rotationDeg,
      shiftX: -z * (cos * px - sin * py) + (i === 0 ? 0 : jitter()),
      shiftY: -z * (sin * px + cos * py) + (i === 0 ? 0 : jitter()),
      flip,
    });
  }
  return out;
}

/**
 * The annotated frame with the object cut out and its place filled from the background around
 * it, at the network's square size: what composite views paste the moved object onto. The cut
 * is the mask (and its don't-care pixels) grown by about 1 % of the size, so the object's edge
 * colours do not stay behind as a ghost outline.
 */
export function objectFreeBackground(image: RgbFrame, annotation: MaskImage): RgbFrame {
  const { width, height } = image;
  const hole = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const my = Math.min(annotation.height - 1, Math.floor(((y + 0.5) * annotation.height) / height));
    for (let x = 0; x < width; x++) {
      const mx = Math.min(annotation.width - 1, Math.floor(((x + 0.5) * annotation.width) / width));
      hole[y * width + x] = annotation.mask[my * annotation.width + mx] ? 1 : 0;
    }
  }
  const grow = Math.max(2, Math.round(0.01 * Math.max(width, height)));
  return fillHole(image, expandMask(hole, width, height, grow));
}

/** The object's centroid in the mask's pixel coordinates (pixel centres at +0.5). */
function maskCentroid(m: MaskImage): { x: number; y: number } {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (m.mask[y * m.width + x] !== 1) continue;
      sx += x + 0.5;
      sy += y + 0.5;
      n++;
    }
  }
  return n > 0 ? { x: sx / n, y: sy / n } : { x: m.width / 2, y: m.height / 2 };
}

export type Normalise = (rgb255: number, channel: number) => number;

export interface MaskImage {
  mask: Uint8Array;
  width: number;
  height: number;
}

/**
 * Renders one augmented view. `image` is the frame already resized to size×size the way inference
 * resizes it, so the identity view is exactly what the network sees at segmentation time; the mask
 * is sampled at its own (frame) resolution so its edges stay sharp. Composite views (`p.object`)
 * need `background`, the `objectFreeBackground` of the same image.
 */
export function renderAugmentedSample(
  image: RgbFrame,
  annotation: MaskImage,
  size: number,
  p: AugmentationParams,
  normalise: Normalise,
  background?: RgbFrame,
): TrainingSample {
  if (p.object && !background) {
    throw new Error('a composite view needs the object-free background (objectFreeBackground)');
  }
  const plane = size * size;
  const out = new Float32Array(3 * plane);
  const label = new Float32Array(plane);
  const weight = new Float32Array(plane);
  const c = size / 2;
  const theta = (p.rotationDeg * Math.PI) / 180;
  const cos = Math.cos(theta) / p.zoom;
  const sin = Math.sin(theta) / p.zoom;
  const tx = p.shiftX * size;
  const ty = p.shiftY * size;
  const rgb = new Float32Array(3);
  const objRgb = new Float32Array(3);
  // Composite views: the object's centre (square coordinates), its move and its own zoom.
  const centre = p.object ? maskCentroid(annotation) : { x: 0, y: 0 };
  const ocx = (centre.x * size) / annotation.width;
  const ocy = (centre.y * size) / annotation.height;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ox = (p.flip ? size - 1 - x : x) + 0.5 - c - tx;
      const oy = y + 0.5 - c - ty;
      // Inverse transform: output square → source square (continuous coordinates, pixel edges at integers).
      const qx = c + cos * ox + sin * oy;
      const qy = c - sin * ox + cos * oy;
      const o = y * size + x;
      if (p.object) {
        // The background at q; the object seen through its own inverse move and zoom.
        const inside = qx >= 0 && qy >= 0 && qx <= size && qy <= size;
        sampleRgb(
          background!,
          (qx * background!.width) / size - 0.5,
          (qy * background!.height) / size - 0.5,
          rgb,
        );
        const sx = ocx + (qx - ocx - p.object.shiftX * size) / p.object.zoom;
        const sy = ocy + (qy - ocy - p.object.shiftY * size) / p.object.zoom;
        const onObject = sx >= 0 && sy >= 0 && sx <= size && sy <= size;
        const m = onObject
          ? sampleMask(
              annotation,
              (sx * annotation.width) / size - 0.5,
              (sy * annotation.height) / size - 0.5,
            )
          : 0;
        const alpha = Math.max(0, m);
        if (alpha > 0) {
          sampleRgb(image, (sx * image.width) / size - 0.5, (sy * image.height) / size - 0.5, objRgb);
          for (let ch = 0; ch < 3; ch++) rgb[ch] = alpha * objRgb[ch]! + (1 - alpha) * rgb[ch]!;
        }
        out[o] = normalise(rgb[0]!, 0);
        out[plane + o] = normalise(rgb[1]!, 1);
        out[2 * plane + o] = normalise(rgb[2]!, 2);
        label[o] = alpha >= 0.5 ? 1 : 0;
        weight[o] = m >= 0 && (inside || alpha >= 0.5) ? 1 : 0;
        continue;
      }
      sampleRgb(image, (qx * image.width) / size - 0.5, (qy * image.height) / size - 0.5, rgb);
      out[o] = normalise(rgb[0], 0);
      out[plane + o] = normalise(rgb[1], 1);
      out[2 * plane + o] = normalise(rgb[2], 2);
      const inside = qx >= 0 && qy >= 0 && qx <= size && qy <= size;
      const m = inside
        ? sampleMask(annotation, (qx * annotation.width) / size - 0.5, (qy * annotation.height) / size - 0.5)
        : -1;
      if (m < 0) {
        weight[o] = 0;
        label[o] = 0;
      } else {
        weight[o] = 1;
        label[o] = m >= 0.5 ? 1 : 0;
      }
    }
  }
  return { image: out, label, weight, size };
}

function bilinear(fx: number, fy: number, w: number, h: number) {
  const cx = Math.min(Math.max(fx, 0), w - 1);
  const cy = Math.min(Math.max(fy, 0), h - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const ax = cx - x0;
  const ay = cy - y0;
  return {
    i00: y0 * w + x0,
    i01: y0 * w + x1,
    i10: y1 * w + x0,
    i11: y1 * w + x1,
    w00: (1 - ax) * (1 - ay),
    w01: ax * (1 - ay),
    w10: (1 - ax) * ay,
    w11: ax * ay,
  };
}

/** Bilinear RGB sample with edge clamping (padding repeats the border rather than inventing black). */
function sampleRgb(img: RgbFrame, fx: number, fy: number, out: Float32Array): void {
  const b = bilinear(fx, fy, img.width, img.height);
  const d = img.data;
  for (let ch = 0; ch < 3; ch++) {
    out[ch] =
      b.w00 * d[3 * b.i00 + ch] +
      b.w01 * d[3 * b.i01 + ch] +
      b.w10 * d[3 * b.i10 + ch] +
      b.w11 * d[3 * b.i11 + ch];
  }
}

/** Bilinear foreground fraction, or -1 where a "don't care" pixel contributes. */
function sampleMask(m: MaskImage, fx: number, fy: number): number {
  const b = bilinear(fx, fy, m.width, m.height);
  const a = m.mask;
  const v00 = a[b.i00];
  const v01 = a[b.i01];
  const v10 = a[b.i10];
  const v11 = a[b.i11];
  if (v00 === DONT_CARE || v01 === DONT_CARE || v10 === DONT_CARE || v11 === DONT_CARE) return -1;
  return b.w00 * v00 + b.w01 * v01 + b.w10 * v10 + b.w11 * v11;
}
