/**
 * What piece tracking adds to finishing a clip: `planPieceTrack` over a sequence's stored soft
 * maps (held in memory, so decoding is not timed) and `apply` on each frame, against the product's
 * finishing of the same frames (`processFrame` with the default matte options, whose dense CRF is
 * most of it). Median of `--runs` runs, per frame, and the ratio within each run.
 *
 *   npx tsx lab/piece-track.bench.ts --soft DIR --seq NAME [--davis DIR] [--runs 3]
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { makeFloatMatte, planSoftMapTrack, processFrame, type FloatMatte } from '@oneshot-roto/core';
import { listFrames, readFrame, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { median } from './timing-stats';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seq: { type: 'string' },
      runs: { type: 'string', default: '3' },
    },
  });
  if (!values.soft || !values.seq) throw new Error('--soft DIR and --seq NAME are required');
  const seq = values.seq;
  const names = await listFrames(values.davis, seq);
  const first = await readFrame(values.davis, seq, names[0]!);
  const { width, height } = first;
  const gt0 = await readGroundTruth(values.davis, seq, names[0]!);
  const maps = new Map<number, FloatMatte>();
  for (let i = 1; i < names.length; i++)
    maps.set(i, await readSoftMap(path.join(values.soft, seq, `${names[i]}.png`), width, height));
  const frames = [0, ...maps.keys()];
  // Frame 0's mask is its annotation (the ground truth, definite everywhere).
  const blank = makeFloatMatte(new Float32Array(width * height), width, height);
  const rgb = await Promise.all([...maps.keys()].map((i) => readFrame(values.davis, seq, names[i]!)));
  const track: number[] = [];
  const finish: number[] = [];
  for (let run = 0; run < Number(values.runs); run++) {
    let t = performance.now();
    const plan = await planSoftMapTrack({
      frames,
      annotations: new Map([[0, gt0]]),
      width,
      height,
      threshold: 0.5,
      readSoft: (i) => Promise.resolve(maps.get(i) ?? blank),
    });
    for (const [i, soft] of maps) plan.apply(i, soft);
    track.push((performance.now() - t) / maps.size);
    t = performance.now();
    [...maps.values()].forEach((soft, k) => processFrame(soft, rgb[k]!));
    finish.push((performance.now() - t) / maps.size);
  }
  const ratios = track.map((x, k) => x / finish[k]!);
  console.log(
    `${seq} (${maps.size} frames, ${width}x${height}): track ${median(track).toFixed(1)} ms/frame, ` +
      `finishing ${median(finish).toFixed(1)} ms/frame, ratio ${median(ratios).toFixed(3)} (median of ${track.length})`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
