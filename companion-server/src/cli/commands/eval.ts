/**
 * `oneshot-roto eval --davis <root>`: runs the method on DAVIS sequences (first frame's mask as
 * the annotation) and prints J and F exactly as the official DAVIS code computes them; with
 * `--results <dir>` scores precomputed masks instead.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import {
  CHOOSE_METHODS,
  type ChooseMethod,
  formatEvalTable,
  runMethodEval,
  type MethodEvalReport,
  writeFileAtomic,
  networkFinishing,
} from '@oneshot-roto/core';
import { runEvalResults } from './eval-results';
import { addMatteOptions, parseMatteOptions } from './matte-options';
import { addMethodOptions, parseMethodOptions, UsageError } from './method-options';
import { optionText } from './option-text';

export function formatTiming(r: MethodEvalReport): string {
  const t = r.timing;
  return [
    `execution provider: ${r.executionProvider}`,
    `fine-tuning: ${t.fineTuneSeconds.mean.toFixed(1)} s per sequence (mean), ${t.fineTuneSeconds.total.toFixed(0)} s total`,
    `segmentation: ${t.msPerFrame.toFixed(0)} ms per frame; with fine-tuning spread over the frames: ${t.secondsPerFrameAmortised.toFixed(2)} s per frame`,
    ...(r.refinement.length > 1
      ? [
          'refinement (annotations: J / F):',
          ...r.refinement.map((x) => `  ${x.annotations}: ${x.J.toFixed(3)} / ${x.F.toFixed(3)}`),
        ]
      : []),
    ...r.confidenceRank
      .filter((c) => c.pooled !== undefined)
      .map(
        (c) =>
          `confidence vs J, Spearman ρ after ${c.annotations} annotation(s): ${c.pooled!.toFixed(3)} over ${c.frames} frames` +
          (c.meanPerSequence !== undefined
            ? `; mean of ${c.sequences} sequences' own ρ ${c.meanPerSequence.toFixed(3)}`
            : ''),
      ),
    ...(r.refinement.length > 1 ? [`annotations after the first chosen by: ${r.choose}`] : []),
    ...(r.bbox
      ? [
          `bounding-box IoU > 0.5/0.6/0.7/0.8/0.9: ${Object.values(r.bbox)
            .map((v) => (100 * v).toFixed(1))
            .join(' / ')} % of frames`,
        ]
      : []),
  ].join('\n');
}

export function registerEvalCommand(program: Command): void {
  const cmd = program
    .command('eval')
    .description(
      'Score the method (or precomputed masks) on a DAVIS-format dataset: J and F mean, recall, decay',
    )
    .requiredOption('--davis <root>', 'DAVIS root with JPEGImages/480p and Annotations/480p')
    .option('--split <file>', 'ImageSets file listing the sequences')
    .option('--sequences <names>', 'comma-separated sequence names')
    .option(
      '--results <dir>',
      'score these precomputed masks (<dir>/<seq>/00000.png) instead of running the method',
    )
    .option('--results-out <dir>', 'where the method writes its masks (default: a temporary folder)')
    .option(
      '--annotations <n>',
      'annotated frames per sequence: 0 = parent network only, 1 = first frame, more = refinement, each round adding the frame --choose picks',
      '1',
    )
    .addOption(
      new Option(
        '--choose <method>',
        "how refinement picks each next annotated frame: worst (by J, the paper's oracle), confidence (the product's suggestion, no ground truth) or spread (middle of the longest stretch without one)",
      )
        .choices([...CHOOSE_METHODS])
        .default('worst'),
    )
    .option('--soft-out <dir>', "also write the network's soft maps as 16-bit PNGs (<dir>/<seq>/00000.png)")
    .option(
      '--frame-step <n>',
      'segment and score every n-th frame only (a quicker, sparser estimate; default 1: every frame)',
      '1',
    )
    .option(
      '--keep-painted',
      'score annotated frames as the editor gets them (their mask kept as painted) instead of the network on them',
    )
    .option('--bbox', "also report the paper's bounding-box tracking measure (Table 5)")
    .option(
      '--reuse-weights <dir>',
      'segment with the fine-tuned weights an earlier run saved (<dir>/<seq>.weights) instead of fine-tuning again (one annotation)',
    )
    .option('--json <file>', 'write the report as JSON');
  addMethodOptions(cmd);
  addMatteOptions(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    const sequences = opts.sequences
      ? optionText(opts.sequences)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
    const print = (line: string) => process.stdout.write(`${line}\n`);
    if (opts.results) {
      await runEvalResults({
        davis: String(opts.davis),
        results: optionText(opts.results),
        split: opts.split as string | undefined,
        sequences,
        json: opts.json as string | undefined,
        print,
      });
      return;
    }
    const annotations = Number(opts.annotations);
    if (!Number.isInteger(annotations) || annotations < 0)
      throw new UsageError(`--annotations expects an integer >= 0, got "${String(opts.annotations)}"`);
    const frameStep = Number(opts.frameStep);
    if (!Number.isInteger(frameStep) || frameStep < 1)
      throw new UsageError(`--frame-step expects an integer >= 1, got "${String(opts.frameStep)}"`);
    const method = parseMethodOptions(opts);
    const resultsDir = opts.resultsOut
      ? optionText(opts.resultsOut)
      : await fs.mkdtemp(path.join(os.tmpdir(), 'oneshot-roto-eval-'));
    const report = await runMethodEval({
      davisRoot: String(opts.davis),
      split: opts.split as string | undefined,
      sequences,
      settings: method.settings,
      // Fine-tuned (or re-segmented) maps are finished as the preset finishes them now; the parent's
      // alone (--annotations 0) by the defaults.
      matte: parseMatteOptions(
        opts,
        annotations > 0 && !method.modelPath ? networkFinishing(method.settings) : {},
      ),
      annotations,
      device: method.device,
      threads: method.threads,
      modelPath: method.modelPath,
      resultsDir,
      bbox: Boolean(opts.bbox),
      softDir: opts.softOut as string | undefined,
      frameStep,
      keepPainted: Boolean(opts.keepPainted),
      choose: opts.choose as ChooseMethod,
      reuseWeightsDir: opts.reuseWeights as string | undefined,
      onLine: print,
    });
    print('');
    print(formatEvalTable(report));
    print(formatTiming(report));
    print(`masks: ${path.resolve(resultsDir)}`);
    if (opts.json) {
      await fs.mkdir(path.dirname(path.resolve(optionText(opts.json))), { recursive: true });
      await writeFileAtomic(optionText(opts.json), Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
      print(`JSON report: ${path.resolve(optionText(opts.json))}`);
    }
  });
}
