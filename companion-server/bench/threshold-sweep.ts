/**
 * J and F (DAVIS measures, frames 1…n−2, every --stride-th; mean per sequence, then over
 * sequences) of soft maps binarised at each threshold: is 0.5 the right level for maps from a
 * network fine-tuned with the class-balanced loss, which moves its 0.5 level outwards?
 *
 *   nice npx tsx companion-server/bench/threshold-sweep.ts --soft .bench/soft-best-flip
 *        [--davis ../shared/davis2016-train] [--seqs a,b] [--stride 1] [--thresholds 0.3,0.4,0.5,0.6,0.7]
 *
 * `--soft a,b` averages the soft maps of several runs first (an ensemble of fine-tuned networks).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boundaryF, jaccard } from '../src/evaluation/measures';
import { binarize } from '../src/matte/matte';
import { readMask } from '../src/video/mask-io';
import { listFrames, listSequences, readSoftMap } from './snapping-data';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: path.resolve(__dirname, '../../../shared/davis2016-train') },
      soft: { type: 'string' },
      seqs: { type: 'string' },
      stride: { type: 'string', default: '1' },
      thresholds: { type: 'string', default: '0.3,0.4,0.5,0.6,0.7' },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps> is required');
  const softDirs = values.soft.split(',');
  const thresholds = values.thresholds!.split(',').map(Number);
  const stride = Number(values.stride);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis!));
  const sums = thresholds.map(() => ({ J: 0, F: 0 }));
  for (const seq of seqs) {
    const frames = (await listFrames(values.davis!, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
    const per = thresholds.map(() => ({ J: 0, F: 0 }));
    for (const frame of frames) {
      const gt = await readMask(path.join(values.davis!, 'Annotations', '480p', seq, `${frame}.png`), {
        threshold: 0,
      });
      const maps = await Promise.all(
        softDirs.map((dir) => readSoftMap(path.join(dir, seq, `${frame}.png`), gt.width, gt.height)),
      );
      const soft = maps[0]!;
      for (const other of maps.slice(1))
        for (let i = 0; i < soft.data.length; i++) soft.data[i]! += other.data[i]!;
      for (let i = 0; i < soft.data.length; i++) soft.data[i]! /= maps.length;
      thresholds.forEach((t, k) => {
        const bin = binarize(soft, t);
        per[k]!.J += jaccard(bin, gt.data, gt.width, gt.height);
        per[k]!.F += boundaryF(bin, gt.data, gt.width, gt.height);
      });
    }
    console.log(
      `${seq.padEnd(16)} ` +
        thresholds
          .map(
            (t, k) =>
              `${t}: ${(per[k]!.J / frames.length).toFixed(3)}/${(per[k]!.F / frames.length).toFixed(3)}`,
          )
          .join('  '),
    );
    per.forEach((p, k) => ((sums[k]!.J += p.J / frames.length), (sums[k]!.F += p.F / frames.length)));
  }
  console.log('| threshold | J mean | F mean |\n|---|---|---|');
  thresholds.forEach((t, k) =>
    console.log(
      `| ${t} | ${(sums[k]!.J / seqs.length).toFixed(3)} | ${(sums[k]!.F / seqs.length).toFixed(3)} |`,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
