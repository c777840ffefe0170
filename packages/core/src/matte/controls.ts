/**
 * FloatMatte controls, as pure functions with exact semantics. Binary controls take a 0/1 mask
 * (Uint8Array, 1 byte per pixel) and return a new one; `*FloatMatte` wrappers do the same on a FloatMatte
 * by binarising at 0.5 first (a matte that is already 0/1 passes through unchanged).
 *
 * - threshold t: value >= t → 1, else 0.
 * - choke r px: a foreground pixel stays foreground iff its Euclidean distance (pixel centre to
 *   pixel centre) to the nearest background pixel is > r — an axis-aligned s×s square choked by
 *   integer r becomes exactly (s−2r)×(s−2r). Pixels outside the image do not count as background.
 * - expand r px: a background pixel becomes foreground iff its distance to the nearest foreground
 *   pixel is <= r (the Minkowski sum with a disk of radius r on the pixel grid).
 * - feather f px: alpha = clamp(0.5 + s / f, 0, 1), where s is the signed distance to the edge
 *   (inside: distance to the nearest background pixel − 0.5; outside: −(distance to the nearest
 *   foreground pixel − 0.5)); a linear ramp f px wide centred on the edge, monotone along any
 *   line crossing a straight edge. f = 0 leaves the mask as is.
 * - fill holes up to N px: background components (4-connected) that do not touch the image border
 *   and have area <= N become foreground (N = Infinity fills all).
 * - drop islands smaller than N px: foreground components (8-connected) with area < N become
 *   background.
 * - drop islands smaller than a fraction f of the largest: foreground components (8-connected)
 *   with area < f × the largest component's area become background (f = 0 leaves the mask as is;
 *   the largest always stays). Relative, so the same setting works for a close-up and a distant
 *   object: a one-shot network's stray blobs (another dancer, a similar ball) are usually far
 *   smaller than the object it follows.
 * - invert: v → 1 − v.
 */
import { labelComponents } from './components';
import { squaredDistanceTo } from './distance-transform';
import { binarize, makeFloatMatte, maskToMatte, type FloatMatte } from './matte';

function checkPixels(name: string, px: number): void {
  if (!(px >= 0)) throw new RangeError(`${name} must be a number of pixels >= 0, got ${px}`);
}

export function thresholdMatte(matte: FloatMatte, threshold: number): FloatMatte {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be within 0..1, got ${threshold}`);
  }
  return maskToMatte(binarize(matte, threshold), matte.width, matte.height);
}

export function chokeMask(mask: Uint8Array, width: number, height: number, px: number): Uint8Array {
  checkPixels('choke', px);
  if (px === 0) return mask.slice();
  const d2 = squaredDistanceTo(mask, width, height, 0);
  const r2 = px * px;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] && d2[i]! > r2 ? 1 : 0;
  return out;
}

export function expandMask(mask: Uint8Array, width: number, height: number, px: number): Uint8Array {
  checkPixels('expand', px);
  if (px === 0) return mask.slice();
  const d2 = squaredDistanceTo(mask, width, height, 1);
  const r2 = px * px;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] || d2[i]! <= r2 ? 1 : 0;
  return out;
}

export function featherMask(mask: Uint8Array, width: number, height: number, px: number): Float32Array {
  checkPixels('feather', px);
  const out = new Float32Array(mask.length);
  if (px === 0) {
    for (let i = 0; i < out.length; i++) out[i] = mask[i] ? 1 : 0;
    return out;
  }
  const toBg = squaredDistanceTo(mask, width, height, 0);
  const toFg = squaredDistanceTo(mask, width, height, 1);
  for (let i = 0; i < out.length; i++) {
    // An all-foreground (or all-background) frame has infinite distance: alpha saturates.
    const s = mask[i] ? Math.sqrt(toBg[i]!) - 0.5 : 0.5 - Math.sqrt(toFg[i]!);
    const a = 0.5 + s / px;
    out[i] = a < 0 ? 0 : a > 1 ? 1 : a;
  }
  return out;
}

export function fillHolesMask(
  mask: Uint8Array,
  width: number,
  height: number,
  maxArea = Infinity,
): Uint8Array {
  checkPixels('fill-holes area', maxArea);
  const out = mask.slice();
  if (maxArea === 0) return out;
  const { labels, areas, touchesBorder } = labelComponents(mask, width, height, 0, 4);
  const fill = areas.map((a, id) => !touchesBorder[id] && a <= maxArea);
  for (let i = 0; i < out.length; i++) if (labels[i]! >= 0 && fill[labels[i]!]) out[i] = 1;
  return out;
}

export function dropIslandsMask(
  mask: Uint8Array,
  width: number,
  height: number,
  minArea: number,
): Uint8Array {
  checkPixels('drop-islands area', minArea);
  const out = mask.slice();
  if (minArea <= 1) return out;
  const { labels, areas } = labelComponents(mask, width, height, 1, 8);
  const drop = areas.map((a) => a < minArea);
  for (let i = 0; i < out.length; i++) if (labels[i]! >= 0 && drop[labels[i]!]) out[i] = 0;
  return out;
}

export function dropRelativeIslandsMask(
  mask: Uint8Array,
  width: number,
  height: number,
  fraction: number,
): Uint8Array {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`relative island size must be a fraction within 0..1, got ${fraction}`);
  }
  const out = mask.slice();
  if (fraction === 0) return out;
  const { labels, areas } = labelComponents(mask, width, height, 1, 8);
  let largest = 0;
  for (const a of areas) largest = Math.max(largest, a);
  const drop = areas.map((a) => a < fraction * largest);
  for (let i = 0; i < out.length; i++) if (labels[i]! >= 0 && drop[labels[i]!]) out[i] = 0;
  return out;
}

function onBinary(matte: FloatMatte, fn: (m: Uint8Array, w: number, h: number) => Uint8Array): FloatMatte {
  return maskToMatte(fn(binarize(matte, 0.5), matte.width, matte.height), matte.width, matte.height);
}

export function chokeMatte(matte: FloatMatte, px: number): FloatMatte {
  return onBinary(matte, (m, w, h) => chokeMask(m, w, h, px));
}

export function expandMatte(matte: FloatMatte, px: number): FloatMatte {
  return onBinary(matte, (m, w, h) => expandMask(m, w, h, px));
}

export function featherMatte(matte: FloatMatte, px: number): FloatMatte {
  const { width, height } = matte;
  return makeFloatMatte(featherMask(binarize(matte, 0.5), width, height, px), width, height);
}

export function fillHolesMatte(matte: FloatMatte, maxArea = Infinity): FloatMatte {
  return onBinary(matte, (m, w, h) => fillHolesMask(m, w, h, maxArea));
}

export function dropIslandsMatte(matte: FloatMatte, minArea: number): FloatMatte {
  return onBinary(matte, (m, w, h) => dropIslandsMask(m, w, h, minArea));
}

export function dropRelativeIslandsMatte(matte: FloatMatte, fraction: number): FloatMatte {
  return onBinary(matte, (m, w, h) => dropRelativeIslandsMask(m, w, h, fraction));
}

export function invertMatte(matte: FloatMatte): FloatMatte {
  const out = new Float32Array(matte.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 1 - matte.data[i]!;
  return makeFloatMatte(out, matte.width, matte.height);
}
