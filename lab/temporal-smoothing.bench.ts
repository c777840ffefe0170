/**
 * Does the optional temporal smoothing (off by default) help? J and F (DAVIS protocol: frames
 * 1…n−2, mean per sequence, then over sequences) of soft maps binarised at 0.5 after averaging
 * each frame's soft map with its ±r neighbours (`matte/temporal-smoothing.ts`, the pipeline's own
 * smoother), for each radius. Needs the soft maps of every frame (e.g. `eval --soft-out`).
 *
 *   nice npx tsx lab/temporal-smoothing.bench.ts --soft .bench/soft-best-flip
 *        [--davis ../shared/davis2016-train] [--seqs a,b] [--radii 0,1,2]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  boundaryF,
  jaccard,
  binarize,
  type FloatMatte,
  createTemporalSmoother,
  readMask,
} from '@oneshot-roto/core';
import { listFrames, listSequences, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seqs: { type: 'string' },
      radii: { type: 'string', default: '0,1,2' },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps, every frame> is required');
  const radii = values.radii.split(',').map(Number);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const totals = radii.map(() => ({ J: 0, F: 0 }));
  for (const seq of seqs) {
    const frames = await listFrames(values.davis, seq);
    const gts = await Promise.all(
      frames.map((f) =>
        readMask(path.join(values.davis, 'Annotations', '480p', seq, `${f}.png`), { threshold: 0 }),
      ),
    );
    const softs: FloatMatte[] = [];
    for (let i = 0; i < frames.length; i++)
      softs.push(
        await readSoftMap(path.join(values.soft, seq, `${frames[i]}.png`), gts[i]!.width, gts[i]!.height),
      );
    const row: string[] = [];
    for (const [k, r] of radii.entries()) {
      const smoother = createTemporalSmoother<null>(r);
      const out = new Array<FloatMatte>(frames.length);
      for (let i = 0; i < frames.length; i++)
        for (const s of smoother.push(i, softs[i]!, null)) out[s.frameIndex] = s.matte;
      for (const s of smoother.flush()) out[s.frameIndex] = s.matte;
      let J = 0;
      let F = 0;
      for (let i = 1; i < frames.length - 1; i++) {
        const bin = binarize(out[i]!, 0.5);
        const gt = gts[i]!;
        J += jaccard(bin, gt.data, gt.width, gt.height);
        F += boundaryF(bin, gt.data, gt.width, gt.height);
      }
      const n = frames.length - 2;
      totals[k]!.J += J / n;
      totals[k]!.F += F / n;
      row.push(`r=${r}: ${(J / n).toFixed(3)}/${(F / n).toFixed(3)}`);
    }
    console.log(`${seq.padEnd(16)} ${row.join('  ')}`);
  }
  console.log('| radius (frames) | J mean | F mean |\n|---|---|---|');
  radii.forEach((r, k) =>
    console.log(
      `| ${r} | ${(totals[k]!.J / seqs.length).toFixed(3)} | ${(totals[k]!.F / seqs.length).toFixed(3)} |`,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
