/**
 * A clip given as a video file, decoded by ffmpeg to raw rgb24 on a pipe. Streaming: ffmpeg is
 * paused by pipe back-pressure while the consumer works, so memory holds one frame plus the
 * pipe buffer whatever the clip length.
 *
 * Frame exactness: frames are numbered in presentation order from the first video frame, with
 * `-vsync 0` (no duplication or dropping). A start frame is reached with an accurate input seek
 * to the midpoint between its timestamp and the previous frame's, so the previous frame is
 * discarded and frame `start` kept. The timestamps come from the container's packet list (read
 * once, on the first seek), so irregular timestamps (B-frame delays in Matroska, variable frame
 * rate) seek exactly too; when a container gives no usable list, a constant frame rate is assumed.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { makeRgbFrame, type RgbFrame } from './frame';
import { ffmpegPath } from './ffmpeg-binaries';
import {
  checkIndex,
  FrameSourceError,
  resolveRange,
  type FrameRange,
  type FrameSource,
  type IndexedFrame,
  type OpenFrameSourceOptions,
} from './frame-source';
import { probeFrameTimes, probeVideo, type VideoInfo } from './probe';

type Decoder = ChildProcessByStdio<null, Readable, Readable>;

const STDERR_KEEP = 4096;

export class VideoDecodeError extends FrameSourceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VideoDecodeError';
  }
}

class VideoSource implements FrameSource {
  readonly kind = 'video' as const;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  private readonly digits: number;
  private readonly running = new Set<Decoder>();
  private frameTimes: Promise<Float64Array | undefined> | undefined;

  constructor(
    readonly path: string,
    private readonly exe: string,
    readonly info: VideoInfo,
    private readonly offset: number,
    readonly frameCount: number,
  ) {
    this.width = info.width;
    this.height = info.height;
    this.fps = info.fps;
    this.digits = Math.max(5, String(info.frameCount - 1).length);
  }

  sourceIndex(i: number): number {
    return this.offset + i;
  }

  frameName(i: number): string {
    checkIndex(i, this.frameCount, `video "${this.path}"`);
    return String(this.offset + i).padStart(this.digits, '0');
  }

  async readFrame(i: number): Promise<RgbFrame> {
    checkIndex(i, this.frameCount, `video "${this.path}"`);
    for await (const { frame } of this.frames({ start: i, end: i + 1 })) return frame;
    throw new VideoDecodeError(`Video "${this.path}": frame ${this.offset + i} could not be decoded.`);
  }

  async *frames(range?: FrameRange): AsyncIterable<IndexedFrame> {
    const [start, end] = resolveRange(range, this.frameCount, `video "${this.path}"`);
    const first = this.offset + start;
    const count = end - start;
    const proc = this.spawnDecoder(first, count, first > 0 ? await this.seekTime(first) : undefined);
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_KEEP);
    });
    const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
      proc.once('error', (error) => resolve({ code: null, error }));
      proc.once('close', (code) => resolve({ code }));
    });

    const size = this.width * this.height * 3;
    let buf = new Uint8Array(size);
    let filled = 0;
    let produced = 0;
    let finished = false;
    try {
      for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
        let at = 0;
        while (at < chunk.length) {
          const n = Math.min(size - filled, chunk.length - at);
          buf.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === size) {
            if (produced < count) {
              yield { index: start + produced, frame: makeRgbFrame(buf, this.width, this.height) };
            }
            produced++;
            buf = new Uint8Array(size);
            filled = 0;
          }
        }
      }
      const { code, error } = await exited;
      finished = true;
      const atFrame = first + produced;
      if (error) {
        throw new VideoDecodeError(
          `Cannot run ffmpeg (${this.exe}) to decode "${this.path}": ${error.message}`,
          {
            cause: error,
          },
        );
      }
      if (code !== 0 || produced < count) {
        const detail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
        throw new VideoDecodeError(
          `Decoding "${this.path}" failed at frame ${atFrame} (got ${produced} of ${count} frames from ` +
            `frame ${first}, ffmpeg exit code ${code})${detail}. The file may be truncated or corrupt.`,
        );
      }
    } finally {
      if (!finished) {
        // The consumer stopped early (break/throw): stop ffmpeg instead of letting it block on the pipe.
        proc.stdout.destroy();
        proc.kill('SIGKILL');
        await exited;
      }
      this.running.delete(proc);
    }
  }

  /** Input -ss position (seconds from the container start) that lands exactly on source frame `n` > 0. */
  private async seekTime(n: number): Promise<number> {
    this.frameTimes ??= probeFrameTimes(this.path).catch(() => undefined);
    const times = await this.frameTimes;
    if (times && times.length === this.info.frameCount) {
      return (times[n - 1]! + times[n]!) / 2 - this.info.formatStartTime;
    }
    // No usable timestamp list: constant frame rate from the stream start.
    return this.info.streamOffset + (n - 0.5) / this.info.fps;
  }

  private spawnDecoder(first: number, count: number, seek: number | undefined): Decoder {
    const args = ['-hide_banner', '-nostdin', '-v', 'error'];
    if (seek !== undefined) args.push('-accurate_seek', '-ss', Math.max(0, seek).toFixed(6));
    args.push('-i', this.path, '-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', '0');
    args.push('-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
    const proc = spawn(this.exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.add(proc);
    return proc;
  }

  async close(): Promise<void> {
    for (const proc of this.running) proc.kill('SIGKILL');
    this.running.clear();
  }
}

export async function openVideoSource(
  file: string,
  options: OpenFrameSourceOptions = {},
): Promise<FrameSource> {
  const info = await probeVideo(file);
  const [start, end] = resolveRange(options, info.frameCount, `video "${file}"`);
  const exe = await ffmpegPath();
  return new VideoSource(file, exe, info, start, end - start);
}
