/**
 * Per-frame time of an ensemble's two ways to segment: one graph that shares the frozen encoder
 * (what `loadFineTunedModel` builds) against each network run whole and the maps averaged —
 * alternating frame by frame in one run, medians, and the largest difference between the maps.
 *
 *   npx tsx lab/ensemble-speed.bench.ts --weights .bench/res-ens/dog-agility.weights
 *        --frames ../shared/davis2016-train/JPEGImages/480p/dog-agility [--count 8]
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadFineTunedModel, readWeights, decodeRgbImage } from '@oneshot-roto/core';
import { median } from './timing-stats';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      weights: { type: 'string' },
      frames: { type: 'string' },
      count: { type: 'string', default: '8' },
    },
  });
  if (!values.weights || !values.frames) throw new Error('--weights FILE and --frames DIR are required');
  const w = await readWeights(values.weights);
  if (w.ensemble.length === 0) throw new Error(`${values.weights} holds one network, not an ensemble`);
  const shared = await loadFineTunedModel(w, {});
  const whole = [
    await loadFineTunedModel({ ...w, ensemble: [] }, {}),
    ...(await Promise.all(
      w.ensemble.map((m) => loadFineTunedModel({ ...w, parameters: m.parameters, ensemble: [] }, {})),
    )),
  ];
  const files = (await fs.readdir(values.frames)).sort().slice(0, Number(values.count));
  const tShared: number[] = [];
  const tWhole: number[] = [];
  let maxDiff = 0;
  for (const f of files) {
    const frame = await decodeRgbImage(path.join(values.frames, f));
    let t = performance.now();
    const a = await shared.predict(frame);
    tShared.push(performance.now() - t);
    t = performance.now();
    const maps = [];
    for (const m of whole) maps.push(await m.predict(frame));
    tWhole.push(performance.now() - t);
    for (let i = 0; i < a.length; i++) {
      const mean = maps.reduce((s, p) => s + p[i]!, 0) / maps.length;
      maxDiff = Math.max(maxDiff, Math.abs(a[i]! - mean));
    }
  }
  console.log(
    `${w.ensemble.length + 1} networks at ${w.resolution}², test-time flip ${w.testTimeFlip}, ${files.length} frames: ` +
      `shared encoder ${median(tShared).toFixed(0)} ms, whole networks ${median(tWhole).toFixed(0)} ms per frame (median), ` +
      `ratio ${(median(tShared) / median(tWhole)).toFixed(2)}; largest map difference ${maxDiff.toExponential(1)}`,
  );
  await Promise.all([shared, ...whole].map((m) => m.dispose()));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
