/**
 * Augmentation of an annotated frame for one-shot fine-tuning: random affine views (zoom,
 * rotation, shift, horizontal flip) of the frame and its mask, resampled straight to the network's
 * square input. Pixels that fall outside the frame, or on "don't care" annotation pixels, get
 * weight 0 so the loss ignores them instead of learning the padding.
 */
import type { RgbFrame } from '../video/frame';
import { DONT_CARE } from './annotations';

export interface AugmentationParams {
  /** >1 zooms in (object larger), <1 zooms out. */
  zoom: number;
  /** Degrees, counter-clockwise. */
  rotationDeg: number;
  /** Shift as a fraction of the frame's width/height. */
  shiftX: number;
  shiftY: number;
  flip: boolean;
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
 * then random rotated/shifted views up to `count`.
 */
export function planAugmentations(count: number, ranges: AugmentationRanges, seed = 1): AugmentationParams[] {
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
  return out.slice(0, Math.max(1, count));
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
 * is sampled at its own (frame) resolution so its edges stay sharp.
 */
export function renderAugmentedSample(
  image: RgbFrame,
  annotation: MaskImage,
  size: number,
  p: AugmentationParams,
  normalise: Normalise,
): TrainingSample {
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
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ox = (p.flip ? size - 1 - x : x) + 0.5 - c - tx;
      const oy = y + 0.5 - c - ty;
      // Inverse transform: output square → source square (continuous coordinates, pixel edges at integers).
      const qx = c + cos * ox + sin * oy;
      const qy = c - sin * ox + cos * oy;
      const o = y * size + x;
      sampleRgb(image, (qx * image.width) / size - 0.5, (qy * image.height) / size - 0.5, rgb);
      out[o] = normalise(rgb[0]!, 0);
      out[plane + o] = normalise(rgb[1]!, 1);
      out[2 * plane + o] = normalise(rgb[2]!, 2);
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
      b.w00 * d[3 * b.i00 + ch]! +
      b.w01 * d[3 * b.i01 + ch]! +
      b.w10 * d[3 * b.i10 + ch]! +
      b.w11 * d[3 * b.i11 + ch]!;
  }
}

/** Bilinear foreground fraction, or -1 where a "don't care" pixel contributes. */
function sampleMask(m: MaskImage, fx: number, fy: number): number {
  const b = bilinear(fx, fy, m.width, m.height);
  const a = m.mask;
  const v00 = a[b.i00]!;
  const v01 = a[b.i01]!;
  const v10 = a[b.i10]!;
  const v11 = a[b.i11]!;
  if (v00 === DONT_CARE || v01 === DONT_CARE || v10 === DONT_CARE || v11 === DONT_CARE) return -1;
  return b.w00 * v00 + b.w01 * v01 + b.w10 * v10 + b.w11 * v11;
}
