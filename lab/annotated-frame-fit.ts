/**
 * How well saved fine-tuned weights fit given frames, by default the annotated frame 0 itself:
 * the product's map (training size, flip, zoom pass; no finishing) binarised at the weights'
 * threshold, J against the DAVIS ground truth. Tells a fine-tune that does not learn its own
 * annotation from one that learns it and fails elsewhere (BENCHMARKS.md, "Training the whole
 * decoder at 768²").
 *
 *   npx tsx lab/annotated-frame-fit.ts --weights-dir .bench/res-best
 *        [--sequences a,b] [--frames 00000,00020] [--davis ../shared/davis2016-train]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  listDavisSequences,
  jaccard,
  binarize,
  makeFloatMatte,
  loadFineTunedModel,
  readWeights,
} from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { readFrame, readGroundTruth } from './snapping-data';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      'weights-dir': { type: 'string' },
      sequences: { type: 'string' },
      frames: { type: 'string', default: '00000' },
    },
  });
  if (!values['weights-dir']) throw new Error('--weights-dir DIR (with <seq>.weights) is required');
  const frames = values.frames.split(',').filter(Boolean);
  const seqs = await listDavisSequences(values.davis, {
    sequences: values.sequences?.split(',').filter(Boolean),
  });
  for (const seq of seqs) {
    const weights = await readWeights(path.join(values['weights-dir'], `${seq}.weights`));
    const model = await loadFineTunedModel(weights, {});
    const scores: string[] = [];
    for (const name of frames) {
      const frame = await readFrame(values.davis, seq, name);
      const gt = await readGroundTruth(values.davis, seq, name);
      const map = makeFloatMatte(await model.predict(frame), frame.width, frame.height);
      scores.push(
        `${name} J ${jaccard(binarize(map, weights.threshold), gt, frame.width, frame.height).toFixed(3)}`,
      );
    }
    await model.dispose();
    console.log(`${seq.padEnd(16)} ${scores.join('  ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
