/**
 * One decoded video frame: 8-bit RGB, interleaved (HWC), row-major, no padding.
 * `data.length === width * height * 3`; pixel (x, y) channel c is at `(y * width + x) * 3 + c`.
 */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** Wraps an HWC RGB buffer as an RgbFrame after checking its length against the size. */
export function makeRgbFrame(data: Uint8Array, width: number, height: number): RgbFrame {
  const expected = width * height * 3;
  if (data.length !== expected) {
    throw new RangeError(
      `RGB frame buffer has ${data.length} bytes, expected ${expected} for ${width}x${height}x3`,
    );
  }
  return { data, width, height, channels: 3 };
}
