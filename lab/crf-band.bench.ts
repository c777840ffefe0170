/**
 * The dense CRF's mean field on the uncertain band only (the default) against every pixel
 * (`everyPixel`), on a DAVIS frame and its stored soft map upscaled with sharp to larger frames,
 * with the frame-size-scaled parameters the pipeline uses. Milliseconds (median of --runs, the two
 * interleaved) and how many pixels the two label differently.
 *
 *   npx tsx lab/crf-band.bench.ts --soft .bench/st-base/soft --seq bus --frame 00040
 *        [--sizes 854x480,1920x1080,3840x2160] [--runs 3] [--davis ../shared/davis2016-train]
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { denseCrf, scaledSnapParams, binarize, SNAP_PROTECT_AREA, resizeSoftMap } from '@oneshot-roto/core';
import { median, readFrame, readSoftMap, upscaleFrame } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seq: { type: 'string' },
      frame: { type: 'string' },
      sizes: { type: 'string', default: '854x480,1920x1080,3840x2160' },
      runs: { type: 'string', default: '3' },
    },
  });
  if (!values.soft || !values.seq || !values.frame)
    throw new Error('--soft DIR --seq NAME --frame NNNNN are required');
  const small = await readFrame(values.davis, values.seq, values.frame);
  const map = await readSoftMap(
    path.join(values.soft, values.seq, `${values.frame}.png`),
    small.width,
    small.height,
  );
  console.log(
    '| frame | every pixel, ms | band only, ms | ratio | labels differing |\n|---|---|---|---|---|',
  );
  for (const size of values.sizes.split(',')) {
    const [W, H] = size.split('x').map(Number) as [number, number];
    const frame = await upscaleFrame(small, W, H);
    const soft = await resizeSoftMap(map, W, H);
    const params = scaledSnapParams(W, H, SNAP_PROTECT_AREA).crf;
    const ms = { every: [] as number[], band: [] as number[] };
    const labels: Record<'every' | 'band', Uint8Array> = { every: new Uint8Array(), band: new Uint8Array() };
    for (let r = 0; r < Number(values.runs); r++)
      for (const mode of ['every', 'band'] as const) {
        const t0 = performance.now();
        const out = denseCrf(soft, frame, { ...params, everyPixel: mode === 'every' });
        ms[mode].push(performance.now() - t0);
        labels[mode] = binarize(out, 0.5);
      }
    let differ = 0;
    for (let i = 0; i < labels.band.length; i++) if (labels.band[i] !== labels.every[i]) differ++;
    const every = median(ms.every);
    const band = median(ms.band);
    console.log(
      `| ${W}×${H} | ${every.toFixed(0)} | ${band.toFixed(0)} | ${(band / every).toFixed(2)} | ${differ} of ${W * H} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
