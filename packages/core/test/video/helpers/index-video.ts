/**
 * Test clips whose frames say which frame they are: 8 coloured 16x16 blocks carry the frame
 * index in binary (bit set: red for bits 0-3, green for bits 4-7; bit clear: blue), above a
 * band of per-pixel varying values that catches off-by-one-pixel or channel-order errors.
 */
import { spawn } from 'node:child_process';
import { ffmpegPath } from '../../../src/video/ffmpeg-binaries';

export const W = 64;
export const H = 48;

export function indexFrame(i: number): Uint8Array {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      if (y < 32) {
        const bit = (y >> 4) * 4 + (x >> 4);
        const on = (i >> bit) & 1;
        const rgb = on ? (bit < 4 ? [255, 0, 0] : [0, 255, 0]) : [0, 0, 255];
        data.set(rgb, p);
      } else {
        data[p] = (x * 3 + y * 5 + i * 7) & 255;
        data[p + 1] = (x * 11 + i) & 255;
        data[p + 2] = (y * 13 + x) & 255;
      }
    }
  }
  return data;
}

/** Reads the index back from a (possibly lossy) frame by classifying each block's centre pixel. */
export function decodeIndex(data: Uint8Array): number {
  let i = 0;
  for (let bit = 0; bit < 8; bit++) {
    const x = (bit % 4) * 16 + 8;
    const y = Math.floor(bit / 4) * 16 + 8;
    const p = (y * W + x) * 3;
    const [r, g, b] = [data[p]!, data[p + 1]!, data[p + 2]!];
    if (Math.max(r, g) > b) i |= 1 << bit;
  }
  return i;
}

/** Encodes `count` index frames at 24 fps into `file` with the given ffmpeg output arguments. */
export async function makeIndexVideo(file: string, count: number, codecArgs: string[]): Promise<void> {
  const exe = await ffmpegPath();
  const args = [
    '-hide_banner',
    '-v',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${W}x${H}`,
  ];
  args.push('-r', '24', '-i', 'pipe:0', ...codecArgs, file);
  const proc = spawn(exe, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg failed (${code}): ${stderr}`)),
    );
  });
  for (let i = 0; i < count; i++) {
    if (!proc.stdin.write(indexFrame(i))) await new Promise((r) => proc.stdin.once('drain', r));
  }
  proc.stdin.end();
  await done;
}

/** Lossless RGB: ffv1 in Matroska (no frame count in the container: exercises packet counting). */
export const LOSSLESS_MKV = ['-c:v', 'ffv1', '-pix_fmt', 'bgr0'];
/** Typical delivery video: H.264 yuv420p with B-frames in mp4. */
export const H264_MP4 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '12', '-bf', '2', '-g', '12'];
