/**
 * Whether a frame's mask pieces are the annotated object, judged by where the object was in the
 * frame before: from the annotated frame on, each frame keeps only the pieces of its mask that
 * come within `r` pixels of the previous frame's kept mask (`pieces`), or only the mask's pixels
 * within `r` of it (`pixels`, which also splits a distractor from the object where they touch).
 * A frame where nothing would be kept keeps its whole mask (the object came back elsewhere).
 * Prompted by held-out motorbike: a flower pot of the object's colours grows into view and both
 * networks mark it (BENCHMARKS.md, "Motorbike"). This gives up the method's independence of
 * frames (a frame's matte depends on the one before), so it is measured here first.
 * Scored on stored soft maps at threshold 0.5, before finishing.
 *
 *   npx tsx lab/piece-tracking.ts --soft DIR [--davis DIR] [--step 4] [--seqs a,b] [--radii 16,32,64]
 *
 * DIR holds `<seq>/<frame index>.png` soft maps as `eval --soft-out` writes them; frame 0 is the
 * annotated frame and its ground truth the annotation. `r` is per scored frame step: the radii
 * given are scaled by `--step` (motion between stored frames grows with the step).
 */
import { parseArgs } from 'node:util';
import { boundaryF, jaccard, labelComponents, squaredDistanceTo } from '@oneshot-roto/core';
import { listFrames, listSequences, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { promises as fs } from 'node:fs';
import path from 'node:path';

type Mode = 'pieces' | 'pixels';

function track(
  mask: Uint8Array,
  previous: Uint8Array,
  w: number,
  h: number,
  r: number,
  mode: Mode,
): Uint8Array {
  const d2 = squaredDistanceTo(previous, w, h, 1);
  const r2 = r * r;
  const out = new Uint8Array(mask.length);
  if (mode === 'pixels') {
    for (let i = 0; i < mask.length; i++) out[i] = mask[i]! && d2[i]! <= r2 ? 1 : 0;
  } else {
    const comps = labelComponents(mask, w, h, 1, 8);
    const near = new Uint8Array(comps.areas.length);
    for (let i = 0; i < mask.length; i++) {
      const l = comps.labels[i]!;
      if (l >= 0 && d2[i]! <= r2) near[l] = 1;
    }
    for (let i = 0; i < mask.length; i++) {
      const l = comps.labels[i]!;
      out[i] = l >= 0 && near[l] ? 1 : 0;
    }
  }
  let any = false;
  for (const v of out)
    if (v) {
      any = true;
      break;
    }
  return any ? out : mask;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      step: { type: 'string', default: '4' },
      seqs: { type: 'string' },
      radii: { type: 'string', default: '8,16,32' },
    },
  });
  if (!values.soft) throw new Error('--soft DIR is required');
  const step = Number(values.step);
  const radii = values.radii.split(',').map(Number);
  const rules = radii.flatMap((r) => (['pieces', 'pixels'] as const).map((mode) => ({ r: r * step, mode })));
  const labels = ['as is', ...rules.map((x) => `${x.mode} ${x.r / step}/frame`)];
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const perSeq: Record<string, { J: number; F: number }[]> = {};
  const name = (i: number) => `${String(i).padStart(5, '0')}.png`;
  for (const seq of seqs) {
    if (!(await fs.stat(path.join(values.soft, seq)).catch(() => null))) continue;
    const frames = await listFrames(values.davis, seq);
    const gt0 = await readGroundTruth(values.davis, seq, frames[0]!);
    const w = 854;
    const h = gt0.length / w;
    let kept = rules.map(() => gt0);
    const totals = labels.map(() => ({ J: 0, F: 0 }));
    let n = 0;
    for (let i = 1; i < frames.length - 1; i++) {
      if (i % step !== 0) continue;
      const file = path.join(values.soft, seq, name(i));
      if (!(await fs.stat(file).catch(() => null))) continue;
      const gt = await readGroundTruth(values.davis, seq, frames[i]!);
      const soft = (await readSoftMap(file, w, h)).data;
      const bin = Uint8Array.from(soft, (v) => (v >= 0.5 ? 1 : 0));
      kept = rules.map((x, k) => track(bin, kept[k]!, w, h, x.r, x.mode));
      [bin, ...kept].forEach((o, k) => {
        totals[k]!.J += jaccard(o, gt, w, h);
        totals[k]!.F += boundaryF(o, gt, w, h);
      });
      n++;
    }
    perSeq[seq] = totals.map((t) => ({ J: t.J / n, F: t.F / n }));
    process.stdout.write(
      `${seq}: ${labels.map((l, k) => `${l} ${perSeq[seq]![k]!.J.toFixed(3)}/${perSeq[seq]![k]!.F.toFixed(3)}`).join(' | ')}\n`,
    );
  }
  const names = Object.keys(perSeq);
  process.stdout.write(
    `\n| rule | J mean | F mean | (${names.length} sequences, every ${step}th frame, threshold 0.5, no finishing)\n|---|---|---|\n`,
  );
  labels.forEach((l, k) => {
    const J = names.reduce((a, s) => a + perSeq[s]![k]!.J, 0) / names.length;
    const F = names.reduce((a, s) => a + perSeq[s]![k]!.F, 0) / names.length;
    process.stdout.write(`| ${l} | ${J.toFixed(3)} | ${F.toFixed(3)} |\n`);
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
