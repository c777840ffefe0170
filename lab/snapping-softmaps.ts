/**
 * Writes soft maps for the snapping benchmark from the parent network run zero-shot (no one-shot
 * fine-tuning) at a low working resolution: `<out>/<seq>/<frame>.png`, 16-bit gray, frame size.
 * A real network output at low resolution — a stand-in until the one-shot pipeline writes its own.
 *
 *   nice npx tsx lab/snapping-softmaps.ts --out DIR [--davis DIR] [--resolution 320]
 *        [--stride 10] [--seqs a,b]
 * Writes every stride-th frame of 1..n−2 (the frames the benchmark scores at the same stride).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { SegmentationModel } from '@oneshot-roto/core';
import { listFrames, listSequences, readFrame } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (k: string, d?: string) => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : d;
  };
  const out = arg('--out');
  if (!out) throw new Error('--out DIR is required');
  const davis = arg('--davis', DEFAULT_DAVIS_DIR)!;
  const resolution = Number(arg('--resolution', '320'));
  const stride = Number(arg('--stride', '10'));
  const seqs = arg('--seqs')?.split(',') ?? (await listSequences(davis));
  const model = await SegmentationModel.load({ resolution });
  try {
    for (const seq of seqs) {
      const frames = (await listFrames(davis, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
      await fs.mkdir(path.join(out, seq), { recursive: true });
      for (const name of frames) {
        const frame = await readFrame(davis, seq, name);
        const prob = await model.predict(frame);
        const u16 = new Uint16Array(prob.length);
        for (let i = 0; i < prob.length; i++) u16[i] = Math.round(Math.min(1, Math.max(0, prob[i]!)) * 65535);
        await sharp(u16, { raw: { width: frame.width, height: frame.height, channels: 1 } })
          .toColourspace('grey16')
          .png()
          .toFile(path.join(out, seq, `${name}.png`));
      }
      process.stderr.write(`${seq}: ${frames.length} soft maps\n`);
    }
  } finally {
    await model.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
