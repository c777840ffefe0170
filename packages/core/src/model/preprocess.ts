/**
 * Frame → network input: resize the RGB frame to the network's W×H with sharp (triangle filter,
 * aspect ratio not kept — the network sees the whole frame, and the map is resized back), then
 * scale each value to x/255 − 0.5 and lay it out planar (NCHW) as float32.
 */
import sharp from 'sharp';
import type { RgbFrame } from '../video/frame';
import { ModelError } from './errors';

/** value/255 − 0.5 for every byte value: one table lookup per sample instead of a division. */
const SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255 - 0.5);

export function checkFrame(frame: RgbFrame): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ModelError('BAD_INPUT', `frame size ${width}x${height} is not a positive integer size`);
  }
  if (!data || data.length !== width * height * 3) {
    throw new ModelError(
      'BAD_INPUT',
      `frame buffer has ${data?.length ?? 0} bytes; an RGB frame of ${width}x${height} needs ${width * height * 3}`,
    );
  }
}

/** Resizes `frame` to width×height and returns the HWC RGB bytes. */
export async function resizeRgb(frame: RgbFrame, width: number, height: number): Promise<Uint8Array> {
  checkFrame(frame);
  if (frame.width === width && frame.height === height) return frame.data;
  return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
}

/** Writes HWC RGB bytes as planar scaled floats into `out` starting at `offset` (one image = 3·W·H floats). */
export function rgbToPlanar(
  rgb: Uint8Array,
  width: number,
  height: number,
  out: Float32Array,
  offset = 0,
): void {
  const plane = width * height;
  for (let p = 0, i = 0; p < plane; p++, i += 3) {
    out[offset + p] = SCALE[rgb[i]!]!;
    out[offset + plane + p] = SCALE[rgb[i + 1]!]!;
    out[offset + 2 * plane + p] = SCALE[rgb[i + 2]!]!;
  }
}

/** One frame as network input (a fresh [1,3,H,W] buffer, or written into `out` at `offset`). */
export async function preprocessFrame(
  frame: RgbFrame,
  width: number,
  height: number,
  out?: Float32Array,
  offset = 0,
): Promise<Float32Array> {
  const target = out ?? new Float32Array(3 * width * height);
  rgbToPlanar(await resizeRgb(frame, width, height), width, height, target, offset);
  return target;
}
