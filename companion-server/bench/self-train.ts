/**
 * Self-training (osvos/pseudo-labels.ts): fine-tune on frame 0 as the preset does, segment a few
 * frames spread over the clip, take the network's confident answers there as extra annotations,
 * continue fine-tuning on them with the real annotation, and segment again. Scores the first and
 * the second network on the same frames, raw and with the product's default finishing.
 *
 *   nice npx tsx companion-server/bench/self-train.ts --base-dir .bench/st-base --out .bench/st
 *        [--sequences a,b] [--preset best] [--stride 3] [--pseudo 6] [--views 4] [--iterations 60]
 *        [--positive 0.9] [--negative 0] [--negative-distance 40] [--skip-base] [--annotation-share 0.5] [--davis DIR]
 *
 * `--base-dir` keeps each sequence's first fine-tune (`<seq>.weights`), reused when present, so
 * several pseudo-label settings can be compared without fine-tuning on frame 0 again. Soft maps of
 * the scored frames go to `<base-dir>/soft/<seq>` and `<out>/soft/<seq>` (16-bit PNG) for
 * `finishing-sweep.ts`; the second round's weights to `<out>/<seq>.weights`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boundaryF, jaccard } from '../src/evaluation/measures';
import { binarize, makeFloatMatte } from '../src/matte/matte';
import { processFrame } from '../src/matte/pipeline';
import { openMatteWriter } from '../src/matte/writers';
import type { Annotation } from '../src/osvos/annotations';
import { fineTune } from '../src/osvos/finetune';
import { loadFineTunedModel } from '../src/osvos/fine-tuned-model';
import { resolveSettings, type PresetName } from '../src/osvos/presets';
import {
  DEFAULT_PSEUDO_LABELS,
  pseudoLabelFrames,
  type PseudoLabelOptions,
} from '../src/osvos/pseudo-labels';
import {
  collectPseudoAnnotations,
  selfTrainingSettings,
  withAnnotationShare,
} from '../src/osvos/self-training';
import { readWeights, writeWeights, type FineTunedWeights } from '../src/osvos/weights';
import type { SegmentationModel } from '../src/model';
import { listFrames, listSequences, readFrame, readGroundTruth } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

interface Score {
  J: number;
  F: number;
  finishedJ: number;
  finishedF: number;
}

async function score(
  model: SegmentationModel,
  davis: string,
  seq: string,
  frames: readonly string[],
  softDir: string,
): Promise<Score> {
  const sum = { J: 0, F: 0, finishedJ: 0, finishedF: 0 };
  let writer: Awaited<ReturnType<typeof openMatteWriter>> | undefined;
  for (const name of frames) {
    const frame = await readFrame(davis, seq, name);
    const { width, height } = frame;
    writer ??= await openMatteWriter('png16', {
      outDir: path.join(softDir, seq),
      baseName: '',
      startNumber: 0,
      fps: 24,
      width,
      height,
    });
    const gt = await readGroundTruth(davis, seq, name);
    const soft = makeFloatMatte(await model.predict(frame), width, height);
    await writer.write(Number(name), soft);
    const raw = binarize(soft, 0.5);
    sum.J += jaccard(raw, gt, width, height);
    sum.F += boundaryF(raw, gt, width, height);
    const finished = binarize(processFrame(soft, frame), 0.5);
    sum.finishedJ += jaccard(finished, gt, width, height);
    sum.finishedF += boundaryF(finished, gt, width, height);
  }
  await writer?.close();
  const n = frames.length;
  return { J: sum.J / n, F: sum.F / n, finishedJ: sum.finishedJ / n, finishedF: sum.finishedF / n };
}

const fmt = (s: Score) =>
  `raw ${s.J.toFixed(3)}/${s.F.toFixed(3)} finished ${s.finishedJ.toFixed(3)}/${s.finishedF.toFixed(3)}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      'base-dir': { type: 'string' },
      out: { type: 'string' },
      sequences: { type: 'string' },
      preset: { type: 'string', default: 'best' },
      stride: { type: 'string', default: '3' },
      pseudo: { type: 'string', default: '6' },
      views: { type: 'string', default: '4' },
      iterations: { type: 'string', default: '60' },
      positive: { type: 'string', default: String(DEFAULT_PSEUDO_LABELS.positive) },
      negative: { type: 'string', default: String(DEFAULT_PSEUDO_LABELS.negative) },
      'negative-distance': { type: 'string', default: String(DEFAULT_PSEUDO_LABELS.negativeDistance) },
      'skip-base': { type: 'boolean', default: false },
      // Share of the second round's samples drawn from the real annotation (0: one annotation among the pseudo ones).
      'annotation-share': { type: 'string', default: '0' },
    },
  });
  if (!values['base-dir'] || !values.out) throw new Error('--base-dir DIR and --out DIR are required');
  const davis = values.davis!;
  const baseDir = values['base-dir'];
  const outDir = values.out;
  await fs.mkdir(baseDir, { recursive: true });
  await fs.mkdir(outDir, { recursive: true });
  const settings = resolveSettings(values.preset as PresetName, {});
  const labels: PseudoLabelOptions = {
    ...DEFAULT_PSEUDO_LABELS,
    positive: Number(values.positive),
    negative: Number(values.negative),
    negativeDistance: Number(values['negative-distance']),
  };
  const share = Number(values['annotation-share']);
  const refineSettings = selfTrainingSettings(settings, {
    budgetSeconds: settings.timeBudgetSeconds,
    views: Number(values.views),
    iterations: Number(values.iterations),
  });
  console.log(JSON.stringify({ settings, refine: refineSettings, labels }));
  const stride = Number(values.stride);
  const sequences = values.sequences?.split(',') ?? (await listSequences(davis));
  const rows: { seq: string; base?: Score; refined: Score }[] = [];
  for (const seq of sequences) {
    const names = await listFrames(davis, seq);
    const scored = names.slice(1, -1).filter((_, i) => i % stride === 0);
    const frame0 = await readFrame(davis, seq, names[0]!);
    const gt0 = await readGroundTruth(davis, seq, names[0]!);
    const annotation: Annotation = { frameIndex: 0, mask: gt0, width: frame0.width, height: frame0.height };

    const baseFile = path.join(baseDir, `${seq}.weights`);
    let base: FineTunedWeights | undefined = await readWeights(baseFile).catch(() => undefined);
    if (!base) {
      const t0 = performance.now();
      const ft = await fineTune({ frames: new Map([[0, frame0]]), annotations: [annotation], settings });
      base = ft.weights;
      await writeWeights(baseFile, base);
      console.log(
        `${seq}: first fine-tune ${((performance.now() - t0) / 1000).toFixed(0)} s, ${ft.iterations} steps (${ft.stoppedBy})`,
      );
    }
    const baseModel = await loadFineTunedModel(base, {});
    const picks = pseudoLabelFrames(names.length, [0], Number(values.pseudo));
    const t1 = performance.now();
    const clip = { frameCount: names.length, readFrame: (i: number) => readFrame(davis, seq, names[i]!) };
    const found = await collectPseudoAnnotations(baseModel, clip, picks, labels);
    const pseudo = found.annotations;
    const baseScore = values['skip-base']
      ? undefined
      : await score(baseModel, davis, seq, scored, path.join(baseDir, 'soft'));
    await baseModel.dispose();

    const ft2 = await fineTune({
      frames: new Map([[0, frame0], ...found.frames]),
      // `annotation-share` 0 puts the real annotation once among the pseudo ones; 0.5 is the product's rule.
      annotations: [...withAnnotationShare([annotation], pseudo.length, share), ...pseudo],
      settings: refineSettings,
      resumeFrom: base,
    });
    const refineSeconds = (performance.now() - t1) / 1000;
    await writeWeights(path.join(outDir, `${seq}.weights`), ft2.weights);
    const refinedModel = await loadFineTunedModel(ft2.weights, {});
    const refined = await score(refinedModel, davis, seq, scored, path.join(outDir, 'soft'));
    await refinedModel.dispose();
    rows.push({ seq, base: baseScore, refined });
    console.log(
      `${seq.padEnd(16)} pseudo frames ${pseudo.map((a) => a.frameIndex).join(',')} of ${picks.join(',')}; ` +
        `second round ${refineSeconds.toFixed(0)} s (${ft2.iterations} steps); ` +
        (baseScore ? `first ${fmt(baseScore)}  ` : '') +
        `second ${fmt(refined)}`,
    );
  }
  const mean = (pick: (r: (typeof rows)[number]) => Score | undefined): string => {
    const xs = rows.map(pick).filter((s): s is Score => s !== undefined);
    if (xs.length === 0) return '-';
    const m = (k: keyof Score) => (100 * xs.reduce((a, s) => a + s[k], 0)) / xs.length;
    return `${m('J').toFixed(2)} / ${m('F').toFixed(2)} raw, ${m('finishedJ').toFixed(2)} / ${m('finishedF').toFixed(2)} finished`;
  };
  console.log(`MEAN (${rows.length}) first: ${mean((r) => r.base)}  second: ${mean((r) => r.refined)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
