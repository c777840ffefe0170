/** In-memory PNG encode/decode for masks and preview frames (sharp). */
import sharp from 'sharp';
import type { RgbFrame } from '@oneshot-roto/core';
import { ProtocolError } from './errors';

/** 8-bit grayscale PNG of width*height bytes. Fast zlib level: masks are written per frame. */
export async function encodeGrayPng(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 1 },
  })
    .toColourspace('b-w') // sharp would otherwise write a 3-channel sRGB PNG
    .png({ compressionLevel: 3 })
    .toBuffer();
}

export async function encodeRgbPng(frame: RgbFrame, maxSide?: number): Promise<Buffer> {
  let img = sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  });
  if (maxSide && Math.max(frame.width, frame.height) > maxSide) {
    img = img.resize({ width: maxSide, height: maxSide, fit: 'inside' });
  }
  return img.png({ compressionLevel: 3 }).toBuffer();
}

/** Decodes an 8-bit grayscale PNG (as written by encodeGrayPng) to its bytes. */
export async function decodeGrayPng(
  png: Uint8Array,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/**
 * Decodes a client's mask PNG to 0/1 at the expected size: alpha ≥ 128 is object when the image
 * has alpha, else luma ≥ 128.
 */
export async function decodeClientMaskPng(
  png: Uint8Array,
  width: number,
  height: number,
): Promise<Uint8Array> {
  let decoded: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    const img = sharp(png, { limitInputPixels: 8192 * 8192 });
    const meta = await img.metadata();
    if (meta.format !== 'png') throw new Error(`it is ${meta.format ?? 'not an image'}, not a PNG`);
    const channel = meta.hasAlpha ? img.ensureAlpha().extractChannel(3) : img.greyscale();
    decoded = await channel.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ProtocolError('bad_mask', `the mask is not a readable PNG: ${(err as Error).message}`, {
      cause: err,
      path: '/mask',
    });
  }
  const { data, info } = decoded;
  if (info.width !== width || info.height !== height) {
    throw new ProtocolError(
      'bad_mask',
      `the mask PNG is ${info.width}x${info.height} but the frame is ${width}x${height}; send it at frame size`,
      { path: '/mask' },
    );
  }
  const mask = new Uint8Array(width * height);
  const ch = info.channels;
  for (let i = 0; i < mask.length; i++) mask[i] = data[i * ch]! >= 128 ? 1 : 0;
  return mask;
}

/** Frame with the matte tinted red over it (preview for the panel's <img>). */
export async function encodeOverlayPng(
  frame: RgbFrame,
  matte: Uint8Array | null,
  maxSide?: number,
): Promise<Buffer> {
  const out = new Uint8Array(frame.data.length);
  const src = frame.data;
  for (let i = 0, p = 0; p < src.length; i++, p += 3) {
    const a = matte ? (matte[i]! / 255) * 0.5 : 0;
    out[p] = Math.round(src[p]! * (1 - a) + 255 * a);
    out[p + 1] = Math.round(src[p + 1]! * (1 - a));
    out[p + 2] = Math.round(src[p + 2]! * (1 - a));
  }
  return encodeRgbPng({ data: out, width: frame.width, height: frame.height, channels: 3 }, maxSide);
}
