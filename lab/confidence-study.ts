/**
 * Ways of turning a clip's per-frame evidence into a score that orders its frames by their true J,
 * compared on the per-frame records that `eval --json` keeps (`frames`): Spearman's ρ within each
 * clip (what "check next" needs) and pooled, over the frames DAVIS scores that carry no annotation,
 * as `eval` reports it. No network runs: each variant is computed from the stored evidence.
 *
 *   npx tsx lab/confidence-study.ts --report A.json [--report B.json] [--round 1] [--variants 'a|b']
 */
import { parseArgs } from 'node:util';
import { promises as fs } from 'node:fs';
import { scoreFrames, spearman, type FrameEvidence, type FrameRecord } from '@oneshot-roto/core';

interface Clip {
  name: string;
  records: FrameRecord[];
  /** The segmented span (frames 0..last segmented), for distances in clip lengths. */
  frameCount: number;
}
/** A score per record (higher = surer), from the clip's records of one round. */
type Variant = { label: string; score: (clip: Clip) => Map<number, number> };

const evidenceOf = (clip: Clip) =>
  new Map<number, FrameEvidence>(clip.records.map((r) => [r.frame, r.evidence]));
const annotatedOf = (clip: Clip) => clip.records.filter((r) => r.annotated).map((r) => r.frame);

function fromTerms(pick: (t: ReturnType<typeof scoreFrames>[number]) => number, radius?: number) {
  return (clip: Clip) => new Map(scoreFrames(evidenceOf(clip), radius).map((s) => [s.frame, pick(s)]));
}

/** 1 at an annotated frame, falling with the distance to the nearest one, in clip lengths. */
function nearness(clip: Clip): Map<number, number> {
  const annotated = annotatedOf(clip);
  return new Map(
    clip.records.map((r) => [
      r.frame,
      1 - Math.min(...annotated.map((a) => Math.abs(a - r.frame))) / Math.max(1, clip.frameCount),
    ]),
  );
}

/** The object's area against the nearest annotated frame's (as segmented): min/max of the two. */
function scaleKept(clip: Clip): Map<number, number> {
  const byFrame = new Map(clip.records.map((r) => [r.frame, r.evidence.area]));
  const annotated = annotatedOf(clip);
  return new Map(
    clip.records.map((r) => {
      const a = annotated.reduce((best, f) => (Math.abs(f - r.frame) < Math.abs(best - r.frame) ? f : best));
      const ref = byFrame.get(a) ?? r.evidence.area;
      const big = Math.max(ref, r.evidence.area);
      return [r.frame, big === 0 ? 1 : Math.min(ref, r.evidence.area) / big];
    }),
  );
}

const mean = (...maps: Map<number, number>[]) =>
  new Map([...maps[0]!.keys()].map((k) => [k, maps.reduce((a, m) => a + (m.get(k) ?? 0), 0) / maps.length]));
const product = (...maps: Map<number, number>[]) =>
  new Map([...maps[0]!.keys()].map((k) => [k, maps.reduce((a, m) => a * (m.get(k) ?? 1), 1)]));

const VARIANTS: Variant[] = [
  { label: 'product score (now)', score: fromTerms((s) => s.confidence) },
  { label: 'crispness', score: fromTerms((s) => s.crispness) },
  { label: 'consistency', score: fromTerms((s) => s.consistency) },
  { label: 'agreement', score: fromTerms((s) => s.agreement ?? 1) },
  { label: 'nearness', score: nearness },
  { label: 'scale kept', score: scaleKept },
  { label: 'now + nearness', score: (c) => mean(fromTerms((s) => s.confidence)(c), nearness(c)) },
  { label: 'now × nearness', score: (c) => product(fromTerms((s) => s.confidence)(c), nearness(c)) },
  { label: 'now + scale kept', score: (c) => mean(fromTerms((s) => s.confidence)(c), scaleKept(c)) },
  {
    label: 'now + nearness + scale kept',
    score: (c) => mean(fromTerms((s) => s.confidence)(c), nearness(c), scaleKept(c)),
  },
  {
    label: 'agreement + nearness + scale kept',
    score: (c) => mean(fromTerms((s) => s.agreement ?? 1)(c), nearness(c), scaleKept(c)),
  },
  {
    label: 'agreement × nearness × scale kept',
    score: (c) => product(fromTerms((s) => s.agreement ?? 1)(c), nearness(c), scaleKept(c)),
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      report: { type: 'string', multiple: true },
      round: { type: 'string', default: '1' },
      variants: { type: 'string' },
    },
  });
  if (!values.report?.length)
    throw new Error('pass --report with an `eval --json` report that has per-frame records');
  const round = Number(values.round);
  const clips: Clip[] = [];
  for (const file of values.report) {
    const report = JSON.parse(await fs.readFile(file, 'utf8')) as { frames?: Record<string, FrameRecord[]> };
    if (!report.frames) throw new Error(`${file} has no per-frame records: run eval with this code's --json`);
    for (const [name, all] of Object.entries(report.frames)) {
      const records = all.filter((r) => r.round === round);
      clips.push({ name, records, frameCount: Math.max(...records.map((r) => r.frame)) + 1 });
    }
  }
  const wanted = values.variants?.split('|');
  console.log('| variant | pooled ρ | mean within-clip ρ | clips with ρ < 0 |');
  console.log('|---|---|---|---|');
  for (const v of VARIANTS.filter((x) => !wanted || wanted.includes(x.label))) {
    const pooled = { s: [] as number[], j: [] as number[] };
    const within: number[] = [];
    for (const clip of clips) {
      const score = v.score(clip);
      // As eval ranks: DAVIS's scored frames (first and last left out), no annotated frame.
      const ranked = clip.records.filter((r) => r.scored && !r.annotated);
      const s = ranked.map((r) => score.get(r.frame)!);
      const j = ranked.map((r) => r.J);
      pooled.s.push(...s);
      pooled.j.push(...j);
      const rho = spearman(s, j);
      if (rho !== undefined) within.push(rho);
    }
    const p = spearman(pooled.s, pooled.j);
    const m = within.reduce((a, b) => a + b, 0) / Math.max(1, within.length);
    console.log(
      `| ${v.label} | ${p?.toFixed(3) ?? '–'} | ${m.toFixed(3)} (${within.length}) | ${within.filter((x) => x < 0).length} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
