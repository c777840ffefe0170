/**
 * J and F after each annotation for each way of choosing the next annotated frame, from the
 * reports of `eval --annotations N --choose <method> --json`: the mean table, the share of the gap
 * between `spread` and the oracle `worst` that `confidence` closes, the per-sequence differences
 * from `spread` with their standard errors, and each sequence's J per round
 * with the frames annotated. No network runs.
 *
 *   npx tsx lab/annotation-curves.ts --report spread=A.json --report confidence=B.json --report worst=C.json
 */
import { parseArgs } from 'node:util';
import { promises as fs } from 'node:fs';
import type { FrameRecord } from '@oneshot-roto/core';

interface Round {
  annotations: number;
  J: number;
  F: number;
}
interface Report {
  refinement: Round[];
  frames: Record<string, FrameRecord[]>;
}

const { values } = parseArgs({ options: { report: { type: 'string', multiple: true } } });
const specs = values.report ?? [];
if (specs.length === 0) {
  console.error('usage: annotation-curves.ts --report <name>=<eval.json> [--report …]');
  process.exit(2);
}

async function readRuns(): Promise<Map<string, Report>> {
  const runs = new Map<string, Report>();
  for (const spec of specs) {
    const at = spec.indexOf('=');
    if (at <= 0) throw new Error(`--report expects <name>=<file>, got "${spec}"`);
    const file = spec.slice(at + 1);
    const report = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Report>;
    if (!report.refinement || !report.frames)
      throw new Error(
        `${file} has no refinement rounds or frame records: run eval with --annotations and --json`,
      );
    runs.set(spec.slice(0, at), report as Report);
  }
  return runs;
}

/** A sequence's mean J over the frames DAVIS scores in round `k`, if that round ran. */
function sequenceJ(report: Report, seq: string, k: number): number | undefined {
  const scored = (report.frames[seq] ?? []).filter((r) => r.round === k && r.scored);
  return scored.length ? scored.reduce((a, r) => a + r.J, 0) / scored.length : undefined;
}

function main(runs: Map<string, Report>): void {
  const names = [...runs.keys()];
  const rounds = Math.max(...[...runs.values()].map((r) => r.refinement.length));
  const fmt = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(3));

  console.log(`| annotations | ${names.map((n) => `\`${n}\` J / F`).join(' | ')} |`);
  console.log(`|---|${names.map(() => '---|').join('')}`);
  for (let k = 0; k < rounds; k++) {
    const cells = names.map((n) => {
      const r = runs.get(n)!.refinement[k];
      return r ? `${fmt(r.J)} / ${fmt(r.F)}` : '–';
    });
    console.log(`| ${k + 1} | ${cells.join(' | ')} |`);
  }

  const spread = runs.get('spread');
  const worst = runs.get('worst');
  const confidence = runs.get('confidence');
  if (spread && worst && confidence) {
    console.log('\nshare of the spread → worst J gap that confidence closes, per round:');
    for (let k = 1; k < rounds; k++) {
      const [s, w, c] = [spread, worst, confidence].map((r) => r.refinement[k]?.J);
      if (s === undefined || w === undefined || c === undefined) continue;
      const gap = w - s;
      const share =
        gap > 0 ? `${((100 * (c - s)) / gap).toFixed(0)} %` : `gap ${gap.toFixed(3)} (oracle not ahead)`;
      console.log(`  ${k + 1} annotations: ${share} (J ${fmt(s)} / ${fmt(c)} / ${fmt(w)})`);
    }
  }

  /**
   * Paired differences per round: each sequence's J under `confidence` and under `worst`, less its J
   * under `spread`, as mean ± standard error over the sequences (is the gap larger than the noise
   * between sequences?).
   */
  if (spread && worst && confidence) {
    console.log('\nper-sequence J differences from spread, mean ± standard error (n sequences):');
    for (let k = 2; k <= rounds; k++) {
      const cells = (['confidence', 'worst'] as const).map((name) => {
        const d: number[] = [];
        for (const seq of Object.keys(spread.frames)) {
          const [a, b] = [runs.get(name)!, spread].map((r) => sequenceJ(r, seq, k));
          if (a !== undefined && b !== undefined) d.push(a - b);
        }
        if (d.length < 2) return `${name} –`;
        const m = d.reduce((x, y) => x + y, 0) / d.length;
        const sd = Math.sqrt(d.reduce((x, y) => x + (y - m) ** 2, 0) / (d.length - 1));
        return `${name} ${(100 * m).toFixed(2)} ± ${((100 * sd) / Math.sqrt(d.length)).toFixed(2)} J points (n ${d.length})`;
      });
      console.log(`  ${k} annotations: ${cells.join(', ')}`);
    }
  }

  /**
   * A sequence's J per round, the mean over the frames DAVIS scores (annotated ones too, segmented by
   * the network as in the paper's refinement, as `eval` counts them), and the frames annotated by the
   * last round in the order they were chosen.
   */
  function perSequence(report: Report, seq: string): string {
    const records = report.frames[seq] ?? [];
    const js: string[] = [];
    for (let k = 1; k <= rounds; k++) js.push(fmt(sequenceJ(report, seq, k)));
    const last = Math.max(...records.map((r) => r.round));
    const annotated: number[] = [];
    for (let k = 1; k <= last; k++)
      for (const r of records)
        if (r.round === k && r.annotated && !annotated.includes(r.frame)) annotated.push(r.frame);
    return `${js.join(' / ')} [${annotated.join(',')}]`;
  }

  const sequences = [...new Set(names.flatMap((n) => Object.keys(runs.get(n)!.frames)))].sort();
  console.log(`\n| sequence | ${names.map((n) => `\`${n}\` J per round [frames]`).join(' | ')} |`);
  console.log(`|---|${names.map(() => '---|').join('')}`);
  for (const seq of sequences)
    console.log(`| ${seq} | ${names.map((n) => perSequence(runs.get(n)!, seq)).join(' | ')} |`);
}

readRuns()
  .then(main)
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
