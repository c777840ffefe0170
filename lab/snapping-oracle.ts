/**
 * How much could any boundary snapping gain? An oracle that knows the ground truth relabels every
 * pixel within r px of the predicted mask's boundary (the only pixels a snapping that moves the
 * boundary by at most r px can change) and keeps the prediction elsewhere. Its J and F bound what
 * such a snapping can reach: if the oracle at r = 16 px gains less than a target, no edge-aware
 * filter can meet it, since the rest of the error is whole regions (missed parts, false objects).
 *
 *   npx tsx lab/snapping-oracle.ts --soft DIR[,DIR2] [--radii 2,4,8,16,32]
 *        [--stride 1] [--seqs a,b] [--islands 0.05] [--davis DIR]
 *
 * The prediction is the soft map (several runs' maps averaged) with stray islands dropped as the
 * matte pipeline does (`--islands`, the default finishing's fraction), binarised at 0.5 — what the
 * edge snap receives. J and F follow the DAVIS protocol (first and last frame excluded, mean per
 * sequence, then over sequences).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  boundaryF,
  jaccard,
  seg2bmap,
  squaredDistanceTo,
  binarize,
  DEFAULT_MATTE_OPTIONS,
  dropStrayIslands,
  readMask,
} from '@oneshot-roto/core';
import { listFrames, listSequences, readAveragedSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      radii: { type: 'string', default: '2,4,8,16,32' },
      stride: { type: 'string', default: '1' },
      seqs: { type: 'string' },
      islands: { type: 'string', default: String(DEFAULT_MATTE_OPTIONS.dropIslandsRelative) },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps>[,<dir>…] is required');
  const softDirs = values.soft.split(',');
  const radii = values.radii.split(',').map(Number);
  const islands = Number(values.islands);
  const stride = Number(values.stride);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const labels = ['prediction', ...radii.map((r) => `oracle within ${r} px`)];
  const totals = labels.map(() => ({ J: 0, F: 0 }));
  for (const seq of seqs) {
    const frames = (await listFrames(values.davis, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
    const per = labels.map(() => ({ J: 0, F: 0 }));
    for (const frame of frames) {
      const gt = await readMask(path.join(values.davis, 'Annotations', '480p', seq, `${frame}.png`), {
        threshold: 0,
      });
      const { width, height } = gt;
      const soft = await readAveragedSoftMap(softDirs, seq, frame, width, height);
      const pred = binarize(dropStrayIslands(soft, 0.5, islands), 0.5);
      const toBoundary = squaredDistanceTo(seg2bmap(pred, width, height), width, height, 1);
      const masks = [
        pred,
        ...radii.map((r) => pred.map((v, i) => (toBoundary[i]! <= r * r ? gt.data[i]! : v))),
      ];
      masks.forEach((m, k) => {
        per[k]!.J += jaccard(m, gt.data, width, height);
        per[k]!.F += boundaryF(m, gt.data, width, height);
      });
    }
    const cells = per.map((p) => `${(p.J / frames.length).toFixed(3)}/${(p.F / frames.length).toFixed(3)}`);
    console.log(`${seq.padEnd(16)} ${cells.join('  ')}`);
    per.forEach((p, k) => {
      totals[k]!.J += p.J / frames.length;
      totals[k]!.F += p.F / frames.length;
    });
  }
  console.log('| variant | J mean | F mean |\n|---|---|---|');
  labels.forEach((l, k) =>
    console.log(
      `| ${l} | ${((100 * totals[k]!.J) / seqs.length).toFixed(2)} | ${((100 * totals[k]!.F) / seqs.length).toFixed(2)} |`,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
