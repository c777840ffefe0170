/** Decodes still images (frames, masks) with sharp, turning decoder failures into errors naming the file. */
import sharp, { type OutputInfo } from 'sharp';
import { makeRgbFrame, type RgbFrame } from './frame';

export class ImageDecodeError extends Error {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageDecodeError';
    this.file = file;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) throw new Error('no image size in header');
    return { width: meta.width, height: meta.height };
  } catch (err) {
    throw new ImageDecodeError(file, `Cannot read image "${file}": ${describe(err)}.`, { cause: err });
  }
}

/** Decodes an image to 8-bit RGB (alpha dropped, gray expanded); fails on truncated/corrupt data. */
export async function decodeRgbImage(file: string): Promise<RgbFrame> {
  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await sharp(file, { failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageDecodeError(
      file,
      `Cannot decode image "${file}" (corrupt or truncated?): ${describe(err)}. Re-export the frame or remove it.`,
      { cause: err },
    );
  }
  const { data, info } = result;
  if (info.channels !== 3) {
    throw new ImageDecodeError(file, `Image "${file}" decoded to ${info.channels} channels, expected RGB.`);
  }
  return makeRgbFrame(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height);
}

export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
}

/** Decodes any image to interleaved 8-bit samples in its own channel layout (1–4 channels). */
export async function decodeRawImage(file: string): Promise<RawImage> {
  try {
    const { data, info } = await sharp(file, { failOn: 'truncated' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      channels: info.channels,
      hasAlpha: info.channels === 2 || info.channels === 4,
    };
  } catch (err) {
    throw new ImageDecodeError(
      file,
      `Cannot decode image "${file}" (corrupt or truncated?): ${describe(err)}.`,
      {
        cause: err,
      },
    );
  }
}
