/**
 * Whether a mask's separate pieces look like the annotated object: a colour model of the
 * annotated frame (object against background, RGB histograms) scores each connected piece of a
 * frame's mask by its pixels' mean log-likelihood ratio, and pieces that look like the annotated
 * frame's background are dropped (the best-scoring piece always stays). Prompted by a distractor
 * that both networks mark: a flower pot, part of the annotated frame's background, that grows
 * into view (held-out motorbike). Absolute floors (`--taus`) and floors relative to the best piece
 * (`--deltas`). Scored on stored soft maps at threshold 0.5, before finishing.
 *
 *   npx tsx lab/colour-gate.ts --soft DIR [--davis DIR] [--step 4] [--seqs a,b]
 *        [--bins 16] [--taus=-1,-0.5,0] [--deltas 0.25,0.5,1] [--show-pieces]
 *
 * DIR holds `<seq>/<frame index>.png` soft maps as `eval --soft-out` writes them; frame 0 is the
 * annotated frame and its ground truth the annotation.
 */
import { parseArgs } from 'node:util';
import { labelComponents } from '@oneshot-roto/core';
import { RuleScores } from './rule-scores';
import { listFrames, listSequences, readFrame, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Log-likelihood ratio object : background of each quantised colour, from one annotated frame. */
function colourModel(rgb: Uint8Array, mask: Uint8Array, bins: number): Float32Array {
  const shift = Math.log2(256 / bins);
  const fg = new Float64Array(bins ** 3).fill(1); // Laplace smoothing
  const bg = new Float64Array(bins ** 3).fill(1);
  let nf = bins ** 3;
  let nb = bins ** 3;
  for (let i = 0; i < mask.length; i++) {
    const k = binOf(rgb, i, shift, bins);
    if (mask[i] === 1) {
      fg[k]!++;
      nf++;
    } else {
      bg[k]!++;
      nb++;
    }
  }
  return Float32Array.from(fg, (f, k) => Math.log(f / nf) - Math.log(bg[k]! / nb));
}

function binOf(rgb: Uint8Array, i: number, shift: number, bins: number): number {
  return ((rgb[3 * i]! >> shift) * bins + (rgb[3 * i + 1]! >> shift)) * bins + (rgb[3 * i + 2]! >> shift);
}

/** Drops the mask's pieces whose mean ratio is under tau, keeping the best-scoring one. */
function gate(
  bin: Uint8Array,
  rgb: Uint8Array,
  llr: Float32Array,
  w: number,
  h: number,
  bins: number,
  tau: number,
  minShare: number,
  showPieces: boolean,
  relative: boolean,
): Uint8Array {
  const shift = Math.log2(256 / bins);
  const comps = labelComponents(bin, w, h, 1, 8);
  const k = comps.areas.length;
  if (k < 2) return bin;
  const sum = new Float64Array(k);
  for (let i = 0; i < bin.length; i++) {
    const l = comps.labels[i]!;
    if (l >= 0) sum[l]! += llr[binOf(rgb, i, shift, bins)]!;
  }
  const score = comps.areas.map((a, l) => sum[l]! / a);
  if (showPieces)
    process.stdout.write(
      `  pieces (area:score) ${comps.areas.map((a, l) => `${a}:${score[l]!.toFixed(2)}`).join(' ')}\n`,
    );
  const total = comps.areas.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let l = 1; l < k; l++) if (score[l]! > score[best]!) best = l;
  // Only pieces big enough to matter are judged (small ones are the finishing's job).
  // An absolute floor, or (relative) `tau` below the best piece's score.
  const floor = relative ? score[best]! - tau : tau;
  const drop = score.map((s, l) => l !== best && s < floor && comps.areas[l]! >= minShare * total);
  const out = Uint8Array.from(bin);
  for (let i = 0; i < out.length; i++) {
    const l = comps.labels[i]!;
    if (l >= 0 && drop[l]) out[i] = 0;
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      step: { type: 'string', default: '4' },
      seqs: { type: 'string' },
      bins: { type: 'string', default: '16' },
      taus: { type: 'string', default: '-2,-1,-0.5,0' },
      'min-share': { type: 'string', default: '0.1' },
      'show-pieces': { type: 'boolean', default: false },
      deltas: { type: 'string', default: '0.25,0.5,1' },
    },
  });
  if (!values.soft) throw new Error('--soft DIR is required');
  const step = Number(values.step);
  const bins = Number(values.bins);
  const minShare = Number(values['min-share']);
  const taus = values.taus.split(',').map(Number);
  const deltas = values.deltas.split(',').map(Number);
  const labels = ['as is', ...taus.map((t) => `gate ${t}`), ...deltas.map((d) => `gate best - ${d}`)];
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const scores = new RuleScores(labels);
  const name = (i: number) => `${String(i).padStart(5, '0')}.png`;
  for (const seq of seqs) {
    if (!(await fs.stat(path.join(values.soft, seq)).catch(() => null))) continue;
    const frames = await listFrames(values.davis, seq);
    const f0 = await readFrame(values.davis, seq, frames[0]!);
    const w = f0.width;
    const h = f0.height;
    const llr = colourModel(f0.data, await readGroundTruth(values.davis, seq, frames[0]!), bins);
    for (let i = 1; i < frames.length - 1; i++) {
      if (i % step !== 0) continue;
      const file = path.join(values.soft, seq, name(i));
      if (!(await fs.stat(file).catch(() => null))) continue;
      const gt = await readGroundTruth(values.davis, seq, frames[i]!);
      const rgb = (await readFrame(values.davis, seq, frames[i]!)).data;
      const soft = (await readSoftMap(file, w, h)).data;
      const bin = Uint8Array.from(soft, (v) => (v >= 0.5 ? 1 : 0));
      const outs = [
        bin,
        ...taus.map((t) =>
          gate(bin, rgb, llr, w, h, bins, t, minShare, values['show-pieces'] && t === taus[0], false),
        ),
        ...deltas.map((d) => gate(bin, rgb, llr, w, h, bins, d, minShare, false, true)),
      ];
      scores.add(outs, gt, w, h);
    }
    scores.endSequence(seq);
  }
  scores.printSummary(`every ${step}th frame, threshold 0.5, no finishing, ${bins}³ colour bins`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
