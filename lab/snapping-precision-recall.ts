/**
 * Per-frame boundary precision and recall (DAVIS F's two halves) of a soft map thresholded as is
 * and after guided-filter snapping: shows whether snapping loses F by adding boundary where there
 * is none (precision) or by smoothing away boundary the ground truth has (recall).
 *
 *   npx tsx lab/snapping-precision-recall.ts --soft DIR --seq NAME [--stride 5] [--davis DIR]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boundaryScore, binarize, snapSoftMap } from '@oneshot-roto/core';
import { listFrames, readFrame, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      soft: { type: 'string' },
      seq: { type: 'string' },
      stride: { type: 'string', default: '5' },
    },
  });
  if (!values.soft || !values.seq) throw new Error('--soft DIR and --seq NAME are required');
  const stride = Number(values.stride);
  const frames = (await listFrames(values.davis, values.seq)).slice(1, -1).filter((_, i) => i % stride === 0);
  console.log('| frame | F none | F guided | precision none → guided | recall none → guided |');
  console.log('|---|---|---|---|---|');
  for (const name of frames) {
    const frame = await readFrame(values.davis, values.seq, name);
    const gt = await readGroundTruth(values.davis, values.seq, name);
    const soft = await readSoftMap(
      path.join(values.soft, values.seq, `${name}.png`),
      frame.width,
      frame.height,
    );
    const a = boundaryScore(binarize(soft, 0.5), gt, frame.width, frame.height);
    const b = boundaryScore(binarize(snapSoftMap(soft, frame, 'guided'), 0.5), gt, frame.width, frame.height);
    console.log(
      `| ${name} | ${a.f.toFixed(3)} | ${b.f.toFixed(3)} | ${a.precision.toFixed(3)} → ${b.precision.toFixed(3)} | ${a.recall.toFixed(3)} → ${b.recall.toFixed(3)} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
