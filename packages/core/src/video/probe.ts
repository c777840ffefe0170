/**
 * Reads a video file's first video stream properties with ffprobe: size (after rotation, as
 * ffmpeg decodes it), frame rate and frame count.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { ffprobePath } from './ffmpeg-binaries';

const execFileAsync = promisify(execFile);

export interface VideoInfo {
  /** Decoded frame size; width/height are swapped for 90°/270° rotated videos, as ffmpeg autorotates. */
  width: number;
  height: number;
  /** Frames per second (average frame rate, else the stream's base rate). */
  fps: number;
  fpsNum: number;
  fpsDen: number;
  frameCount: number;
  /** Seconds between the container's start and the video stream's first timestamp. */
  streamOffset: number;
  /** The container's start time in seconds (ffmpeg's -ss positions are relative to it). */
  formatStartTime: number;
  durationSec: number;
  codec: string;
  pixFmt: string;
  rotation: number;
}

export class VideoProbeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VideoProbeError';
  }
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  start_time?: string;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { start_time?: string; duration?: string; format_name?: string };
}

async function runProbe(file: string, extra: string[]): Promise<ProbeOutput> {
  const exe = await ffprobePath();
  try {
    const { stdout } = await execFileAsync(
      exe,
      ['-v', 'error', '-select_streams', 'v:0', ...extra, '-of', 'json', file],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as ProbeOutput;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new VideoProbeError(
      `Cannot read "${file}" as a video${stderr ? `: ${stderr}` : ''}. ` +
        'Check that the file is a complete video (mp4, mov, mkv, ...) or pass a folder of frames.',
      { cause: err },
    );
  }
}

function parseRate(rate: string | undefined): [number, number] | undefined {
  if (!rate) return undefined;
  const [n, d] = rate.split('/').map(Number);
  if (n === undefined || d === undefined || !Number.isFinite(n) || !Number.isFinite(d) || n <= 0 || d <= 0)
    return undefined;
  return [n, d];
}

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === 'N/A') return undefined;
  const v = Number(value);
  return Number.isFinite(v) ? v : undefined;
}

export async function probeVideo(file: string): Promise<VideoInfo> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw new VideoProbeError(`Video file "${file}" does not exist or is not a file.`, { cause: err });
  }
  const out = await runProbe(file, [
    '-show_entries',
    'stream=codec_type,codec_name,width,height,pix_fmt,r_frame_rate,avg_frame_rate,nb_frames,start_time,duration:stream_tags=rotate:stream_side_data=rotation:format=start_time,duration,format_name',
  ]);
  const stream = out.streams?.[0];
  if (!stream || !stream.width || !stream.height) {
    throw new VideoProbeError(`"${file}" contains no video stream.`);
  }

  const rotationRaw =
    num(stream.tags?.rotate) ??
    stream.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation ??
    0;
  const rotation = ((Math.round(rotationRaw) % 360) + 360) % 360;
  const swap = rotation === 90 || rotation === 270;

  const durationSec = num(stream.duration) ?? num(out.format?.duration) ?? 0;
  let frameCount = num(stream.nb_frames) ?? 0;
  if (!(frameCount > 0)) {
    // Containers like mkv/webm store no frame count: count packets (demux only, no decoding).
    const counted = await runProbe(file, ['-count_packets', '-show_entries', 'stream=nb_read_packets']);
    frameCount = num(counted.streams?.[0]?.nb_read_packets) ?? 0;
  }
  if (!(frameCount > 0)) throw new VideoProbeError(`"${file}": the video stream has no frames.`);

  // The average rate when declared; else frames over duration (variable-rate Matroska declares
  // only its time base as r_frame_rate); else the base rate.
  let rate = parseRate(stream.avg_frame_rate);
  if (!rate && durationSec > 0) rate = [Math.round((frameCount / durationSec) * 1000), 1000];
  rate ??= parseRate(stream.r_frame_rate);
  if (!rate) throw new VideoProbeError(`"${file}": the video stream has no usable frame rate.`);
  const [fpsNum, fpsDen] = rate;
  const fps = fpsNum / fpsDen;

  const streamStart = num(stream.start_time) ?? 0;
  const formatStart = num(out.format?.start_time) ?? streamStart;
  return {
    width: swap ? stream.height : stream.width,
    height: swap ? stream.width : stream.height,
    fps,
    fpsNum,
    fpsDen,
    frameCount,
    streamOffset: Math.max(0, streamStart - formatStart),
    formatStartTime: formatStart,
    durationSec,
    codec: stream.codec_name ?? 'unknown',
    pixFmt: stream.pix_fmt ?? 'unknown',
    rotation,
  };
}

/**
 * Presentation timestamps (seconds, ascending) of every video packet, from the demuxer only (no
 * decoding). Frame i is shown at the i-th smallest; undefined when some packet has no pts.
 */
export async function probeFrameTimes(file: string): Promise<Float64Array | undefined> {
  const exe = await ffprobePath();
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      exe,
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file],
      { maxBuffer: 256 * 1024 * 1024 },
    ));
  } catch (err) {
    throw new VideoProbeError(`Cannot list the frame timestamps of "${file}".`, { cause: err });
  }
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const times = new Float64Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const v = Number(lines[i]!.split(',')[0]);
    if (!Number.isFinite(v)) return undefined;
    times[i] = v;
  }
  return times.sort();
}
