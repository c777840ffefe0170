/**
 * How much could a per-sequence or per-frame threshold give over the fixed one, once the matte is
 * finished as the product finishes it (matte/pipeline.ts `processFrame`: stray islands, edge snap,
 * threshold, fills)? Scores the finished matte at each threshold and prints J / F (DAVIS measures,
 * frames 1…n−2, every --stride-th; mean per sequence, then over sequences) for: each fixed
 * threshold; the best threshold per sequence and per frame chosen with the ground truth (upper
 * bounds, not methods); and a rule that needs no ground truth — per frame, the threshold where
 * the thresholded soft map's area changes least between its neighbouring thresholds (the level
 * at the map's steepest edge), searched within a window about 0.5.
 *
 *   nice npx tsx lab/threshold-choice.ts --soft .bench/soft --stride 4
 *        [--davis ../shared/davis2016-train] [--seqs a,b]
 *
 * `--soft a,b` averages the soft maps of several runs first (as finishing-sweep.ts does).
 */
import { parseArgs } from 'node:util';
import { boundaryF, jaccard, binarize, processFrame } from '@oneshot-roto/core';
import { listFrames, listSequences, readAveragedSoftMap, readFrame, readGroundTruth } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

const THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
const STABLE_WINDOWS: [number, number][] = [
  [0.35, 0.65],
  [0.4, 0.6],
];

/** One scored frame: per threshold, J and F of the finished matte and the raw map's area. */
interface FrameScores {
  seq: string;
  J: number[];
  F: number[];
  rawArea: number[];
}

type Choice = (f: FrameScores) => number;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seqs: { type: 'string' },
      stride: { type: 'string', default: '4' },
    },
  });
  if (!values.soft)
    throw new Error('--soft DIR[,DIR…] (soft maps as `eval --soft-out` writes them) is required');
  const stride = Number(values.stride);
  if (!Number.isInteger(stride) || stride < 1)
    throw new Error(`--stride expects a positive integer, got ${values.stride}`);
  const dirs = values.soft.split(',');
  const davis = values.davis;
  const seqs = values.seqs ? values.seqs.split(',') : await listSequences(davis);
  const frames: FrameScores[] = [];
  for (const seq of seqs) {
    const names = (await listFrames(davis, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
    for (const name of names) {
      const frame = await readFrame(davis, seq, name);
      const gt = await readGroundTruth(davis, seq, name);
      const { width, height } = frame;
      const soft = await readAveragedSoftMap(dirs, seq, name, width, height);
      const scores: FrameScores = { seq, J: [], F: [], rawArea: [] };
      for (const t of THRESHOLDS) {
        const mask = binarize(processFrame(soft, frame, { threshold: t }), 0.5);
        scores.J.push(jaccard(mask, gt, width, height));
        scores.F.push(boundaryF(mask, gt, width, height));
        scores.rawArea.push(soft.data.reduce((a, v) => a + (v >= t ? 1 : 0), 0));
      }
      frames.push(scores);
    }
  }

  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const report = (label: string, choose: Choice): void => {
    const perSeq = seqs.map((s) => {
      const fs = frames.filter((f) => f.seq === s);
      return { s, J: mean(fs.map((f) => f.J[choose(f)]!)), F: mean(fs.map((f) => f.F[choose(f)]!)) };
    });
    const cells = perSeq.map((p) => `${p.s.slice(0, 8)} ${(100 * p.J).toFixed(1)}`).join('  ');
    console.log(
      `${label.padEnd(30)} J ${(100 * mean(perSeq.map((p) => p.J))).toFixed(2)}  F ${(100 * mean(perSeq.map((p) => p.F))).toFixed(2)}   ${cells}`,
    );
  };
  const argmax = (xs: number[]): number => xs.indexOf(Math.max(...xs));

  THRESHOLDS.forEach((t, k) => report(`fixed ${t}`, () => k));
  const bestPerSeq = new Map(
    seqs.map((s) => {
      const fs = frames.filter((f) => f.seq === s);
      return [s, argmax(THRESHOLDS.map((_, k) => mean(fs.map((f) => f.J[k]!))))];
    }),
  );
  report('per-sequence best (uses GT)', (f) => bestPerSeq.get(f.seq)!);
  report('per-frame best (uses GT)', (f) => argmax(f.J));
  for (const [lo, hi] of STABLE_WINDOWS) {
    report(`stable area ${lo}–${hi}`, (f) => {
      const candidates = THRESHOLDS.map((t, k) => ({ t, k })).filter(
        ({ t, k }) => t >= lo && t <= hi && k > 0 && k < THRESHOLDS.length - 1,
      );
      // Relative area change across the neighbours; ties go to the threshold nearer 0.5.
      const change = (k: number): number =>
        Math.abs(f.rawArea[k + 1]! - f.rawArea[k - 1]!) / Math.max(f.rawArea[k]!, 1);
      candidates.sort((a, b) => change(a.k) - change(b.k) || Math.abs(a.t - 0.5) - Math.abs(b.t - 0.5));
      return candidates[0]!.k;
    });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
