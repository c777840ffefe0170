/**
 * Frame by frame, where one sequence's errors are: J, false-positive and false-negative pixels
 * (as a share of the ground-truth area) of stored soft maps at threshold 0.5, for one or more
 * folders side by side, on the frames every folder holds. Tells a distractor that appears in a
 * stretch of the clip (false positives several times the object) from a lost object.
 *
 *   npx tsx lab/frame-errors.ts [--davis DIR] --sequence NAME SOFT_DIR...
 *
 * SOFT_DIRs hold `<seq>/<frame index>.png` soft maps as `eval --soft-out` writes them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { jaccard } from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { listFrames, readGroundTruth, readSoftMap } from './snapping-data';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      sequence: { type: 'string' },
    },
  });
  const seq = values.sequence;
  if (!seq || positionals.length === 0)
    throw new Error('give --sequence NAME and one or more soft-map folders');
  const frames = await listFrames(values.davis, seq);
  const name = (i: number) => `${String(i).padStart(5, '0')}.png`;
  console.log(
    `| frame | object area (share of frame) | ${positionals.map((d) => `${d} J / FP / FN`).join(' | ')} |`,
  );
  console.log(`|---|---|${positionals.map(() => '---|').join('')}`);
  for (let i = 1; i < frames.length - 1; i++) {
    const files = positionals.map((d) => path.join(d, seq, name(i)));
    const present = await Promise.all(files.map((f) => fs.stat(f).catch(() => null)));
    if (!present.every(Boolean)) continue;
    const gt = await readGroundTruth(values.davis, seq, frames[i]!);
    const w = 854;
    const h = gt.length / w;
    let area = 0;
    for (const v of gt) area += v;
    const cells: string[] = [];
    for (const f of files) {
      const bin = Uint8Array.from((await readSoftMap(f, w, h)).data, (v) => (v >= 0.5 ? 1 : 0));
      let fp = 0;
      let fn = 0;
      for (let q = 0; q < bin.length; q++) {
        if (bin[q] && !gt[q]) fp++;
        if (!bin[q] && gt[q]) fn++;
      }
      cells.push(
        `${jaccard(bin, gt, w, h).toFixed(2)} / ${(fp / area).toFixed(2)} / ${(fn / area).toFixed(2)}`,
      );
    }
    console.log(`| ${i} | ${(area / (w * h)).toFixed(3)} | ${cells.join(' | ')} |`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
