/**
 * Boundary-snapping benchmark: J and F means (DAVIS protocol: first and last frame of each
 * sequence excluded; mean per sequence, then over sequences) with and without each snapping
 * option, and milliseconds per frame of each option (median over the frames).
 *
 *   nice npx tsx lab/snapping.bench.ts [--davis DIR] [--soft DIR] [--stride N]
 *        [--seqs a,b] [--synthetic-factor 8] [--synthetic-blur 1] [--synthetic-warp 0] [--json FILE]
 *
 * --soft DIR: soft maps as `<DIR>/<seq>/<frame>.png` (8/16-bit gray, resized to the frame if
 * needed); `--soft a,b` averages several runs' maps (an ensemble of their networks). Without it, a SYNTHETIC stand-in is used: the ground truth downsampled by
 * --synthetic-factor, blurred, and upsampled (a network run at low resolution), optionally first
 * warped by a smooth random displacement of up to --synthetic-warp px (boundary errors) — results
 * on it are labelled as such. `snapping-softmaps.ts` writes real (zero-shot parent) soft maps.
 */
import { promises as fs } from 'node:fs';
import {
  boundaryF,
  jaccard,
  dropStrayIslands,
  protectSmallComponents,
  snapSoftMap,
  dropIslandsMask,
  fillHolesMask,
  DEFAULT_MATTE_OPTIONS,
  guidedFilter,
  type GuidedFilterParams,
  DEFAULT_DENSE_CRF,
  denseCrf,
  type DenseCrfParams,
  binarize,
  makeFloatMatte,
  type FloatMatte,
  majorityVote,
  slicSuperpixels,
  type RgbFrame,
} from '@oneshot-roto/core';
import { colourPrior, DEFAULT_COLOUR_PRIOR, type ColourPriorParams } from './colour-prior';
import {
  frameSeed,
  warpMask,
  listFrames,
  listSequences,
  readFrame,
  readGroundTruth,
  readAveragedSoftMap,
  syntheticSoftMap,
} from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { median } from './timing-stats';

interface Args {
  davis: string;
  soft?: string;
  stride: number;
  seqs?: string[];
  factor: number;
  blur: number;
  warp: number;
  json?: string;
  /** Extra guided-filter variants, e.g. `radius=16,epsilon=1e-3,confidenceWeighted=1`. */
  guided: string[];
  /** Dense-CRF variants, e.g. `appearanceWeight=3,sigmaSpatial=16` (`islands=1`: stray islands dropped first). */
  crf: string[];
  /** Colour-prior variants before the CRF, e.g. `weight=0.5,clamp=3` (stray islands dropped first). */
  colour: string[];
  /** Only these options (default: all). */
  only?: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    davis: DEFAULT_DAVIS_DIR,
    stride: 1,
    factor: 8,
    blur: 1,
    warp: 0,
    guided: [],
    crf: [],
    colour: [],
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--davis') a.davis = v;
    else if (k === '--soft') a.soft = v;
    else if (k === '--stride') a.stride = Number(v);
    else if (k === '--seqs') a.seqs = v.split(',');
    else if (k === '--synthetic-factor') a.factor = Number(v);
    else if (k === '--synthetic-blur') a.blur = Number(v);
    else if (k === '--synthetic-warp') a.warp = Number(v);
    else if (k === '--json') a.json = v;
    else if (k === '--guided') a.guided.push(v);
    else if (k === '--crf') a.crf.push(v);
    else if (k === '--colour') a.colour.push(v);
    else if (k === '--only') a.only = v.split(',');
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

type Snap = (soft: FloatMatte, frame: RgbFrame) => Uint8Array;

const superpixel = (mask: Uint8Array, frame: RgbFrame): Uint8Array => {
  const m = makeFloatMatte(Float32Array.from(mask), frame.width, frame.height);
  return binarize(majorityVote(m, slicSuperpixels(frame), 0.5), 0.5);
};

const OPTIONS: Record<string, Snap> = {
  none: (s) => binarize(s, 0.5),
  guided: (s, f) => binarize(snapSoftMap(s, f, 'guided'), 0.5),
  bilateral: (s, f) => binarize(snapSoftMap(s, f, 'bilateral'), 0.5),
  crf: (s, f) => binarize(snapSoftMap(s, f, 'crf'), 0.5),
  superpixel: (s, f) => superpixel(binarize(s, 0.5), f),
  'guided+superpixel': (s, f) => superpixel(binarize(snapSoftMap(s, f, 'guided'), 0.5), f),
  'bilateral+superpixel': (s, f) => superpixel(binarize(snapSoftMap(s, f, 'bilateral'), 0.5), f),
  // The finishing default: islands under 5 % of the frame's largest dropped.
  islands: (s) => binarize(dropStray(s), 0.5),
  'crf+islands': (s, f) => binarize(snapSoftMap(dropStray(s), f, 'crf'), 0.5),
};

/** The pipeline's first step: stray islands dropped from the network's map, before any snap. */
function dropStray(soft: FloatMatte): FloatMatte {
  return dropStrayIslands(soft, 0.5, DEFAULT_MATTE_OPTIONS.dropIslandsRelative);
}

const cleanSpeckle = (mask: Uint8Array, w: number, h: number, px: number) =>
  fillHolesMask(dropIslandsMask(mask, w, h, px), w, h, px);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const source = args.soft
    ? `soft maps from ${args.soft}`
    : `SYNTHETIC stand-in soft maps (GT ${args.warp ? `warped by a smooth random field of ±${args.warp} px, ` : ''}` +
      `downsampled ×${args.factor}, blur σ=${args.blur} low-res px, bilinear upsample)`;
  const seqs = args.seqs ?? (await listSequences(args.davis));
  for (const spec of args.guided) {
    const params: Partial<GuidedFilterParams> = {};
    let band = 0;
    let clean = 0;
    for (const kv of spec.split(',')) {
      const [key, value] = kv.split('=');
      if (key === 'band') band = Number(value);
      else if (key === 'clean') clean = Number(value);
      else if (key === 'confidenceWeighted') params.confidenceWeighted = value === '1';
      else if (key === 'radius' || key === 'epsilon' || key === 'subsample') params[key] = Number(value);
      else throw new Error(`unknown guided-filter parameter ${key}`);
    }
    OPTIONS[`guided(${spec})`] = (soft, frame) => {
      const snapped = protectSmallComponents(soft, guidedFilter(soft, frame, params), 0.5);
      // Confident pixels (soft outside [band, 1 − band]) keep the network's value.
      if (band > 0)
        for (let i = 0; i < snapped.data.length; i++) {
          const v = soft.data[i]!;
          if (v < band || v > 1 - band) snapped.data[i] = v;
        }
      const mask = binarize(snapped, 0.5);
      // Speckle the filter made in textured areas: islands and holes below `clean` px.
      return clean > 0 ? cleanSpeckle(mask, frame.width, frame.height, clean) : mask;
    };
  }
  for (const spec of args.crf) {
    const params: Partial<DenseCrfParams> = {};
    let islandsFirst = false;
    for (const kv of spec.split(',')) {
      const [key, value] = kv.split('=');
      if (key === undefined || value === undefined)
        throw new Error(`--crf wants key=value pairs, not "${kv}"`);
      // `islands=1`: stray islands dropped first, as the matte pipeline does before its snap.
      if (key === 'islands') islandsFirst = value === '1';
      else if (!(key in DEFAULT_DENSE_CRF)) throw new Error(`unknown dense-CRF parameter ${key}`);
      else if (key === 'everyPixel') params.everyPixel = value === '1';
      else (params as Record<string, number>)[key] = Number(value);
    }
    OPTIONS[`crf(${spec})`] = (raw, frame) => {
      const soft = islandsFirst ? dropStray(raw) : raw;
      return binarize(protectSmallComponents(soft, denseCrf(soft, frame, params), 0.5), 0.5);
    };
  }
  for (const spec of args.colour) {
    const params: Partial<ColourPriorParams> = {};
    for (const kv of spec.split(',')) {
      const [key, value] = kv.split('=');
      if (key === undefined || value === undefined)
        throw new Error(`--colour wants key=value pairs, not "${kv}"`);
      if (!(key in DEFAULT_COLOUR_PRIOR)) throw new Error(`unknown colour-prior parameter ${key}`);
      params[key as keyof ColourPriorParams] = Number(value);
    }
    OPTIONS[`colour(${spec})+crf+islands`] = (raw, frame) =>
      binarize(snapSoftMap(colourPrior(dropStray(raw), frame, params), frame, 'crf'), 0.5);
    OPTIONS[`colour(${spec})+islands`] = (raw, frame) =>
      binarize(colourPrior(dropStray(raw), frame, params), 0.5);
  }
  if (args.guided.length > 0)
    OPTIONS['none+clean'] = (s, f) => cleanSpeckle(binarize(s, 0.5), f.width, f.height, 200);
  const names = Object.keys(OPTIONS).filter(
    (n) =>
      n === 'none' ||
      !args.only ||
      args.only.includes(n) ||
      n.startsWith('guided(') ||
      n.startsWith('crf(') ||
      n.startsWith('colour('),
  );
  const perSeq: Record<string, { J: number; F: number }[]> = Object.fromEntries(names.map((n) => [n, []]));
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let frames = 0;
  for (const seq of seqs) {
    const all = await listFrames(args.davis, seq);
    const picked = all.slice(1, -1).filter((_, i) => i % args.stride === 0);
    const acc: Record<string, { J: number[]; F: number[] }> = Object.fromEntries(
      names.map((n) => [n, { J: [], F: [] }]),
    );
    // OPTIONS, times, perSeq and acc all have an entry for every name in `names`.
    for (const name of picked) {
      const frame = await readFrame(args.davis, seq, name);
      const gt = await readGroundTruth(args.davis, seq, name);
      const soft = args.soft
        ? await readAveragedSoftMap(args.soft.split(','), seq, name, frame.width, frame.height)
        : await syntheticSoftMap(
            args.warp > 0 ? warpMask(gt, frame.width, frame.height, args.warp, frameSeed(seq, name)) : gt,
            frame.width,
            frame.height,
            args.factor,
            args.blur,
          );
      for (const opt of names) {
        const t0 = performance.now();
        const mask = OPTIONS[opt]!(soft, frame);
        times[opt]!.push(performance.now() - t0);
        acc[opt]!.J.push(jaccard(mask, gt, frame.width, frame.height));
        acc[opt]!.F.push(boundaryF(mask, gt, frame.width, frame.height));
      }
      frames++;
    }
    for (const opt of names) perSeq[opt]!.push({ J: mean(acc[opt]!.J), F: mean(acc[opt]!.F) });
    process.stderr.write(
      `${seq}: ${picked.length} frames; ` +
        names
          .map((n) => `${n} J ${(100 * mean(acc[n]!.J)).toFixed(1)} F ${(100 * mean(acc[n]!.F)).toFixed(1)}`)
          .join(' | ') +
        '\n',
    );
  }
  const rows = names.map((n) => ({
    option: n,
    J: 100 * mean(perSeq[n]!.map((s) => s.J)),
    F: 100 * mean(perSeq[n]!.map((s) => s.F)),
    msPerFrame: median(times[n]!),
  }));
  const base = rows[0]!;
  console.log(
    `Snapping on ${args.davis} (${seqs.length} sequences, ${frames} frames, stride ${args.stride}); ${source}`,
  );
  console.log('| option | J mean | F mean | ΔJ | ΔF | ms/frame (median) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.option} | ${r.J.toFixed(2)} | ${r.F.toFixed(2)} | ${(r.J - base.J).toFixed(2)} | ${(r.F - base.F).toFixed(2)} | ${r.msPerFrame.toFixed(0)} |`,
    );
  }
  if (args.json)
    await fs.writeFile(
      args.json,
      JSON.stringify({ source, seqs, frames, stride: args.stride, rows }, null, 2),
    );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
