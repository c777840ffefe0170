/**
 * Video writers: frames are piped as raw pixels into one ffmpeg process (streaming, with
 * back-pressure), written to `<baseName>.partial.<ext>` and renamed when ffmpeg succeeds.
 * - 'prores': ProRes 4444 .mov with alpha (source RGB + matte alpha; prores_ks, yuva444p10le).
 * - 'h264': grayscale matte as H.264 yuv420p .mp4 (what every NLE imports; lossy, even sizes).
 * - 'ffv1': grayscale matte as lossless FFV1 .mkv.
 * The frame rate is the source's; the container timecode starts at startNumber + the first
 * frame index (at the nominal integer rate, non-drop-frame), so the file lines up with the source.
 * Frames must be written in consecutive order.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ffmpegPath } from '../../video/ffmpeg-binaries';
import { assertSameSize } from '../matte';
import { ensureWritableFolder } from './output-folder';
import { cutoutRgba, matteToGray8 } from './pixels';
import { MatteWriteError, type MatteWriter, type MatteWriterOptions } from './types';

export type VideoFormat = 'prores' | 'h264' | 'ffv1';

const EXTENSION: Record<VideoFormat, string> = {
  prores: 'mov',
  h264: 'mp4',
  ffv1: 'mkv',
};

const CODEC_ARGS: Record<VideoFormat, string[]> = {
  prores: [
    '-c:v',
    'prores_ks',
    '-profile:v',
    '4444',
    '-pix_fmt',
    'yuva444p10le',
    '-alpha_bits',
    '16',
    '-vendor',
    'apl0',
  ],
  h264: [
    '-c:v',
    'libx264',
    '-preset',
    'medium',
    '-crf',
    '12',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
  ],
  ffv1: ['-c:v', 'ffv1', '-level', '3', '-pix_fmt', 'gray'],
};

/** Parses '25', '29.97' or '30000/1001' into a positive rate; throws on anything else. */
export function parseFps(fps: number | string | undefined): { text: string; value: number } {
  const text = typeof fps === 'number' ? String(fps) : (fps ?? '').trim();
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] ? Number(m[2]) : 1) : NaN;
  if (!(value > 0 && value <= 1000)) {
    throw new MatteWriteError(
      `Video output needs the source frame rate (e.g. 25 or 30000/1001), got ${JSON.stringify(fps)}`,
    );
  }
  return { text, value };
}

/** HH:MM:SS:FF of a frame number at the nominal (rounded) rate. */
export function frameTimecode(frameNumber: number, fps: number): string {
  const rate = Math.max(1, Math.round(fps));
  const ff = frameNumber % rate;
  const total = Math.floor(frameNumber / rate);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(Math.floor(total / 3600))}:${p2(Math.floor(total / 60) % 60)}:${p2(total % 60)}:${p2(ff)}`;
}

export async function openVideoWriter(
  format: VideoFormat,
  options: MatteWriterOptions,
): Promise<MatteWriter> {
  const { width, height } = options;
  const fps = parseFps(options.fps);
  if (format === 'h264' && (width % 2 !== 0 || height % 2 !== 0)) {
    throw new MatteWriteError(
      `H.264 yuv420p needs an even frame size, the source is ${width}x${height}: use 'ffv1', 'prores' or a PNG sequence`,
    );
  }
  await ensureWritableFolder(options.outDir);
  const baseName = options.baseName ?? 'matte';
  const file = path.join(options.outDir, `${baseName}.${EXTENSION[format]}`);
  const partial = path.join(options.outDir, `${baseName}.partial.${EXTENSION[format]}`);
  const inputPixFmt = format === 'prores' ? 'rgba' : 'gray';
  const bin = await ffmpegPath();

  let proc: ChildProcessByStdio<Writable, null, Readable> | undefined;
  let exited: Promise<number | null> | undefined;
  let stderr = '';
  let nextIndex: number | undefined;
  let state: 'open' | 'closed' | 'failed' = 'open';

  const start = (firstIndex: number) => {
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      inputPixFmt,
      '-s',
      `${width}x${height}`,
      '-framerate',
      fps.text,
      '-i',
      'pipe:0',
      ...CODEC_ARGS[format],
      '-r',
      fps.text,
      '-timecode',
      frameTimecode((options.startNumber ?? 0) + firstIndex, fps.value),
      partial,
    ];
    const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    // EPIPE when ffmpeg dies early surfaces through `exited`; keep it from being unhandled.
    child.stdin.on('error', () => undefined);
    exited = new Promise((resolve, reject) => {
      child.on('error', (err) =>
        reject(new MatteWriteError(`Could not start ffmpeg (${bin}): ${err.message}`, { cause: err })),
      );
      child.on('close', (code) => resolve(code));
    });
    exited.catch(() => undefined);
    proc = child;
  };

  const failure = async (what: string, cause?: unknown): Promise<MatteWriteError> => {
    state = 'failed';
    const code = await exited?.catch(() => null);
    return new MatteWriteError(
      `ffmpeg failed ${what} writing ${file} (exit ${code}): ${stderr.trim() || 'no message'}`,
      cause ? { cause } : undefined,
    );
  };

  return {
    format,
    rewritable: false,
    async write(frameIndex, matte, frame) {
      if (state !== 'open') throw new MatteWriteError(`write(${frameIndex}) on a ${state} ${format} writer`);
      assertSameSize({ width, height }, matte, `matte of frame ${frameIndex}`);
      if (nextIndex !== undefined && frameIndex !== nextIndex) {
        throw new MatteWriteError(
          `${format} frames must be written in order: expected frame ${nextIndex}, got ${frameIndex}`,
        );
      }
      let pixels: Buffer;
      if (format === 'prores') {
        if (!frame) throw new MatteWriteError("'prores' needs the source RGB frame with each matte");
        pixels = cutoutRgba(matte, frame);
      } else pixels = matteToGray8(matte);
      if (!proc) start(frameIndex);
      nextIndex = frameIndex + 1;
      const stdin = proc!.stdin;
      await new Promise<void>((resolve, reject) => {
        const ok = stdin.write(pixels, (err) => {
          if (err) failure(`at frame ${frameIndex}`, err).then(reject, reject);
          else if (ok) resolve();
        });
        if (!ok) stdin.once('drain', resolve);
      });
    },
    async close() {
      if (state !== 'open') throw new MatteWriteError(`close() on a ${state} ${format} writer`);
      state = 'closed';
      if (!proc) throw new MatteWriteError(`No frames were written: ${file} not created`);
      proc.stdin.end();
      const code = await exited!;
      if (code !== 0) {
        await fs.rm(partial, { force: true });
        throw await failure('at close');
      }
      await fs.rename(partial, file);
      return [file];
    },
    async abort() {
      state = 'closed';
      if (proc && proc.exitCode === null) proc.kill('SIGKILL');
      await exited?.catch(() => undefined);
      await fs.rm(partial, { force: true });
    },
  };
}
