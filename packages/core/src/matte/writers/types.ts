/** Shared types of the matte writers. */
import type { RgbFrame } from '../../video/frame';
import type { FloatMatte } from '../matte';
import type { MatteOutputFormat } from '../options';

export interface MatteWriterOptions {
  /** Output folder; created if missing. */
  outDir: string;
  /** File name stem: `<baseName>_<number>.png` or `<baseName>.<ext>`. Default 'matte'. */
  baseName?: string;
  /** Source frame number of frameIndex 0 (PNG numbering, video timecode). Default 0. */
  startNumber?: number;
  /** Source frame rate: a number or a rational string such as '30000/1001'. Needed for video. */
  fps?: number | string;
  width: number;
  height: number;
  /** Digits of the PNG frame number (zero-padded). Default 5. */
  padDigits?: number;
}

export interface MatteWriter {
  readonly format: MatteOutputFormat;
  /**
   * Whether `write` may be called again for a frame already written, replacing it (PNG
   * sequences: each frame is its own file). Video writers take each frame once, in order.
   */
  readonly rewritable: boolean;
  /** Writes one frame. `frame` (the source RGB) is required by 'rgba' and 'prores'. */
  write(frameIndex: number, matte: FloatMatte, frame?: RgbFrame): Promise<void>;
  /** Finishes the output; resolves to the written file paths in frame order. */
  close(): Promise<string[]>;
  /** Stops and removes partial output (files already completed by PNG writers are kept). */
  abort(): Promise<void>;
}

export class MatteWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MatteWriteError';
  }
}
