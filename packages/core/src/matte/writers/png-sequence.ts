/**
 * PNG sequence writers (sharp): 8-bit or 16-bit grayscale matte, or RGBA cutout. One file per
 * frame, `<baseName>_<startNumber + frameIndex, zero-padded>.png`, written atomically (temp file,
 * fsync, rename), so a reader never sees a half-written frame. Frames may come in any order; a
 * frame written again replaces its file.
 */
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from '@oneshot-roto/onnx-train';
import type { RgbFrame } from '../../video/frame';
import { assertSameSize, type FloatMatte } from '../matte';
import { ensureWritableFolder } from './output-folder';
import { cutoutRgba, matteToGray16, matteToGray8 } from './pixels';
import { MatteWriteError, type MatteWriter, type MatteWriterOptions } from './types';

export type PngFormat = 'png8' | 'png16' | 'rgba';

export function pngFrameName(baseName: string, frameNumber: number, padDigits: number): string {
  // An empty base name numbers the files like DAVIS / image-sequence sources: 00000.png.
  return `${baseName ? `${baseName}_` : ''}${String(frameNumber).padStart(padDigits, '0')}.png`;
}

function encoder(
  format: PngFormat,
  matte: FloatMatte,
  frame: RgbFrame | undefined,
): ReturnType<typeof sharp> {
  const { width, height } = matte;
  switch (format) {
    case 'png8':
      return sharp(matteToGray8(matte), { raw: { width, height, channels: 1 } })
        .toColourspace('b-w')
        .png();
    case 'png16':
      return sharp(matteToGray16(matte), { raw: { width, height, channels: 1 } })
        .toColourspace('grey16')
        .png();
    case 'rgba':
      if (!frame) throw new MatteWriteError("The 'rgba' cutout needs the source RGB frame with each matte");
      return sharp(cutoutRgba(matte, frame), { raw: { width, height, channels: 4 } }).png();
  }
}

export async function openPngSequenceWriter(
  format: PngFormat,
  options: MatteWriterOptions,
): Promise<MatteWriter> {
  const baseName = options.baseName ?? 'matte';
  const start = options.startNumber ?? 0;
  const pad = options.padDigits ?? 5;
  await ensureWritableFolder(options.outDir);
  const written = new Map<number, string>();
  let closed = false;
  return {
    format,
    rewritable: true,
    async write(frameIndex, matte, frame) {
      if (closed) throw new MatteWriteError(`write(${frameIndex}) after close: open a new writer`);
      if (!Number.isInteger(frameIndex) || frameIndex < 0) {
        throw new MatteWriteError(`frame index must be an integer >= 0, got ${frameIndex}`);
      }
      assertSameSize({ width: options.width, height: options.height }, matte, `matte of frame ${frameIndex}`);
      const file = path.join(options.outDir, pngFrameName(baseName, start + frameIndex, pad));
      try {
        await writeFileAtomic(file, await encoder(format, matte, frame).toBuffer());
      } catch (err) {
        if (err instanceof MatteWriteError) throw err;
        throw new MatteWriteError(
          `Could not write matte frame ${frameIndex} to ${file}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      written.set(frameIndex, file);
    },
    async close() {
      closed = true;
      return [...written.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    },
    async abort() {
      closed = true;
    },
  };
}
