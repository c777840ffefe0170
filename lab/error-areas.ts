/**
 * Where the errors are: false-positive and false-negative pixels of written masks as a share of
 * the ground-truth area, mean over frames 1…n−2 of each sequence (the frames DAVIS scores), for
 * one or more result folders side by side. Tells over- from under-segmentation, which J alone
 * does not.
 *
 *   npx tsx lab/error-areas.ts [--davis DIR] [--sequences a,b] RESULTS_DIR...
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readMask } from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      sequences: { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new Error('give one or more result folders (<dir>/<seq>/00000.png)');
  const annotations = path.join(values.davis, 'Annotations/480p');
  const seqs = (values.sequences?.split(',') ?? (await fs.readdir(annotations))).sort();
  const totals = positionals.map(() => ({ fp: 0, fn: 0 }));
  console.log(`| sequence | ${positionals.map((d) => `${path.basename(d)} FP % / FN %`).join(' | ')} |`);
  console.log(`|---|${positionals.map(() => '---|').join('')}`);
  for (const seq of seqs) {
    const names = (await fs.readdir(path.join(annotations, seq))).sort().slice(1, -1);
    const cells: string[] = [];
    for (const [k, dir] of positionals.entries()) {
      let fp = 0;
      let fn = 0;
      let frames = 0;
      for (const name of names) {
        const gt = await readMask(path.join(annotations, seq, name), { threshold: 0 });
        const pred = await readMask(path.join(dir, seq, name), { threshold: 0 });
        let area = 0;
        let falsePos = 0;
        let falseNeg = 0;
        for (let i = 0; i < gt.data.length; i++) {
          area += gt.data[i]!;
          if (pred.data[i] && !gt.data[i]) falsePos++;
          else if (!pred.data[i] && gt.data[i]) falseNeg++;
        }
        if (area === 0) continue; // object absent: no area to relate the errors to
        fp += falsePos / area;
        fn += falseNeg / area;
        frames++;
      }
      cells.push(`${((100 * fp) / frames).toFixed(1)} / ${((100 * fn) / frames).toFixed(1)}`);
      totals[k]!.fp += fp / frames / seqs.length;
      totals[k]!.fn += fn / frames / seqs.length;
    }
    console.log(`| ${seq} | ${cells.join(' | ')} |`);
  }
  const means = totals.map((t) => `${(100 * t.fp).toFixed(1)} / ${(100 * t.fn).toFixed(1)}`);
  console.log(`| mean (${seqs.length}) | ${means.join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
