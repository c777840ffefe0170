/**
 * Masks and mattes on disk.
 *
 * Reading (`readMask`): any PNG/JPEG sharp decodes (8- or 16-bit gray, gray+alpha, RGB, RGBA,
 * palette). A pixel is foreground when
 *  - the image has an alpha channel that is not fully opaque everywhere: alpha > threshold
 *    (masks painted on a transparent layer, whatever the paint colour);
 *  - otherwise: its brightest colour channel > threshold (white-on-black mattes, and coloured
 *    object labels as in DAVIS palette PNGs).
 * The default threshold 127 (8-bit scale; 16-bit images are scaled to 8 bits first) makes a soft
 * matte read as "probability > 0.5"; 0 gives the official DAVIS rule "any nonzero value".
 *
 * Writing: 8-bit grayscale PNGs, atomically (temp file + rename), so a reader or a crash never
 * sees half a file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic as writeAtomic } from '@oneshot-roto/onnx-train';
import sharp from 'sharp';
import { decodeRawImage, ImageDecodeError } from './image-decode';

/** A binary mask: one byte per pixel, row-major, 1 = foreground, 0 = background. */
export interface BinaryMask {
  data: Uint8Array;
  width: number;
  height: number;
}

/** An 8-bit grayscale matte: one byte per pixel, row-major, 0 = background … 255 = foreground. */
export interface Matte {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface ReadMaskOptions {
  /** Expected size; a mask of another size is an error naming both sizes. */
  width?: number;
  height?: number;
  /** Foreground when value > threshold (0..254, 8-bit scale). Default 127. */
  threshold?: number;
}

export class MaskSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaskSizeError';
  }
}

export async function readMask(file: string, options: ReadMaskOptions = {}): Promise<BinaryMask> {
  const threshold = options.threshold ?? 127;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 254) {
    throw new RangeError(`Mask threshold must be an integer in 0..254, got ${threshold}`);
  }
  try {
    await fs.access(file);
  } catch (err) {
    throw new ImageDecodeError(file, `Mask file "${file}" does not exist or cannot be read.`, { cause: err });
  }
  const img = await decodeRawImage(file);
  const { width, height, channels, data } = img;
  if (
    (options.width !== undefined && options.width !== width) ||
    (options.height !== undefined && options.height !== height)
  ) {
    throw new MaskSizeError(
      `Mask "${file}" is ${width}x${height} but the frame is ${options.width ?? width}x${options.height ?? height}; ` +
        'draw the mask on the frame at its full resolution.',
    );
  }
  const n = width * height;
  const out = new Uint8Array(n);
  const colours = img.hasAlpha ? channels - 1 : channels;
  let useAlpha = false;
  if (img.hasAlpha) {
    for (let i = channels - 1; i < data.length; i += channels) {
      if (data[i] !== 255) {
        useAlpha = true;
        break;
      }
    }
  }
  if (useAlpha) {
    for (let p = 0, i = channels - 1; p < n; p++, i += channels) out[p] = data[i]! > threshold ? 1 : 0;
  } else if (colours === 1) {
    for (let p = 0; p < n; p++) out[p] = data[p * channels]! > threshold ? 1 : 0;
  } else {
    for (let p = 0, i = 0; p < n; p++, i += channels) {
      out[p] = data[i]! > threshold || data[i + 1]! > threshold || data[i + 2]! > threshold ? 1 : 0;
    }
  }
  return { data: out, width, height };
}

/** Scales a 0/1 mask to a 0/255 matte. */
export function binaryToMatte(mask: BinaryMask): Matte {
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i] ? 255 : 0;
  return { data, width: mask.width, height: mask.height };
}

function checkMatte(matte: Matte): void {
  const { width, height, data } = matte;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Matte size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height) {
    throw new RangeError(
      `Matte buffer has ${data.length} bytes, expected ${width * height} for ${width}x${height}`,
    );
  }
}

/** Encodes a matte as an 8-bit grayscale PNG in memory. */
export async function encodeMattePng(matte: Matte): Promise<Buffer> {
  checkMatte(matte);
  return sharp(matte.data, { raw: { width: matte.width, height: matte.height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
}

/** Writes `data` to `file` through a temporary file in the same folder and a rename. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  try {
    await writeAtomic(file, data);
  } catch (err) {
    throw new Error(
      `Cannot write "${file}": ${(err as Error).message}. Check the folder exists and is writable.`,
      {
        cause: err,
      },
    );
  }
}

/** Writes one matte as an 8-bit grayscale PNG, atomically. */
export async function writeMattePng(file: string, matte: Matte): Promise<void> {
  await writeFileAtomic(file, await encodeMattePng(matte));
}

/**
 * Writes a matte sequence into one folder, one PNG per frame, named after the source frame
 * (`FrameSource.frameName(i)` + ".png"). Every file appears complete or not at all.
 */
export class MaskSequenceWriter {
  private count = 0;

  private constructor(
    readonly dir: string,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Creates the folder (and parents) if needed. All mattes must be `width`x`height`. */
  static async create(dir: string, size: { width: number; height: number }): Promise<MaskSequenceWriter> {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (err) {
      throw new Error(`Cannot create output folder "${dir}": ${(err as Error).message}`, { cause: err });
    }
    return new MaskSequenceWriter(dir, size.width, size.height);
  }

  pathFor(frameName: string): string {
    if (!frameName || frameName !== path.basename(frameName) || frameName.startsWith('.')) {
      throw new RangeError(`Invalid frame name "${frameName}" (must be a plain file stem)`);
    }
    return path.join(this.dir, `${frameName}.png`);
  }

  /** Writes the matte of frame `frameName`; returns the file path. */
  async write(frameName: string, matte: Matte): Promise<string> {
    if (matte.width !== this.width || matte.height !== this.height) {
      throw new MaskSizeError(
        `Matte for frame "${frameName}" is ${matte.width}x${matte.height}, but this sequence is ${this.width}x${this.height}.`,
      );
    }
    const file = this.pathFor(frameName);
    await writeMattePng(file, matte);
    this.count++;
    return file;
  }

  /** Number of mattes written so far. */
  get written(): number {
    return this.count;
  }
}
