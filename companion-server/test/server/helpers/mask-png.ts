/** Annotation masks sent as PNG (`{kind: 'png', encoding: 'base64'}`), independent of stroke rasterising. */
import sharp from 'sharp';

/** A 0/1 mask as a grayscale PNG (0/255). */
export async function maskPng(mask: Uint8Array, width: number, height: number): Promise<Buffer> {
  const gray = Buffer.from(mask.map((v) => (v ? 255 : 0)));
  return sharp(gray, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

/** A filled disc of `radius` px around the frame's middle: `radius` sets its pixel count. */
export function discMask(width: number, height: number, radius: number): Uint8Array {
  const m = new Uint8Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) m[y * width + x] = 1;
  return m;
}

/** The `mask` field of an addAnnotation carrying `mask` as a base64 PNG. */
export async function pngMaskField(mask: Uint8Array, width: number, height: number) {
  return {
    kind: 'png' as const,
    encoding: 'base64' as const,
    data: (await maskPng(mask, width, height)).toString('base64'),
  };
}
