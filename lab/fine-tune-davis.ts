/**
 * Fine-tunes a preset on frame 0 of each DAVIS sequence and saves `<out>/<seq>.weights`, exactly
 * the files `eval --results-out` leaves, without segmenting: `eval --reuse-weights <out>` (or any
 * weights-based bench) then segments them, so segmentation-time options can be compared on the
 * same networks. Sequences whose weights are already there are skipped.
 *
 *   nice npx tsx lab/fine-tune-davis.ts --out .bench/res-best
 *        [--davis ../shared/davis2016-train] [--sequences a,b] [--preset best] [--time-budget 100000]
 *        [--trainable decoder] [--loss sqrt-balanced] [--augmented-views 16]
 *        [--ensemble-views none|32,...]
 *
 * `--time-budget` overrides the preset's wall-clock budget (seconds): on a loaded or slow machine
 * the budget would cut fine-tunes that the plateau rule or the step cap ends on an idle one.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMethodOptions } from '@oneshot-roto/companion-server';
import {
  annotationPath,
  listDavisSequences,
  loadDavisSequence,
  fineTuneOnClip,
  readAnnotatedFrames,
  readWeights,
  writeWeights,
  openFrameSource,
  readMask,
} from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      sequences: { type: 'string' },
      preset: { type: 'string', default: 'best' },
      'time-budget': { type: 'string' },
      trainable: { type: 'string' },
      loss: { type: 'string' },
      'augmented-views': { type: 'string' },
      'ensemble-views': { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out DIR is required');
  // The CLI's own flag parsing, so a bad value stops here with the flag's name.
  const { settings } = parseMethodOptions({
    preset: values.preset,
    timeBudget: values['time-budget'],
    trainable: values.trainable,
    loss: values.loss,
    augmentedViews: values['augmented-views'],
    ensembleViews: values['ensemble-views'],
  });
  await fs.mkdir(values.out, { recursive: true });
  const names = await listDavisSequences(values.davis, {
    sequences: values.sequences?.split(',').filter(Boolean),
  });
  for (const name of names) {
    const file = path.join(values.out, `${name}.weights`);
    if (
      await readWeights(file).then(
        () => true,
        () => false,
      )
    ) {
      console.log(`${name}: ${file} exists, skipped`);
      continue;
    }
    const seq = await loadDavisSequence(values.davis, name);
    const source = await openFrameSource(seq.framesDir);
    const gt = await readMask(annotationPath(seq, seq.annotationNames[0]!), { threshold: 0 });
    const annotations = [{ frameIndex: 0, mask: gt.data, width: gt.width, height: gt.height }];
    const t0 = performance.now();
    const result = await fineTuneOnClip({
      frames: await readAnnotatedFrames(source, annotations),
      annotations,
      settings,
    });
    await writeWeights(file, result.weights);
    console.log(
      `${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s, ${result.iterations} steps (${result.stoppedBy})`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
