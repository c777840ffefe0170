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
import path from 'node:path';
import { scoreFrames, spearman, type FrameEvidence, type FrameRecord } from '@oneshot-roto/core';
import sharp from 'sharp';
import { readSoftMap } from './snapping-data';

interface Clip {
  name: string;
  records: FrameRecord[];
  /** Measures of each frame's stored soft map (with --soft). */
  soft?: Map<number, SoftMeasures>;
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

interface SoftMeasures {
  /**
   * The mask's IoU expected under the soft map read as per-pixel probabilities: Σ p over the
   * mask / (mask area + Σ p outside it). Where networks disagree the averaged map sits near 0.5,
   * so a frame's disagreement counts in proportion to the object's size.
   */
  expectedJ: number;
  /** The mask (map ≥ 0.5) at 1/8 of the frame's size, for comparisons with neighbouring frames. */
  small: Uint8Array;
}

/** Measures of a soft map of `width` pixels per row; the small mask samples every 8th pixel. */
function measureSoft(p: Float32Array, width: number): SoftMeasures {
  let inside = 0;
  let area = 0;
  let outside = 0;
  for (const v of p) {
    if (v >= 0.5) {
      area++;
      inside += v;
    } else outside += v;
  }
  const height = p.length / width;
  const [sw, sh] = [Math.ceil(width / 8), Math.ceil(height / 8)];
  const small = new Uint8Array(sw * sh);
  for (let y = 0; y < sh; y++)
    for (let x = 0; x < sw; x++) small[y * sw + x] = p[y * 8 * width + x * 8]! >= 0.5 ? 1 : 0;
  return { expectedJ: area + outside === 0 ? 1 : inside / (area + outside), small };
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let u = 0;
  for (let k = 0; k < a.length; k++) {
    i += a[k]! & b[k]!;
    u += a[k]! | b[k]!;
  }
  return u === 0 ? 1 : i / u;
}

/** Mean IoU of the frame's small mask with the previous and next segmented frames'. */
function neighbourIoU(clip: Clip): Map<number, number> {
  if (!clip.soft) throw new Error('this variant needs --soft');
  const frames = [...clip.soft.keys()].sort((a, b) => a - b);
  return new Map(
    frames.map((f, k) => {
      const own = clip.soft!.get(f)!.small;
      const near = [frames[k - 1], frames[k + 1]].filter((x): x is number => x !== undefined);
      return [f, near.reduce((a, n) => a + iou(own, clip.soft!.get(n)!.small), 0) / near.length];
    }),
  );
}

const softTerm = (pick: (m: SoftMeasures) => number) => (clip: Clip) => {
  if (!clip.soft) throw new Error('this variant needs --soft');
  return new Map([...clip.soft].map(([f, m]) => [f, pick(m)]));
};

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
  { label: 'expected J', score: softTerm((m) => m.expectedJ) },
  {
    label: 'expected J + consistency',
    score: (c) => mean(softTerm((m) => m.expectedJ)(c), fromTerms((s) => s.consistency)(c)),
  },
  {
    label: 'now + expected J',
    score: (c) => mean(softTerm((m) => m.expectedJ)(c), fromTerms((s) => s.confidence)(c)),
  },
  {
    label: 'expected J × consistency',
    score: (c) => product(softTerm((m) => m.expectedJ)(c), fromTerms((s) => s.consistency)(c)),
  },
  {
    label: 'crispness + agreement',
    score: (c) => mean(fromTerms((s) => s.crispness)(c), fromTerms((s) => s.agreement ?? 1)(c)),
  },
  {
    label: 'expected J + agreement',
    score: (c) => mean(softTerm((m) => m.expectedJ)(c), fromTerms((s) => s.agreement ?? 1)(c)),
  },
  {
    label: 'expected J + crispness + agreement',
    score: (c) =>
      mean(
        softTerm((m) => m.expectedJ)(c),
        fromTerms((s) => s.crispness)(c),
        fromTerms((s) => s.agreement ?? 1)(c),
      ),
  },
  {
    label: 'expected J + consistency + agreement',
    score: (c) =>
      mean(
        softTerm((m) => m.expectedJ)(c),
        fromTerms((s) => s.consistency)(c),
        fromTerms((s) => s.agreement ?? 1)(c),
      ),
  },
  {
    label: 'expected J replaces crispness, consistency radius 1',
    score: (c) =>
      mean(
        softTerm((m) => m.expectedJ)(c),
        fromTerms((s) => s.consistency, 1)(c),
        fromTerms((s) => s.agreement ?? 1)(c),
      ),
  },
  { label: 'neighbour IoU', score: neighbourIoU },
  {
    label: 'expected J + neighbour IoU',
    score: (c) => mean(softTerm((m) => m.expectedJ)(c), neighbourIoU(c)),
  },
  {
    label: 'now + neighbour IoU',
    score: (c) => mean(fromTerms((s) => s.confidence)(c), neighbourIoU(c)),
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
      // Soft-map folders (`eval --soft-out`), one per --report in the same order.
      soft: { type: 'string', multiple: true },
      variants: { type: 'string' },
      'per-clip': { type: 'boolean', default: false },
    },
  });
  if (!values.report?.length)
    throw new Error('pass --report with an `eval --json` report that has per-frame records');
  const round = Number(values.round);
  const clips: Clip[] = [];
  for (const [k, file] of values.report.entries()) {
    const softDir = values.soft?.[k];
    const report = JSON.parse(await fs.readFile(file, 'utf8')) as { frames?: Record<string, FrameRecord[]> };
    if (!report.frames) throw new Error(`${file} has no per-frame records: run eval with this code's --json`);
    for (const [name, all] of Object.entries(report.frames)) {
      const records = all.filter((r) => r.round === round);
      const clip: Clip = { name, records, frameCount: Math.max(...records.map((r) => r.frame)) + 1 };
      if (softDir) {
        clip.soft = new Map();
        for (const r of records) {
          const file = path.join(softDir, name, `${String(r.frame).padStart(5, '0')}.png`);
          // At its own size: the maps are stored at the frame's.
          const { width = 0, height = 0 } = await sharp(file).metadata();
          const { data } = await readSoftMap(file, width, height);
          clip.soft.set(r.frame, measureSoft(data, width));
        }
      }
      clips.push(clip);
    }
  }
  const wanted = values.variants?.split('|');
  console.log('| variant | pooled ρ | mean within-clip ρ | clips with ρ < 0 |');
  console.log('|---|---|---|---|');
  for (const v of VARIANTS.filter((x) => !wanted || wanted.includes(x.label))) {
    const pooled = { s: [] as number[], j: [] as number[] };
    const within: number[] = [];
    const perClip: string[] = [];
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
      perClip.push(`${clip.name} ${rho?.toFixed(2) ?? '–'}`);
    }
    const p = spearman(pooled.s, pooled.j);
    const m = within.reduce((a, b) => a + b, 0) / Math.max(1, within.length);
    console.log(
      `| ${v.label} | ${p?.toFixed(3) ?? '–'} | ${m.toFixed(3)} (${within.length}) | ${within.filter((x) => x < 0).length} |`,
    );
    if (values['per-clip']) console.log(`  ${perClip.join(', ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
