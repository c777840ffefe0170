/**
 * Does dropping foreground islands much smaller than the frame's largest one help? A one-shot
 * network's false positives are often separate blobs (another dancer, a similar car); this keeps
 * only components of at least --fractions × the largest component's area, per frame
 * (independent frames, no tracking), on soft maps binarised at 0.5. J and F: DAVIS measures,
 * frames 1…n−2, every --stride-th; mean per sequence, then over sequences.
 *
 *   nice npx tsx companion-server/bench/relative-islands.ts --soft .bench/soft-best32
 *        [--davis ../shared/davis2016-train] [--seqs a,b] [--stride 1] [--fractions 0,0.02,0.05,0.1,0.2]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boundaryF, jaccard } from '../src/evaluation/measures';
import { labelComponents } from '../src/matte/components';
import { binarize } from '../src/matte/matte';
import { readMask } from '../src/video/mask-io';
import { listFrames, listSequences, readSoftMap } from './snapping-data';

/** The mask without components smaller than `fraction` × its largest component. */
function keepRelative(mask: Uint8Array, width: number, height: number, fraction: number): Uint8Array {
  if (fraction <= 0) return mask;
  const { labels, areas } = labelComponents(mask, width, height, 1, 8);
  const largest = Math.max(0, ...areas);
  const out = mask.slice();
  for (let i = 0; i < out.length; i++)
    if (labels[i]! >= 0 && areas[labels[i]!]! < fraction * largest) out[i] = 0;
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: path.resolve(__dirname, '../../../shared/davis2016-train') },
      soft: { type: 'string' },
      seqs: { type: 'string' },
      stride: { type: 'string', default: '1' },
      fractions: { type: 'string', default: '0,0.02,0.05,0.1,0.2' },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps> is required');
  const fractions = values.fractions!.split(',').map(Number);
  const stride = Number(values.stride);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis!));
  const sums = fractions.map(() => ({ J: 0, F: 0 }));
  for (const seq of seqs) {
    const frames = (await listFrames(values.davis!, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
    const per = fractions.map(() => ({ J: 0, F: 0 }));
    for (const frame of frames) {
      const gt = await readMask(path.join(values.davis!, 'Annotations', '480p', seq, `${frame}.png`), {
        threshold: 0,
      });
      const soft = await readSoftMap(path.join(values.soft, seq, `${frame}.png`), gt.width, gt.height);
      const bin = binarize(soft, 0.5);
      fractions.forEach((f, k) => {
        const kept = keepRelative(bin, gt.width, gt.height, f);
        per[k]!.J += jaccard(kept, gt.data, gt.width, gt.height);
        per[k]!.F += boundaryF(kept, gt.data, gt.width, gt.height);
      });
    }
    console.log(
      `${seq.padEnd(16)} ` +
        fractions
          .map(
            (f, k) =>
              `${f}: ${(per[k]!.J / frames.length).toFixed(3)}/${(per[k]!.F / frames.length).toFixed(3)}`,
          )
          .join('  '),
    );
    per.forEach((p, k) => ((sums[k]!.J += p.J / frames.length), (sums[k]!.F += p.F / frames.length)));
  }
  console.log('| keep islands ≥ fraction of the largest | J mean | F mean |\n|---|---|---|');
  fractions.forEach((f, k) =>
    console.log(
      `| ${f} | ${(sums[k]!.J / seqs.length).toFixed(3)} | ${(sums[k]!.F / seqs.length).toFixed(3)} |`,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
