/**
 * Cross-checks the TypeScript J/F against the official DAVIS computation (numpy/scipy
 * reimplementation in packages/core/test/evaluation/fixtures/davis_reference.py) on real mask pairs:
 * for every sequence of a DAVIS root, ground truth of frame i against that of frame i+3
 * (real object motion) and against a speckled copy (many boundary pixels).
 *
 *   npx tsx lab/measures-crosscheck.ts <davisRoot> <workDir>
 *   python3 lab/measures-crosscheck.py <workDir>
 *
 * The first writes masks as raw bytes plus ts-scores.json; the second recomputes with the
 * reference code and prints the largest differences.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  listDavisSequences,
  loadDavisSequence,
  annotationPath,
  boundaryF,
  jaccard,
  readMask,
} from '@oneshot-roto/core';

async function main(): Promise<void> {
  const [root, work] = process.argv.slice(2);
  if (!root || !work) throw new Error('usage: measures-crosscheck.ts <davisRoot> <workDir>');
  await fs.mkdir(work, { recursive: true });
  const cases: Array<{ id: string; width: number; height: number; J: number; F: number; ms: number }> = [];
  for (const name of await listDavisSequences(root)) {
    const seq = await loadDavisSequence(root, name);
    for (let i = 0; i + 3 < seq.annotationNames.length; i += 9) {
      const gt = await readMask(annotationPath(seq, seq.annotationNames[i]!), { threshold: 0 });
      const other = await readMask(annotationPath(seq, seq.annotationNames[i + 3]!), { threshold: 0 });
      const speckled = gt.data.slice();
      for (let p = 0; p < speckled.length; p++) if ((p * 7 + (p >> 3) * 13) % 29 === 0) speckled[p]! ^= 1;
      for (const [kind, pred] of [
        ['next3', other.data],
        ['speckle', speckled],
      ] as const) {
        const id = `${name}-${i}-${kind}`;
        await fs.writeFile(path.join(work, `${id}.gt.bin`), gt.data);
        await fs.writeFile(path.join(work, `${id}.pred.bin`), pred);
        const t = performance.now();
        const J = jaccard(pred, gt.data, gt.width, gt.height);
        const F = boundaryF(pred, gt.data, gt.width, gt.height);
        cases.push({ id, width: gt.width, height: gt.height, J, F, ms: performance.now() - t });
      }
    }
  }
  await fs.writeFile(path.join(work, 'ts-scores.json'), JSON.stringify(cases, null, 1));
  const ms = cases.map((c) => c.ms).sort((a, b) => a - b);
  console.log(
    `${cases.length} pairs; J+F per pair: median ${ms[ms.length >> 1]!.toFixed(1)} ms, max ${ms[ms.length - 1]!.toFixed(1)} ms`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
