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
 *   npx tsx lab/piece-tracking.ts --soft DIR [--davis DIR] [--step 4] [--seqs a,b] [--radii 8,16,32]
 *        [--scales 0,0.1] [--min-kept 0,0.3] [--modes pieces,pixels]
 *
 * DIR holds `<seq>/<frame index>.png` soft maps as `eval --soft-out` writes them; frame 0 is the
 * annotated frame and its ground truth the annotation. Radii are pixels of motion per frame and
 * are multiplied by `--step` (motion between stored frames grows with the step); `--scales` also
 * allows that share of the previous kept mask's equivalent diameter per frame (a large object
 * moves more pixels); `--min-kept` keeps the whole mask when the kept part is under that share
 * of the previous kept area (the track followed a wrong piece). Every combination is scored.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_PIECE_TRACK,
  keepNearPieces,
  makeFloatMatte,
  planPieceTrack,
  squaredDistanceTo,
} from '@oneshot-roto/core';
import { RuleScores } from './rule-scores';
import { listFrames, listSequences, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { promises as fs } from 'node:fs';
import path from 'node:path';

type Mode = 'pieces' | 'pixels';

interface Rule {
  mode: Mode;
  /** Pixels per frame of motion (times the step between stored frames). */
  r: number;
  /** Also allow this fraction of the previous kept mask's equivalent diameter per frame. */
  scale: number;
  /** Keep the whole mask when the kept part is under this share of the previous kept area. */
  minKept: number;
}

function areaOf(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

/** The mask's pixels within `r` of `previous`. */
function keepNearPixels(mask: Uint8Array, previous: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const d2 = squaredDistanceTo(previous, w, h, 1);
  return mask.map((v, i) => (v && d2[i]! <= r * r ? 1 : 0));
}

function track(
  mask: Uint8Array,
  previous: Uint8Array,
  w: number,
  h: number,
  rule: Rule,
  step: number,
): Uint8Array {
  const prevArea = areaOf(previous);
  // The lab's own guard is `minKept` below; the product's (minKeptShare) stays off here.
  const out =
    rule.mode === 'pixels'
      ? keepNearPixels(
          mask,
          previous,
          w,
          h,
          step * Math.max(rule.r, rule.scale * Math.sqrt((4 * prevArea) / Math.PI)),
        )
      : keepNearPieces(mask, previous, w, h, step, {
          pixelsPerFrame: rule.r,
          diameterShare: rule.scale,
          minKeptShare: 0,
        });
  const kept = areaOf(out);
  return kept === 0 || kept < rule.minKept * prevArea ? mask : out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      step: { type: 'string', default: '4' },
      seqs: { type: 'string' },
      radii: { type: 'string', default: '8,16,32' },
      scales: { type: 'string', default: '0' },
      'min-kept': { type: 'string', default: '0' },
      modes: { type: 'string', default: 'pieces,pixels' },
      // The product's planner with these minKeptShare values (of the largest kept area so far).
      'plan-min-kept': { type: 'string', default: '0' },
    },
  });
  if (!values.soft) throw new Error('--soft DIR is required');
  const step = Number(values.step);
  const radii = values.radii.split(',').map(Number);
  const scales = values.scales.split(',').map(Number);
  const minKepts = values['min-kept'].split(',').map(Number);
  const modes = values.modes.split(',') as Mode[];
  const planMinKept = values['plan-min-kept'].split(',').map(Number);
  const rules: Rule[] = radii.flatMap((r) =>
    scales.flatMap((scale) =>
      minKepts.flatMap((minKept) => modes.map((mode) => ({ r, scale, minKept, mode }))),
    ),
  );
  const labels = [
    'as is',
    ...rules.map(
      (x) =>
        `${x.mode} ${x.r}/frame` +
        (x.scale > 0 ? ` or ${x.scale} of its diameter` : '') +
        (x.minKept > 0 ? `, whole mask under ${x.minKept} kept` : ''),
    ),
    ...planMinKept.map(
      (m) =>
        `product: planPieceTrack, ${DEFAULT_PIECE_TRACK.pixelsPerFrame}/frame or ${DEFAULT_PIECE_TRACK.diameterShare} of its diameter` +
        (m > 0 ? `, whole mask under ${m} of the largest kept` : ''),
    ),
  ];
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const scores = new RuleScores(labels);
  const name = (i: number) => `${String(i).padStart(5, '0')}.png`;
  for (const seq of seqs) {
    if (!(await fs.stat(path.join(values.soft, seq)).catch(() => null))) continue;
    const frames = await listFrames(values.davis, seq);
    const gt0 = await readGroundTruth(values.davis, seq, frames[0]!);
    const w = 854;
    const h = gt0.length / w;
    const stored: number[] = [];
    for (let i = step; i < frames.length - 1; i += step) {
      if (await fs.stat(path.join(values.soft, seq, name(i))).catch(() => null)) stored.push(i);
    }
    const readBinary = async (i: number) =>
      Uint8Array.from((await readSoftMap(path.join(values.soft!, seq, name(i)), w, h)).data, (v) =>
        v >= 0.5 ? 1 : 0,
      );
    // The product's planner over the same frames, from the annotation on frame 0.
    const plans = await Promise.all(
      planMinKept.map((minKeptShare) =>
        planPieceTrack(
          {
            frames: [0, ...stored],
            annotated: [0],
            width: w,
            height: h,
            readMask: (i) => (i === 0 ? Promise.resolve(gt0) : readBinary(i)),
          },
          { minKeptShare },
        ),
      ),
    );
    let kept = rules.map(() => gt0);
    for (const i of stored) {
      const gt = await readGroundTruth(values.davis, seq, frames[i]!);
      const soft = (await readSoftMap(path.join(values.soft, seq, name(i)), w, h)).data;
      const bin = Uint8Array.from(soft, (v) => (v >= 0.5 ? 1 : 0));
      kept = rules.map((x, k) => track(bin, kept[k]!, w, h, x, step));
      const planned = plans.map((plan) =>
        Uint8Array.from(plan.apply(i, makeFloatMatte(soft, w, h)).data, (v) => (v >= 0.5 ? 1 : 0)),
      );
      scores.add([bin, ...kept, ...planned], gt, w, h);
    }
    scores.endSequence(seq);
  }
  scores.printSummary(`every ${step}th frame, threshold 0.5, no finishing`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
