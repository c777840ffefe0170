/** Plain-text table of an evaluation report, in the layout of the official DAVIS summary. */
import type { EvalReport, SequenceScores } from './evaluate';

const COLUMNS = ['J(M)', 'J(O)', 'J(D)', 'F(M)', 'F(O)', 'F(D)'];

function cells(s: SequenceScores): string[] {
  return [s.J.mean, s.J.recall, s.J.decay, s.F.mean, s.F.recall, s.F.decay].map((v) =>
    Number.isNaN(v) ? 'n/a' : v.toFixed(3),
  );
}

export function formatEvalTable(report: EvalReport): string {
  const names = Object.keys(report.sequences);
  const first = Math.max('Sequence'.length, 'Overall'.length, ...names.map((n) => n.length));
  const width = 7;
  const line = (label: string, values: string[]): string =>
    label.padEnd(first) + values.map((v) => v.padStart(width)).join('');
  const rule = '-'.repeat(first + width * COLUMNS.length);
  const rows = [line('Sequence', COLUMNS), rule];
  for (const n of names) rows.push(line(n, cells(report.sequences[n]!)));
  rows.push(rule, line('Overall', cells(report.overall)));
  return rows.join('\n');
}
