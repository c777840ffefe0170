/**
 * J and F (DAVIS measures, frames 1…n−2, every --stride-th; mean per sequence, then over
 * sequences) of soft maps binarised at each threshold: is 0.5 the right level for maps from a
 * network fine-tuned with the class-balanced loss, which moves its 0.5 level outwards?
 *
 *   nice npx tsx lab/threshold-sweep.ts --soft .bench/soft-best-flip
 *        [--davis ../shared/davis2016-train] [--seqs a,b] [--stride 1] [--thresholds 0.3,0.4,0.5,0.6,0.7]
 *        [--islands 0,0.02,0.05,0.1,0.2]
 *
 * `--soft a,b` averages the soft maps of several runs first (an ensemble of fine-tuned networks).
 * `--islands f,…` sweeps the pipeline's stray-island removal instead (islands smaller than f × the
 * frame's largest dropped from the soft map, matte/pipeline.ts `dropStrayIslands`), at threshold 0.5.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boundaryF, jaccard, binarize, dropStrayIslands, readMask } from '@oneshot-roto/core';
import { listFrames, listSequences, readAveragedSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seqs: { type: 'string' },
      stride: { type: 'string', default: '1' },
      thresholds: { type: 'string', default: '0.3,0.4,0.5,0.6,0.7' },
      islands: { type: 'string' },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps> is required');
  const softDirs = values.soft.split(',');
  // Each variant: a threshold and a stray-island fraction (0: none dropped).
  const variants = values.islands
    ? values.islands.split(',').map((f) => ({ label: `islands ${f}`, threshold: 0.5, islands: Number(f) }))
    : values.thresholds
        .split(',')
        .map((t) => ({ label: `threshold ${t}`, threshold: Number(t), islands: 0 }));
  const stride = Number(values.stride);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const sums = variants.map(() => ({ J: 0, F: 0 }));
  for (const seq of seqs) {
    const frames = (await listFrames(values.davis, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
    const per = variants.map(() => ({ J: 0, F: 0 }));
    for (const frame of frames) {
      const gt = await readMask(path.join(values.davis, 'Annotations', '480p', seq, `${frame}.png`), {
        threshold: 0,
      });
      const soft = await readAveragedSoftMap(softDirs, seq, frame, gt.width, gt.height);
      variants.forEach((v, k) => {
        const bin = binarize(dropStrayIslands(soft, v.threshold, v.islands), v.threshold);
        per[k]!.J += jaccard(bin, gt.data, gt.width, gt.height);
        per[k]!.F += boundaryF(bin, gt.data, gt.width, gt.height);
      });
    }
    console.log(
      `${seq.padEnd(16)} ` +
        variants
          .map(
            (v, k) =>
              `${v.label}: ${(per[k]!.J / frames.length).toFixed(3)}/${(per[k]!.F / frames.length).toFixed(3)}`,
          )
          .join('  '),
    );
    per.forEach((p, k) => ((sums[k]!.J += p.J / frames.length), (sums[k]!.F += p.F / frames.length)));
  }
  console.log('| variant | J mean | F mean |\n|---|---|---|');
  variants.forEach((v, k) =>
    console.log(
      `| ${v.label} | ${(sums[k]!.J / seqs.length).toFixed(3)} | ${(sums[k]!.F / seqs.length).toFixed(3)} |`,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
