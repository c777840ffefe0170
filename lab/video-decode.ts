/**
 * Video reading throughput and memory: makes an N-frame 854x480 H.264 clip with the bundled
 * ffmpeg (testsrc2), streams it through FrameSource.frames() and reports frames/s and peak RSS
 * (sampled every 50 frames), then the latency of random-access readFrame().
 *
 *   nice npx tsx lab/video-decode.ts [frames=1200]
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath, openFrameSource } from '@oneshot-roto/core';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1200);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oneshot-bench-'));
  const file = path.join(dir, 'clip.mp4');
  await promisify(execFile)(await ffmpegPath(), [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=854x480:rate=24`,
    '-frames:v',
    String(n),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    file,
  ]);
  const src = await openFrameSource(file);
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let count = 0;
  const t0 = performance.now();
  for await (const { index } of src.frames()) {
    count++;
    if (index % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `${count}/${src.frameCount} frames 854x480 in ${secs.toFixed(1)} s = ${(count / secs).toFixed(0)} frames/s`,
  );
  console.log(
    `RSS before ${(rss0 / 2 ** 20).toFixed(0)} MiB, peak during ${(peak / 2 ** 20).toFixed(0)} MiB`,
  );
  const picks = [Math.floor(n / 2), n - 1, 7];
  for (const i of picks) {
    const t = performance.now();
    await src.readFrame(i);
    console.log(`readFrame(${i}): ${(performance.now() - t).toFixed(0)} ms`);
  }
  await src.close();
  await fs.rm(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
