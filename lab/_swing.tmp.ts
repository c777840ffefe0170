import path from 'node:path';
import { jaccard, planPieceTrack, labelComponents, trackedMask, makeFloatMatte } from '@oneshot-roto/core';
import { listFrames, readGroundTruth, readSoftMap } from './snapping-data';
(async () => {
  const davis = '../shared/davis2016-holdout'; const seq = process.argv[2]!; const soft = '/work/snap5/.bench/fast-every/soft';
  const frames = await listFrames(davis, seq);
  const w = 854; const gt0 = await readGroundTruth(davis, seq, frames[0]!); const h = gt0.length / w;
  const idx = frames.map((_, i) => i).slice(0, -1);
  const read = async (i: number) => (await readSoftMap(path.join(soft, seq, `${String(i).padStart(5, '0')}.png`), w, h));
  const plan = await planPieceTrack({ frames: idx, annotated: [0], width: w, height: h, readMask: async (i) => i === 0 ? gt0 : trackedMask(await read(i), 0.5) });
  for (const i of idx.slice(1)) {
    const gt = await readGroundTruth(davis, seq, frames[i]!);
    const s = await read(i);
    const a = trackedMask(s, 0.5); const b = trackedMask(plan.apply(i, s), 0.5);
    const c = labelComponents(a, w, h, 1, 8);
    const big = c.areas.filter((x) => x > 200).length;
    let gtA = 0; for (const v of gt) gtA += v;
    console.log(i, jaccard(a, gt, w, h).toFixed(3), jaccard(b, gt, w, h).toFixed(3), 'pieces>200:', big, 'cut', plan.cutArea(i), 'gt', gtA);
  }
})();
