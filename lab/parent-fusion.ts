/**
 * Ways of combining the parent network's map at its own resolution (the generic "which things are
 * objects" signal) with the fine-tuned network's map ("which one is the editor's"), scored on
 * stored soft maps with the DAVIS measures at threshold 0.5, before matte finishing.
 *
 *   npx tsx lab/parent-fusion.ts --parent DIR --fine DIR [--davis DIR]
 *        [--step 4] [--seqs a,b] [--variants 'label|label']
 *
 * DIRs hold `<seq>/<frame index>.png` soft maps as `eval --soft-out` writes them (frame 0, the
 * annotated frame, included: the clip's parent agreement is measured on it).
 */
import { parseArgs } from 'node:util';
import { boundaryF, jaccard, labelComponents, squaredDistanceTo, fuseWithParent } from '@oneshot-roto/core';
import { listFrames, listSequences, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { promises as fs } from 'node:fs';
import path from 'node:path';

interface Ctx {
  P: Float32Array;
  F: Float32Array;
  w: number;
  h: number;
  /** IoU of the parent's mask with the annotation on the annotated frame. */
  agreement: number;
}
type Variant = { label: string; fuse: (c: Ctx) => Float32Array };

function componentsOver(P: Float32Array, F: Float32Array, w: number, h: number) {
  const bin = new Uint8Array(P.length);
  for (let i = 0; i < P.length; i++) bin[i] = P[i]! >= 0.5 ? 1 : 0;
  const comps = labelComponents(bin, w, h, 1, 8);
  const sum = new Float64Array(comps.areas.length);
  for (let i = 0; i < P.length; i++) {
    const l = comps.labels[i]!;
    if (l >= 0) sum[l]! += F[i]!;
  }
  const meanF = comps.areas.map((a, k) => sum[k]! / a);
  return { comps, meanF };
}

/** Parent components the fine-tuned map supports (mean ≥ tau), with parent soft values inside; F elsewhere. */
function select(tau: number, halo: number, fineOutside: boolean, minAgreement: number): Variant['fuse'] {
  return ({ P, F, w, h, agreement }) => {
    if (agreement < minAgreement) return F;
    const { comps, meanF } = componentsOver(P, F, w, h);
    const keep = meanF.map((m) => m >= tau);
    const kept = new Uint8Array(P.length);
    for (let i = 0; i < P.length; i++) {
      const l = comps.labels[i]!;
      kept[i] = l >= 0 && keep[l] ? 1 : 0;
    }
    const near = halo > 0 ? squaredDistanceTo(kept, w, h, 1) : undefined;
    const out = new Float32Array(P.length);
    for (let i = 0; i < P.length; i++) {
      if (kept[i]) out[i] = Math.max(P[i]!, F[i]!);
      else if (near && near[i]! <= halo * halo) out[i] = P[i]!;
      else out[i] = fineOutside ? F[i]! : Math.min(F[i]!, P[i]!);
    }
    return out;
  };
}

/** The plain mean (osvos `fuseWithParent` with no unseen-object rule), the parent's share as given. */
function mean(weightParent: number): Variant['fuse'] {
  return ({ P, F, w, h }) => fuseWithParent(F, P, w, h, { share: weightParent, unseenSupport: 0 });
}

/** The product's rule: the mean, the fine-tuned map kept on its objects the parent does not see. */
function meanKeepingUnseen(unseenSupport: number, onlyWhenNothingSeen: boolean): Variant['fuse'] {
  return ({ P, F, w, h }) => fuseWithParent(F, P, w, h, { unseenSupport, onlyWhenNothingSeen });
}

/** The earlier product rule: the mean, or the fine-tuned map alone on clips of agreement < 0.5. */
function meanUnlessDisagrees(): Variant['fuse'] {
  return (c) => (c.agreement < 0.5 ? c.F : mean(0.5)(c));
}

/** Mean weighted by the clip's parent agreement. */
function agreementMean(): Variant['fuse'] {
  return (c) => mean(c.agreement * 0.5)(c);
}

/**
 * The product's rule, then the parent's own map inside each parent object the fine-tuned map
 * supports (its mean there ≥ tau): grows a partly found object to the parent's whole one.
 */
function meanPlusSupported(tau: number): Variant['fuse'] {
  return ({ P, F, w, h }) => {
    const out = fuseWithParent(F, P, w, h);
    const { comps, meanF } = componentsOver(P, F, w, h);
    for (let i = 0; i < P.length; i++) {
      const l = comps.labels[i]!;
      if (l >= 0 && meanF[l]! >= tau) out[i] = Math.max(out[i]!, P[i]!);
    }
    return out;
  };
}

/** Mean of the two networks' logits (a product of odds): a sure answer outvotes a doubt more strongly. */
function logitMean(weightParent: number): Variant['fuse'] {
  const logit = (p: number) => Math.log(Math.max(p, 1e-4) / Math.max(1 - p, 1e-4));
  return ({ P, F }) =>
    Float32Array.from(P, (p, i) => {
      const z = weightParent * logit(p) + (1 - weightParent) * logit(F[i]!);
      return 1 / (1 + Math.exp(-z));
    });
}

/** Per pixel, the answer of whichever network is surer (further from 0.5). */
function surer(): Variant['fuse'] {
  return ({ P, F }) =>
    Float32Array.from(P, (p, i) => (Math.abs(p - 0.5) > Math.abs(F[i]! - 0.5) ? p : F[i]!));
}

/** The product's rule with the parent's share scaled down on clips where it disagrees with the annotation. */
function agreementShare(full: number): Variant['fuse'] {
  return (c) => fuseWithParent(c.F, c.P, c.w, c.h, { share: 0.5 * Math.min(1, c.agreement / full) });
}

/**
 * The share `base` everywhere but inside the parent's objects that the fine-tuned map supports
 * (its mean there ≥ tau), where the parent gets `inside`: the parent carries the rest of an
 * object the fine-tuned network found in part, and cannot add objects it did not find.
 */
function supportedShare(base: number, inside: number, tau: number): Variant['fuse'] {
  return ({ P, F, w, h }) => {
    const out = fuseWithParent(F, P, w, h, { share: base });
    const { comps, meanF } = componentsOver(P, F, w, h);
    for (let i = 0; i < P.length; i++) {
      const l = comps.labels[i]!;
      if (l >= 0 && meanF[l]! >= tau) out[i] = inside * P[i]! + (1 - inside) * F[i]!;
    }
    return out;
  };
}

/**
 * Frame by frame: the share `base`, or `fallback` in a frame where the fine-tuned mask covers less
 * than `alpha` of the parent's objects it supports (mean ≥ tau), i.e. where it has lost part of
 * the object the parent still sees.
 */
function frameFallback(base: number, fallback: number, alpha: number, tau: number): Variant['fuse'] {
  return ({ P, F, w, h }) => {
    const { comps, meanF } = componentsOver(P, F, w, h);
    let area = 0;
    let covered = 0;
    for (let i = 0; i < P.length; i++) {
      const l = comps.labels[i]!;
      if (l < 0 || meanF[l]! < tau) continue;
      area++;
      if (F[i]! >= 0.5) covered++;
    }
    const share = area > 0 && covered / area < alpha ? fallback : base;
    return fuseWithParent(F, P, w, h, { share });
  };
}

const ALL_VARIANTS: Variant[] = [
  { label: 'product, parent 0.25', fuse: (c) => fuseWithParent(c.F, c.P, c.w, c.h, { share: 0.25 }) },
  { label: 'product, parent 0.4', fuse: (c) => fuseWithParent(c.F, c.P, c.w, c.h, { share: 0.4 }) },
  { label: 'logit mean 0.5', fuse: logitMean(0.5) },
  { label: 'product, parent 0.35', fuse: (c) => fuseWithParent(c.F, c.P, c.w, c.h, { share: 0.35 }) },
  ...[0.2, 0.3, 0.5].flatMap((tau) =>
    [0.5, 0.6].map((inside) => ({
      label: `parent 0.4, ${inside} in supported objects ${tau}`,
      fuse: supportedShare(0.4, inside, tau),
    })),
  ),
  ...[0.5, 0.7].flatMap((alpha) =>
    [0.2, 0.4].map((tau) => ({
      label: `parent 0.4, 0.5 in frames covering <${alpha} of supported objects ${tau}`,
      fuse: frameFallback(0.4, 0.5, alpha, tau),
    })),
  ),

  { label: 'logit mean 0.4', fuse: logitMean(0.4) },
  { label: 'surer', fuse: surer() },
  { label: 'product, share by agreement/0.5', fuse: agreementShare(0.5) },
  { label: 'product, share by agreement/0.3', fuse: agreementShare(0.3) },
  { label: 'product', fuse: meanKeepingUnseen(0.15, true) },
  ...[0.1, 0.2, 0.3, 0.4, 0.5].map((t) => ({
    label: `product + supported parent objects ${t}`,
    fuse: meanPlusSupported(t),
  })),
  { label: 'fine', fuse: (c) => c.F },
  { label: 'parent', fuse: (c) => c.P },
  { label: 'mean', fuse: mean(0.5) },
  { label: 'mean, fine alone if agreement<0.5', fuse: meanUnlessDisagrees() },
  ...[0.05, 0.15, 0.3].flatMap((u) => [
    { label: `mean, unseen<${u} kept`, fuse: meanKeepingUnseen(u, false) },
    { label: `mean, unseen<${u} kept if nothing seen`, fuse: meanKeepingUnseen(u, true) },
  ]),
  { label: 'mean parent 0.35', fuse: mean(0.35) },
  { label: 'mean parent 0.65', fuse: mean(0.65) },
  { label: 'agreement-mean', fuse: agreementMean() },
  ...[0.3, 0.5, 0.6].flatMap((tau) => [
    { label: `select ${tau}`, fuse: select(tau, 0, true, 0) },
    { label: `select ${tau} halo 16`, fuse: select(tau, 16, true, 0) },
    { label: `select ${tau} only-parent`, fuse: select(tau, 0, false, 0) },
  ]),
  ...[0.5, 0.7].flatMap((a) => [
    { label: `select 0.15 halo 16 if agreement>=${a}`, fuse: select(0.15, 16, true, a) },
    { label: `select 0.3 halo 16 if agreement>=${a}`, fuse: select(0.3, 16, true, a) },
  ]),
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      parent: { type: 'string' },
      fine: { type: 'string' },
      step: { type: 'string', default: '4' },
      seqs: { type: 'string' },
      variants: { type: 'string' },
    },
  });
  // --variants 'a|b': only the variants with these labels (a full run scores ~45 per frame).
  const wanted = values.variants?.split('|');
  const VARIANTS = wanted ? ALL_VARIANTS.filter((v) => wanted.includes(v.label)) : ALL_VARIANTS;
  if (wanted && VARIANTS.length !== wanted.length) throw new Error(`unknown variant in ${values.variants}`);
  if (!values.parent || !values.fine) throw new Error('--parent DIR and --fine DIR are required');
  const step = Number(values.step);
  const seqs = values.seqs?.split(',') ?? (await listSequences(values.davis));
  const perSeq: Record<string, { J: number; F: number }[]> = {};
  for (const seq of seqs) {
    if (!(await fs.stat(path.join(values.fine, seq)).catch(() => null))) continue;
    const frames = await listFrames(values.davis, seq);
    const gt0 = await readGroundTruth(values.davis, seq, frames[0]!);
    const w = 854;
    const h = gt0.length / w;
    const name = (i: number) => `${String(i).padStart(5, '0')}.png`;
    const p0 = (await readSoftMap(path.join(values.parent, seq, name(0)), w, h)).data;
    const agreement = jaccard(
      Uint8Array.from(p0, (v) => (v >= 0.5 ? 1 : 0)),
      gt0,
      w,
      h,
    );
    const totals = VARIANTS.map(() => ({ J: 0, F: 0 }));
    let n = 0;
    for (let i = 1; i < frames.length - 1; i++) {
      if (i % step !== 0) continue;
      const gt = await readGroundTruth(values.davis, seq, frames[i]!);
      const P = (await readSoftMap(path.join(values.parent, seq, name(i)), w, h)).data;
      const F = (await readSoftMap(path.join(values.fine, seq, name(i)), w, h)).data;
      VARIANTS.forEach((v, k) => {
        const out = v.fuse({ P, F, w, h, agreement });
        const bin = new Uint8Array(out.length);
        for (let q = 0; q < out.length; q++) bin[q] = out[q]! >= 0.5 ? 1 : 0;
        totals[k]!.J += jaccard(bin, gt, w, h);
        totals[k]!.F += boundaryF(bin, gt, w, h);
      });
      n++;
    }
    perSeq[seq] = totals.map((t) => ({ J: t.J / n, F: t.F / n }));
    process.stdout.write(
      `${seq} (agreement ${agreement.toFixed(2)}): ${VARIANTS.map((v, k) => `${v.label} ${perSeq[seq]![k]!.J.toFixed(3)}`).join(' | ')}\n`,
    );
  }
  const names = Object.keys(perSeq);
  process.stdout.write(
    `\n| variant | J mean | F mean | (${names.length} sequences, every ${step}th frame, threshold 0.5, no finishing)\n|---|---|---|\n`,
  );
  VARIANTS.forEach((v, k) => {
    const J = names.reduce((a, s) => a + perSeq[s]![k]!.J, 0) / names.length;
    const F = names.reduce((a, s) => a + perSeq[s]![k]!.F, 0) / names.length;
    process.stdout.write(`| ${v.label} | ${J.toFixed(3)} | ${F.toFixed(3)} |\n`);
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
