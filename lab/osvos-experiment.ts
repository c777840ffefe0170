/**
 * Quick experiment: parent-only vs one-shot J on a few DAVIS sequences (every Nth frame).
 * Usage: npx tsx lab/osvos-experiment.ts --davis ../shared/davis2016-train
 *        --sequences bear,boat --preset fast [--step 5] [--iterations N] [--resolution R] [--trainable decoder]
 */
import { parseArgs } from 'node:util';
import {
  SegmentationModel,
  listDavisSequences,
  loadDavisSequence,
  annotationPath,
  framePath,
  jaccard,
  decodeRgbImage,
  readMask,
  fineTune,
  buildFineTunedModel,
  resolveSettings,
  type FineTuneLoss,
  type PresetName,
  type TrainableDepth,
} from '@oneshot-roto/core';
import { encodeModel } from '@oneshot-roto/onnx-train';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main() {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      sequences: { type: 'string' },
      preset: { type: 'string', default: 'fast' },
      step: { type: 'string', default: '5' },
      iterations: { type: 'string' },
      resolution: { type: 'string' },
      trainable: { type: 'string' },
      lr: { type: 'string' },
      aug: { type: 'string' },
      side: { type: 'string' },
      parent: { type: 'boolean', default: false },
      'parent-only': { type: 'boolean', default: false },
      seed: { type: 'string' },
      balance: { type: 'string' },
      flip: { type: 'boolean', default: false },
      threshold: { type: 'string' },
    },
  });
  const settings = resolveSettings(values.preset as PresetName, {
    iterations: values.iterations ? Number(values.iterations) : undefined,
    resolution: values.resolution ? Number(values.resolution) : undefined,
    trainable: values.trainable as TrainableDepth | undefined,
    learningRate: values.lr ? Number(values.lr) : undefined,
    augmentationsPerAnnotation: values.aug ? Number(values.aug) : undefined,
    sideOutputWeight: values.side ? Number(values.side) : undefined,
    timeBudgetSeconds: 1e9,
    threshold: values.threshold ? Number(values.threshold) : undefined,
    loss: values.balance as FineTuneLoss | undefined,
    testTimeFlip: values.flip,
  });
  console.log(JSON.stringify(settings));
  const seqs = await listDavisSequences(values.davis, { sequences: values.sequences?.split(',') });
  const step = Number(values.step);
  // The parent's J is optional: it doubles the inference time of a sweep.
  const parent = values.parent
    ? await SegmentationModel.load({ resolution: settings.resolution })
    : undefined;
  const rows: string[] = [];
  let sumP = 0;
  let sumF = 0;
  for (const name of seqs) {
    const seq = await loadDavisSequence(values.davis, name);
    const first = await decodeRgbImage(framePath(seq, seq.frameNames[0]!));
    const gt0 = await readMask(annotationPath(seq, seq.frameNames[0]!));
    const t0 = performance.now();
    // --parent-only: the "one-shot" column is the parent itself (zero-shot J at this resolution).
    const ft = values['parent-only']
      ? undefined
      : await fineTune({
          frames: new Map([[0, first]]),
          annotations: [{ frameIndex: 0, mask: gt0.data, width: gt0.width, height: gt0.height }],
          settings,
          seed: values.seed ? Number(values.seed) : undefined,
        });
    const ftSeconds = (performance.now() - t0) / 1000;
    const tuned = ft
      ? await SegmentationModel.load({
          modelBytes: encodeModel(await buildFineTunedModel(ft.weights)),
          testTimeFlip: settings.testTimeFlip,
        })
      : await SegmentationModel.load({
          resolution: settings.resolution,
          testTimeFlip: settings.testTimeFlip,
        });
    let jp = 0;
    let jf = 0;
    let n = 0;
    for (let i = 1; i < seq.frameNames.length - 1; i += step) {
      const frame = await decodeRgbImage(framePath(seq, seq.frameNames[i]!));
      const gt = await readMask(annotationPath(seq, seq.frameNames[i]!));
      const bin = (p: Float32Array) => Uint8Array.from(p, (v) => (v >= settings.threshold ? 1 : 0));
      if (parent) jp += jaccard(bin(await parent.predict(frame)), gt.data, gt.width, gt.height);
      const soft = await tuned.predict(frame);
      jf += jaccard(bin(soft), gt.data, gt.width, gt.height);
      n++;
    }
    await tuned.dispose();
    sumP += jp / n;
    sumF += jf / n;
    const row =
      `${seq.name.padEnd(16)} parent J ${(jp / n).toFixed(3)}  one-shot J ${(jf / n).toFixed(3)}  ` +
      (ft
        ? `ft ${ftSeconds.toFixed(1)} s, ${ft.iterations} it (${ft.stoppedBy}), loss ${ft.finalLoss.toFixed(4)}`
        : 'parent only');
    console.log(row);
    rows.push(row);
  }
  console.log(
    `MEAN parent J ${(sumP / seqs.length).toFixed(3)}  one-shot J ${(sumF / seqs.length).toFixed(3)}`,
  );
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
