/**
 * Edge snapping on footage larger than DAVIS: a DAVIS frame and its stored soft map upscaled
 * (sharp, bilinear) to 1080p and 4K, snapped with the frame-size-scaled parameters the pipeline
 * uses (matte/frame-scale.ts) and with the 480p-tuned ones as they were. Reports milliseconds
 * (median of --runs, the two interleaved) and how many pixels of each result, sampled back at 480p,
 * are labelled unlike the 480p frame's own snap.
 *
 *   npx tsx lab/snap-scale.bench.ts --soft .bench/soft-best --seq mallard-fly --frame 00030
 *        [--method crf|guided|bilateral] [--runs 3] [--davis ../shared/davis2016-train]
 */
import { parseArgs } from 'node:util';
import {
  bilateralGridSolve,
  denseCrf,
  guidedFilter,
  binarize,
  type FloatMatte,
  protectSmallComponents,
  snapSoftMap,
  SNAP_PROTECT_AREA,
  resizeSoftMap,
  type RgbFrame,
} from '@oneshot-roto/core';
import { median, readFrame, readSoftMap, upscaleFrame } from './snapping-data';
import path from 'node:path';
import { DEFAULT_DAVIS_DIR } from './davis-location';

type Method = 'crf' | 'guided' | 'bilateral';

/** The snap as it was before frame-size scaling: 480p-tuned defaults at every size. */
function unscaled(soft: FloatMatte, frame: RgbFrame, method: Method): FloatMatte {
  const snapped =
    method === 'crf'
      ? denseCrf(soft, frame)
      : method === 'guided'
        ? guidedFilter(soft, frame)
        : bilateralGridSolve(soft, frame);
  return protectSmallComponents(soft, snapped, 0.5, SNAP_PROTECT_AREA);
}

/** 480p pixels whose label differs from the large map's at the same place. */
function disagreement(small: FloatMatte, large: FloatMatte): number {
  const a = binarize(small, 0.5);
  const b = binarize(large, 0.5);
  let differ = 0;
  for (let y = 0; y < small.height; y++)
    for (let x = 0; x < small.width; x++) {
      const X = Math.floor(((x + 0.5) * large.width) / small.width);
      const Y = Math.floor(((y + 0.5) * large.height) / small.height);
      if (a[y * small.width + x] !== b[Y * large.width + X]) differ++;
    }
  return differ;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seq: { type: 'string', default: 'mallard-fly' },
      frame: { type: 'string', default: '00030' },
      method: { type: 'string', default: 'crf' },
      runs: { type: 'string', default: '3' },
    },
  });
  if (!values.soft) throw new Error('--soft <dir of <seq>/<frame>.png soft maps> is required');
  const method = values.method as Method;
  if (!['crf', 'guided', 'bilateral'].includes(method)) throw new Error('--method crf|guided|bilateral');
  const frame = await readFrame(values.davis, values.seq, values.frame);
  const soft = await readSoftMap(
    path.join(values.soft, values.seq, `${values.frame}.png`),
    frame.width,
    frame.height,
  );
  const reference = snapSoftMap(soft, frame, method);
  console.log(
    `| frame | parameters | ms (median of ${values.runs}) | 480p pixels labelled unlike the 480p snap |\n|---|---|---|---|`,
  );
  for (const [w, h] of [
    [1920, 1080],
    [3840, 2160],
  ] as const) {
    const big = await upscaleFrame(frame, w, h);
    const bigSoft = await resizeSoftMap(soft, w, h);
    const times = { scaled: [] as number[], unscaled: [] as number[] };
    const results: Partial<Record<keyof typeof times, FloatMatte>> = {};
    for (let r = 0; r < Number(values.runs); r++)
      for (const kind of ['scaled', 'unscaled'] as const) {
        const t = performance.now();
        results[kind] =
          kind === 'scaled' ? snapSoftMap(bigSoft, big, method) : unscaled(bigSoft, big, method);
        times[kind].push(performance.now() - t);
      }
    for (const kind of ['scaled', 'unscaled'] as const)
      console.log(
        `| ${w}×${h} | ${kind} | ${median(times[kind]).toFixed(0)} | ${disagreement(reference, results[kind]!)} |`,
      );
    console.log(`| ${w}×${h} | no snap | – | ${disagreement(reference, bigSoft)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
