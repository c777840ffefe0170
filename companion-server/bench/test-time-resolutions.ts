/**
 * Test-time resolutions (presets.ts `testTimeResolutions`) on saved fine-tuned weights: every
 * scored frame is segmented by the product's model as the weights say (training resolution, flip,
 * zoom pass) — map A — and by the same networks at each further size (flip, no zoom) — maps B…;
 * the product with those sizes outputs mean(A, B…) (segmentation-model.ts), so one run scores
 * both. Soft maps go to `<soft-out>/<label>/<seq>/<frame>.png` (16-bit; label `main` for A and
 * the size for each B) for `finishing-sweep.ts --soft <soft-out>/main,<soft-out>/1024`.
 *
 *   nice npx tsx companion-server/bench/test-time-resolutions.ts --weights-dir .bench/res-best
 *        --soft-out .bench/soft-ttr [--resolutions 1024|none] [--stride 2] [--offset 0]
 *        [--sequences a,b] [--davis ../shared/davis2016-train] [--main-from .bench/soft-ttr/main]
 *
 * `--main-from DIR` reads map A from an earlier run's soft maps instead of segmenting again (only
 * the further sizes run; its "ms/frame" is then the read time). Frames 1…n−2 whose index (from 1)
 * minus `--offset` is a multiple of `--stride`: two runs with offsets 0 and 1 at stride 2 cover
 * every frame.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listDavisSequences } from '../src/evaluation/davis-dataset';
import { boundaryF, jaccard } from '../src/evaluation/measures';
import { binarize, makeFloatMatte } from '../src/matte/matte';
import { openMatteWriter, type MatteWriter } from '../src/matte/writers';
import { SegmentationModel } from '../src/model';
import { fineTunedGraph, loadFineTunedModel } from '../src/osvos/fine-tuned-model';
import { readWeights } from '../src/osvos/weights';
import { listFrames, median, readFrame, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

interface Score {
  J: number;
  F: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      'weights-dir': { type: 'string' },
      'soft-out': { type: 'string' },
      resolutions: { type: 'string', default: '1024' },
      stride: { type: 'string', default: '2' },
      offset: { type: 'string', default: '0' },
      sequences: { type: 'string' },
      'main-from': { type: 'string' },
    },
  });
  // Map A read from an earlier run's `<soft-out>/main` instead of computed again.
  const mainFrom = values['main-from'];
  if (!values['weights-dir'] || !values['soft-out'])
    throw new Error('--weights-dir DIR (with <seq>.weights) and --soft-out DIR are required');
  // `none`: the product's map only (for an ensemble comparison at the training size).
  const sizes = values.resolutions === 'none' ? [] : values.resolutions!.split(',').map(Number);
  const stride = Number(values.stride);
  const offset = Number(values.offset);
  // All sequences unless some are named (an empty list would score nothing and print NaN).
  const seqs = await listDavisSequences(values.davis!, {
    sequences: values.sequences?.split(',').filter(Boolean),
  });
  const totals = { main: { J: 0, F: 0 }, multi: { J: 0, F: 0 } };
  for (const seq of seqs) {
    const w = await readWeights(path.join(values['weights-dir']!, `${seq}.weights`));
    const main = mainFrom ? undefined : await loadFineTunedModel({ ...w, testTimeResolutions: [] }, {});
    const others: SegmentationModel[] = [];
    for (const r of sizes)
      others.push(
        await SegmentationModel.load({
          modelBytes: await fineTunedGraph(w, r),
          testTimeFlip: w.testTimeFlip,
          outputKind: 'probability',
        }),
      );
    const names = (await listFrames(values.davis!, seq))
      .slice(1, -1)
      .filter((_, i) => i >= offset && (i - offset) % stride === 0);
    const first = await readFrame(values.davis!, seq, names[0]!);
    const writer = (label: string): Promise<MatteWriter> =>
      openMatteWriter('png16', {
        outDir: path.join(values['soft-out']!, label, seq),
        baseName: '',
        startNumber: 0,
        fps: 24,
        width: first.width,
        height: first.height,
      });
    const writers = [
      ...(mainFrom ? [] : [await writer('main')]),
      ...(await Promise.all(sizes.map((r) => writer(String(r))))),
    ];
    const score = { main: { J: 0, F: 0 }, multi: { J: 0, F: 0 } };
    const ms: number[][] = [[], ...sizes.map(() => [])];
    for (const name of names) {
      const frame = await readFrame(values.davis!, seq, name);
      const gt = await readGroundTruth(values.davis!, seq, name);
      const maps: Float32Array[] = [];
      for (const [k, model] of [main, ...others].entries()) {
        const t0 = performance.now();
        maps.push(
          model
            ? await model.predict(frame)
            : (await readSoftMap(path.join(mainFrom!, seq, `${name}.png`), frame.width, frame.height)).data,
        );
        ms[k]!.push(performance.now() - t0);
      }
      const mean = maps[0]!.map((_, i) => maps.reduce((a, m) => a + m[i]!, 0) / maps.length);
      const add = (s: Score, map: Float32Array) => {
        const bin = binarize(makeFloatMatte(map, frame.width, frame.height), w.threshold);
        s.J += jaccard(bin, gt, frame.width, frame.height);
        s.F += boundaryF(bin, gt, frame.width, frame.height);
      };
      add(score.main, maps[0]!);
      add(score.multi, mean);
      const index = Number(name);
      for (const [k, m] of maps.slice(mainFrom ? 1 : 0).entries())
        await writers[k]!.write(index, makeFloatMatte(m, frame.width, frame.height));
    }
    await Promise.all(writers.map((wr) => wr.close()));
    await Promise.all([main, ...others].map((m) => m?.dispose()));
    const n = names.length;
    const fmt = (s: Score) => `${(s.J / n).toFixed(3)} / ${(s.F / n).toFixed(3)}`;
    console.log(
      `${seq.padEnd(16)} ${n} frames  main ${fmt(score.main)}  with ${sizes.join(',')} ${fmt(score.multi)}  ` +
        `ms/frame median: main ${median(ms[0]!).toFixed(0)}, ` +
        sizes.map((r, k) => `${r} ${median(ms[k + 1]!).toFixed(0)}`).join(', '),
    );
    for (const key of ['main', 'multi'] as const) {
      totals[key].J += score[key].J / n;
      totals[key].F += score[key].F / n;
    }
  }
  const k = seqs.length;
  console.log(
    `MEAN (${k}) raw J / F: main ${(totals.main.J / k).toFixed(4)} / ${(totals.main.F / k).toFixed(4)}  ` +
      `with ${sizes.join(',')} ${(totals.multi.J / k).toFixed(4)} / ${(totals.multi.F / k).toFixed(4)}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
