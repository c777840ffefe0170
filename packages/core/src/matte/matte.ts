/**
 * The matte value type every module in src/matte works on: one float per pixel, row-major,
 * 0 = background, 1 = foreground. Functions here never mutate their inputs.
 */
export interface FloatMatte {
  data: Float32Array;
  width: number;
  height: number;
}

/** Wraps a Float32Array as a FloatMatte after checking its length against the size. */
export function makeFloatMatte(data: Float32Array, width: number, height: number): FloatMatte {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Matte size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height) {
    throw new RangeError(
      `Matte buffer has ${data.length} values, expected ${width * height} for ${width}x${height}`,
    );
  }
  return { data, width, height };
}

export function emptyFloatMatte(width: number, height: number): FloatMatte {
  return makeFloatMatte(new Float32Array(width * height), width, height);
}

/** Throws when a frame-sized companion (RGB frame, other matte) does not match the matte's size. */
export function assertSameSize(
  matte: { width: number; height: number },
  other: { width: number; height: number },
  what: string,
): void {
  if (matte.width !== other.width || matte.height !== other.height) {
    throw new RangeError(
      `${what} is ${other.width}x${other.height} but the matte is ${matte.width}x${matte.height}; ` +
        'resize the soft map to the frame size first (see resizeSoftMap)',
    );
  }
}

/** Binary mask (1 byte per pixel, 0/1) of the pixels whose value is >= threshold. */
export function binarize(matte: FloatMatte, threshold: number): Uint8Array {
  const { data } = matte;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! >= threshold ? 1 : 0;
  return out;
}

/** A binary mask back to a 0/1 float matte. */
export function maskToMatte(mask: Uint8Array, width: number, height: number): FloatMatte {
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 1 : 0;
  return makeFloatMatte(out, width, height);
}
