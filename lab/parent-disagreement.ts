/**
 * The parent guide where the parent misses the editor's object on the annotated frame. On every
 * training sequence the parent agrees with frame 0's mask (IoU ≥ 0.59), so frame-0 runs cannot
 * tell how a fusion rule behaves when it does not, yet held-out clips do that (rollerblade,
 * swing, scooter-gray). This bench makes such cases from the training subset: in each sequence it
 * annotates the frame where the parent's mask is worst (of the frames whose parent soft maps are
 * stored), keeps the sequences where that IoU is under `--max-agreement`, fine-tunes `fast`'s
 * network there without the guide, and scores each fusion rule on the other stored frames.
 *
 *   npx tsx lab/parent-disagreement.ts --parent .bench/parent1024-train/soft
 *        [--davis ../shared/davis2016-train] [--preset fast] [--step 4] [--max-agreement 0.5]
 *
 * `--parent` holds `<seq>/<frame>.png` soft maps as `eval --annotations 0 --resolution 1024
 * --frame-step 4 --soft-out` writes them. Threshold 0.5, no matte finishing.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  boundaryF,
  jaccard,
  createOneShotMethod,
  fuseWithParent,
  resolveSettings,
  type PresetName,
  openFrameSource,
  readMask,
} from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { listFrames, listSequences, readSoftMap } from './snapping-data';

type Rule = {
  label: string;
  fuse: (fine: Float32Array, parent: Float32Array, w: number, h: number) => Float32Array;
};

const RULES: Rule[] = [
  { label: 'fine alone', fuse: (f) => f },
  { label: 'parent alone', fuse: (_f, p) => p },
  { label: 'mean', fuse: (f, p, w, h) => fuseWithParent(f, p, w, h, { unseenSupport: 0 }) },
  ...[0.05, 0.15, 0.3].map((u) => ({
    label: `mean, unseen<${u} kept`,
    fuse: (f: Float32Array, p: Float32Array, w: number, h: number) =>
      fuseWithParent(f, p, w, h, { unseenSupport: u }),
  })),
];

const binary = (map: Float32Array) => Uint8Array.from(map, (v) => (v >= 0.5 ? 1 : 0));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      parent: { type: 'string' },
      preset: { type: 'string', default: 'fast' },
      step: { type: 'string', default: '4' },
      'max-agreement': { type: 'string', default: '0.5' },
      seqs: { type: 'string' },
    },
  });
  if (!values.parent) throw new Error('--parent DIR (stored parent soft maps) is required');
  const davis = values.davis;
  const step = Number(values.step);
  const maxAgreement = Number(values['max-agreement']);
  const settings = resolveSettings(values.preset as PresetName, {
    parentGuideResolution: 0,
    timeBudgetSeconds: 100000,
  });
  const method = createOneShotMethod();
  const totals = RULES.map(() => ({ J: 0, F: 0 }));
  let sequences = 0;
  for (const seq of values.seqs?.split(',') ?? (await listSequences(davis))) {
    const names = await listFrames(davis, seq);
    const stored: number[] = [];
    for (let i = 0; i < names.length - 1; i += step)
      if (await fs.stat(path.join(values.parent, seq, `${names[i]}.png`)).catch(() => null)) stored.push(i);
    const gts = new Map<number, Uint8Array>();
    const parents = new Map<number, Float32Array>();
    let w = 0;
    let h = 0;
    for (const i of stored) {
      const gt = await readMask(path.join(davis, 'Annotations', '480p', seq, `${names[i]}.png`));
      [w, h] = [gt.width, gt.height];
      gts.set(i, gt.data);
      parents.set(i, (await readSoftMap(path.join(values.parent, seq, `${names[i]}.png`), w, h)).data);
    }
    // The annotated frame: where the parent's mask is worst (frames where the object is absent skipped).
    let annotated = -1;
    let agreement = Infinity;
    for (const i of stored) {
      const gt = gts.get(i)!;
      if (!gt.includes(1)) continue;
      const j = jaccard(binary(parents.get(i)!), gt, w, h);
      if (j < agreement) [annotated, agreement] = [i, j];
    }
    if (annotated < 0 || agreement >= maxAgreement) {
      process.stdout.write(`${seq}: parent's worst frame agrees at ${agreement.toFixed(2)}; skipped\n`);
      continue;
    }
    const source = await openFrameSource(path.join(davis, 'JPEGImages', '480p', seq));
    const scores = RULES.map(() => ({ J: 0, F: 0 }));
    let n = 0;
    try {
      const tuned = await method.fineTune(
        source,
        [{ frameIndex: annotated, mask: gts.get(annotated)!, width: w, height: h }],
        settings,
      );
      const model = await method.segmenter(tuned.weights);
      try {
        for (const i of stored) {
          if (i === annotated || i === 0) continue;
          const fine = await model.predict(await source.readFrame(i));
          const gt = gts.get(i)!;
          RULES.forEach((r, k) => {
            const out = binary(r.fuse(fine, parents.get(i)!, w, h));
            scores[k]!.J += jaccard(out, gt, w, h);
            scores[k]!.F += boundaryF(out, gt, w, h);
          });
          n++;
        }
      } finally {
        await model.dispose();
      }
    } finally {
      await source.close();
    }
    sequences++;
    RULES.forEach((_, k) => {
      totals[k]!.J += scores[k]!.J / n;
      totals[k]!.F += scores[k]!.F / n;
    });
    process.stdout.write(
      `${seq} (annotated frame ${annotated}, agreement ${agreement.toFixed(2)}, ${n} frames): ` +
        RULES.map(
          (r, k) => `${r.label} ${(scores[k]!.J / n).toFixed(3)}/${(scores[k]!.F / n).toFixed(3)}`,
        ).join(' | ') +
        '\n',
    );
  }
  process.stdout.write(
    `\n| rule | J mean | F mean | (${sequences} sequences, ${values.preset} network)\n|---|---|---|\n`,
  );
  RULES.forEach((r, k) =>
    process.stdout.write(
      `| ${r.label} | ${(totals[k]!.J / sequences).toFixed(3)} | ${(totals[k]!.F / sequences).toFixed(3)} |\n`,
    ),
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
