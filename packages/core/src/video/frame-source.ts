/**
 * A clip to segment, read frame by frame: a folder of JPEG/PNG frames or a video file decoded
 * by ffmpeg. `openFrameSource` (open-frame-source.ts) picks the reader from the path.
 *
 * Indices: every index (`frames`, `readFrame`, `frameName`) is relative to the opened range:
 * index 0 is source frame `start`. Ranges are half-open: `start` inclusive, `end` exclusive,
 * 0-based source frame numbers, so `{start: 10, end: 20}` is 10 frames, source frames 10..19.
 */
import type { RgbFrame } from './frame';

export interface FrameRange {
  /** First frame, inclusive (default 0). */
  start?: number;
  /** End frame, exclusive (default: the frame count). */
  end?: number;
}

export interface IndexedFrame {
  /** Index relative to the opened range. */
  index: number;
  frame: RgbFrame;
}

export interface FrameSource {
  readonly kind: 'folder' | 'video';
  readonly path: string;
  readonly width: number;
  readonly height: number;
  /** Frames in the opened range. */
  readonly frameCount: number;
  /** Frames per second: the video's rate; for folders the `fps` option (default 24). */
  readonly fps: number;
  /** Source frame number of range index `i` (i.e. `start + i`). */
  sourceIndex(i: number): number;
  /**
   * File stem (no extension) for frame `i`'s outputs: the source file's stem for folders
   * (00000.jpg → "00000"), the zero-padded source frame number (≥ 5 digits) for videos.
   */
  frameName(i: number): string;
  /**
   * Streams frames in order. Memory stays bounded whatever the clip length: frames are decoded
   * on demand (a video's ffmpeg pipe is paused while the consumer works). Breaking out of the
   * loop stops decoding.
   */
  frames(range?: FrameRange): AsyncIterable<IndexedFrame>;
  /** Decodes one frame (random access; for videos an accurate seek). */
  readFrame(i: number): Promise<RgbFrame>;
  /** Stops any decoder still running. */
  close(): Promise<void>;
}

export interface OpenFrameSourceOptions extends FrameRange {
  /** Frame rate reported for a folder of frames (they carry none). Default 24. */
  fps?: number;
}

export class FrameSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FrameSourceError';
  }
}

/** Validates a half-open range against `count` frames and fills in the defaults. */
export function resolveRange(range: FrameRange | undefined, count: number, what: string): [number, number] {
  const start = range?.start ?? 0;
  const end = range?.end ?? count;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > count || start >= end) {
    throw new RangeError(
      `Invalid frame range [${start}, ${end}) for ${what} with ${count} frames: ` +
        `need integers with 0 ≤ start < end ≤ ${count} (start inclusive, end exclusive).`,
    );
  }
  return [start, end];
}

/** Checks a single range-relative frame index. */
export function checkIndex(i: number, count: number, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= count) {
    throw new RangeError(
      `Frame index ${i} is out of range for ${what}: it has ${count} frames (0..${count - 1}).`,
    );
  }
}
