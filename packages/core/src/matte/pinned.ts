/**
 * Pixels the editor decided on an annotated frame: the matte keeps them as painted, and only the
 * rest (left open) comes from the network. Values follow the annotation convention
 * (osvos/annotations.ts): 0 background, 1 object, anything else (255, "don't care") open.
 */
import { makeFloatMatte, type FloatMatte } from './matte';

/** One byte per pixel at frame size: 0 background, 1 object, other values open. */
export type PinnedPixels = Uint8Array;

function checkSize(pin: PinnedPixels, length: number): void {
  if (pin.length !== length)
    throw new RangeError(
      `the painted mask has ${pin.length} pixels but the matte has ${length}; paint the mask at the frame's size`,
    );
}

/** The soft map with the painted pixels set to 0 or 1 (open pixels keep the network's value). */
export function pinSoftMap(soft: FloatMatte, pin: PinnedPixels): FloatMatte {
  checkSize(pin, soft.data.length);
  const out = soft.data.slice();
  for (let i = 0; i < out.length; i++) {
    const v = pin[i];
    if (v === 0 || v === 1) out[i] = v;
  }
  return makeFloatMatte(out, soft.width, soft.height);
}

/** A 0/1 mask with the painted pixels set as painted, in place; returns it. */
export function pinMask(mask: Uint8Array, pin: PinnedPixels): Uint8Array {
  checkSize(pin, mask.length);
  for (let i = 0; i < mask.length; i++) {
    const v = pin[i];
    if (v === 0 || v === 1) mask[i] = v;
  }
  return mask;
}
