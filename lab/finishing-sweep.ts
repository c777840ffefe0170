/**
 * The product's matte pipeline (matte/pipeline.ts `processFrame`: stray islands, edge snap,
 * threshold and the matte controls) on stored soft maps, once per set of matte options, scored
 * with the DAVIS measures: what `segment`/`eval` would give with those options, without running
 * the networks again.
 *
 *   npx tsx lab/finishing-sweep.ts --soft DIR[,DIR2] --variant "choke=1"
 *        [--variant "choke=2,edgeSnap=none" …] [--stride 1 | --frame-step 4] [--seqs a,b] [--davis DIR]
 *
 * Each --variant overrides the default matte options (numbers, booleans, edge-snap names); the
 * defaults themselves always run first. `--soft a,b` averages several runs' maps (an ensemble).
 * A variant with `pieceTrack=true` tracks the scored frames' pieces from frame 0's annotation
 * (its ground truth) as `eval` does (matte/piece-track.ts `planPieceTrack`) before finishing;
 * `trackMinKept=<share>` in it sets the track's minKeptShare.
 */
import { parseArgs } from 'node:util';
import {
  boundaryF,
  jaccard,
  binarize,
  DEFAULT_MATTE_OPTIONS,
  resolveMatteOptions,
  type MatteOptions,
  planSoftMapTrack,
  makeFloatMatte,
  processFrame,
  type FloatMatte,
  type PieceTrack,
} from '@oneshot-roto/core';
import { listFrames, listSequences, readAveragedSoftMap, readFrame, readGroundTruth } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

interface Variant {
  label: string;
  options: Partial<MatteOptions>;
  /** The piece track's minKeptShare (`trackMinKept=<x>` in a variant; default the product's). */
  trackMinKept?: number;
}

function parseVariant(spec: string): Variant {
  const out: Record<string, unknown> = {};
  let trackMinKept: number | undefined;
  for (const kv of spec.split(',')) {
    const [key, value] = kv.split('=');
    if (key === 'trackMinKept') {
      trackMinKept = Number(value);
      continue;
    }
    if (!key || value === undefined || !(key in DEFAULT_MATTE_OPTIONS))
      throw new Error(`--variant "${spec}": "${kv}" is not <matte option>=<value>`);
    out[key] =
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : Number.isNaN(Number(value))
            ? value
            : Number(value);
  }
  resolveMatteOptions(out); // a bad value fails here, before hours of work
  return { label: spec, options: out, ...(trackMinKept !== undefined ? { trackMinKept } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      variant: { type: 'string', multiple: true, default: [] },
      stride: { type: 'string', default: '1' },
      // The frames `eval --frame-step N` scores (4, 8, … of 1…n−2), for its --soft-out maps.
      'frame-step': { type: 'string' },
      seqs: { type: 'string' },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps>[,<dir>…] is required');
  const softDirs = values.soft.split(',');
  const variants: Variant[] = [{ label: 'defaults', options: {} }, ...values.variant.map(parseVariant)];
  const stride = Number(values.stride);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const totals = variants.map(() => ({ J: 0, F: 0, falsePositive: 0, falseNegative: 0 }));
  for (const seq of seqs) {
    const all = await listFrames(values.davis, seq);
    const step = Number(values['frame-step'] ?? 0);
    const frames =
      step > 0
        ? all.filter((_, i) => i > 0 && i < all.length - 1 && i % step === 0)
        : all.slice(1, -1).filter((_, i) => i % stride === 0);
    const per = variants.map(() => ({ J: 0, F: 0 }));
    const gt0 = await readGroundTruth(values.davis, seq, all[0]!);
    const { width: w, height: h } = await readFrame(values.davis, seq, all[0]!);
    const softOf = (i: number): Promise<FloatMatte> => readAveragedSoftMap(softDirs, seq, all[i]!, w, h);
    const tracks = await Promise.all(
      variants.map(async (v): Promise<PieceTrack | undefined> => {
        if (!v.options.pieceTrack) return undefined;
        const threshold = resolveMatteOptions(v.options).threshold;
        // Frame 0's mask is its annotation (the ground truth, definite everywhere).
        const blank = makeFloatMatte(new Float32Array(w * h), w, h);
        return planSoftMapTrack(
          {
            frames: [0, ...frames.map((n) => all.indexOf(n))],
            annotations: new Map([[0, gt0]]),
            width: w,
            height: h,
            threshold,
            readSoft: (i) => (i === 0 ? Promise.resolve(blank) : softOf(i)),
          },
          v.trackMinKept !== undefined ? { minKeptShare: v.trackMinKept } : {},
        );
      }),
    );
    for (const name of frames) {
      const frame = await readFrame(values.davis, seq, name);
      const gt = await readGroundTruth(values.davis, seq, name);
      const { width, height } = frame;
      const soft = await readAveragedSoftMap(softDirs, seq, name, width, height);
      variants.forEach((v, k) => {
        const track = tracks[k];
        const tracked = track ? track.apply(all.indexOf(name), soft) : soft;
        const mask = binarize(processFrame(tracked, frame, v.options), 0.5);
        per[k]!.J += jaccard(mask, gt, width, height);
        per[k]!.F += boundaryF(mask, gt, width, height);
        for (let i = 0; i < mask.length; i++) {
          if (mask[i] && !gt[i]) totals[k]!.falsePositive++;
          else if (!mask[i] && gt[i]) totals[k]!.falseNegative++;
        }
      });
    }
    const cells = per.map((p) => `${(p.J / frames.length).toFixed(3)}/${(p.F / frames.length).toFixed(3)}`);
    console.log(`${seq.padEnd(16)} ${cells.join('  ')}`);
    per.forEach((p, k) => {
      totals[k]!.J += p.J / frames.length;
      totals[k]!.F += p.F / frames.length;
    });
  }
  // False positives against false negatives (pixels, all frames): which way the masks err.
  console.log(
    '| matte options | J mean | F mean | false-positive : false-negative pixels |\n|---|---|---|---|',
  );
  variants.forEach((v, k) => {
    const t = totals[k]!;
    console.log(
      `| ${v.label} | ${((100 * t.J) / seqs.length).toFixed(2)} | ${((100 * t.F) / seqs.length).toFixed(2)} | ` +
        `${t.falsePositive} : ${t.falseNegative} (${(t.falsePositive / Math.max(1, t.falseNegative)).toFixed(2)}) |`,
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
