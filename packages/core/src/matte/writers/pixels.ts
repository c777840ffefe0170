/** Conversions from a 0..1 matte (and RGB frame) to the pixel buffers encoders take. */
import type { RgbFrame } from '../../video/frame';
import { assertSameSize, type FloatMatte } from '../matte';

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

export function matteToGray8(matte: FloatMatte): Buffer {
  const out = Buffer.alloc(matte.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(clamp01(matte.data[i]!) * 255);
  return out;
}

export function matteToGray16(matte: FloatMatte): Uint16Array {
  const out = new Uint16Array(matte.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(clamp01(matte.data[i]!) * 65535);
  return out;
}

/** Source pixels with the matte as straight (unpremultiplied) 8-bit alpha. */
export function cutoutRgba(matte: FloatMatte, frame: RgbFrame): Buffer {
  assertSameSize(matte, frame, 'RGB frame');
  const n = matte.data.length;
  const out = Buffer.alloc(n * 4);
  const src = frame.data;
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 3, k += 4) {
    out[k] = src[j]!;
    out[k + 1] = src[j + 1]!;
    out[k + 2] = src[j + 2]!;
    out[k + 3] = Math.round(clamp01(matte.data[i]!) * 255);
  }
  return out;
}
