/**
 * Resizes a soft map to the frame size (the network usually runs at a lower resolution) with
 * sharp's bilinear kernel, through a 16-bit grayscale image (quantisation step 1/65535).
 */
import sharp from 'sharp';
import { makeFloatMatte, type FloatMatte } from './matte';

export async function resizeSoftMap(soft: FloatMatte, width: number, height: number): Promise<FloatMatte> {
  if (soft.width === width && soft.height === height) return soft;
  const u16 = new Uint16Array(soft.data.length);
  for (let i = 0; i < u16.length; i++) {
    const v = soft.data[i]!;
    u16[i] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 65535);
  }
  const { data, info } = await sharp(u16, { raw: { width: soft.width, height: soft.height, channels: 1 } })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    // Without an explicit 16-bit grey colourspace sharp would hand back 8-bit-scaled sRGB.
    .toColourspace('grey16')
    .raw({ depth: 'ushort' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 1) {
    throw new Error(
      `sharp resized the soft map to ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x1`,
    );
  }
  const src = new Uint16Array(data.buffer, data.byteOffset, width * height);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = src[i]! / 65535;
  return makeFloatMatte(out, width, height);
}
