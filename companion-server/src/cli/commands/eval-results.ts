/**
 * `oneshot-roto eval --results <dir>`: scores precomputed masks in the DAVIS results layout
 * (`<dir>/<seq>/00000.png`) against a DAVIS root, prints the per-sequence and overall table and
 * optionally writes the JSON report. The eval command calls this when --results is given.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { evaluateResultsDir, type EvalReport, formatEvalTable, writeFileAtomic } from '@oneshot-roto/core';

export interface EvalResultsOptions {
  /** DAVIS root (JPEGImages/480p, Annotations/480p). */
  davis: string;
  /** Results folder `<dir>/<seq>/<frame>.png`. */
  results: string;
  /** ImageSets split file (DAVIS 2016 or 2017 format). */
  split?: string;
  /** Sequence names; take precedence over `split`. */
  sequences?: string[];
  /** Where to write the JSON report. */
  json?: string;
  /** Prediction foreground: value > threshold (default 0: any nonzero pixel, as the DAVIS code). */
  threshold?: number;
  /** Output lines (progress and the table); default: stdout. */
  print?: (line: string) => void;
}

export async function runEvalResults(options: EvalResultsOptions): Promise<EvalReport> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const report = await evaluateResultsDir({
    davisRoot: options.davis,
    resultsDir: options.results,
    split: options.split,
    sequences: options.sequences,
    threshold: options.threshold,
    onSequence: (name, r) =>
      print(`${name}: J ${r.J.mean.toFixed(3)}  F ${r.F.mean.toFixed(3)}  (${r.frames.length} frames)`),
  });
  print('');
  print(formatEvalTable(report));
  if (options.json) {
    await fs.mkdir(path.dirname(path.resolve(options.json)), { recursive: true });
    await writeFileAtomic(options.json, Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
    print(`\nJSON report: ${path.resolve(options.json)}`);
  }
  return report;
}
