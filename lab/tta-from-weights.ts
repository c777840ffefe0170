/**
 * Test-time augmentation study on saved fine-tuned weights (no fine-tuning): each sequence's
 * `<weights-dir>/<seq>.weights` (as `eval --results-out` writes them) is baked into the parent at
 * every resolution in --resolutions, each frame is segmented at each resolution, with and without
 * a horizontal flip, and J / F (DAVIS measures, frames 1…n−2, every --stride-th) are reported for
 * each single prediction and for averages of the soft maps (flip average, multi-resolution
 * average). One pass of predictions scores every combination.
 *
 *   nice npx tsx lab/tta-from-weights.ts --weights-dir .bench/res-r768
 *        [--davis ../shared/davis2016-train] [--sequences a,b] [--stride 4]
 *        [--resolutions 512,768,1024] [--json FILE] [--soft-out DIR --soft-combo 768,768+flip]
 *
 * The weights are resolution-independent (convolution kernels); the parent is specialised to each
 * resolution, so a resolution other than the training one tests train/test scale mismatch.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  SegmentationModel,
  mirrorPlanes,
  listDavisSequences,
  loadDavisSequence,
  annotationPath,
  framePath,
  boundaryF,
  jaccard,
  decodeRgbImage,
  readMask,
  readWeights,
  openMatteWriter,
  binarize,
  makeFloatMatte,
} from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { modelAt, flipRgb } from './saved-network';

function average(maps: Float32Array[]): Float32Array {
  const out = new Float32Array(maps[0]!.length);
  for (const m of maps) for (let i = 0; i < out.length; i++) out[i]! += m[i]! / maps.length;
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      'weights-dir': { type: 'string' },
      sequences: { type: 'string' },
      stride: { type: 'string', default: '4' },
      resolutions: { type: 'string', default: '768' },
      json: { type: 'string' },
      'soft-out': { type: 'string' },
      'soft-combo': { type: 'string' },
    },
  });
  if (!values['weights-dir']) throw new Error('--weights-dir <dir with <seq>.weights> is required');
  const resolutions = values.resolutions.split(',').map(Number);
  const stride = Number(values.stride);
  const seqs = await listDavisSequences(values.davis, { sequences: values.sequences?.split(',') });
  // combination name -> which predictions (resolution, flipped) it averages
  const combos = new Map<string, { r: number; flip: boolean }[]>();
  const views = (rs: number[], flip: boolean) =>
    rs.flatMap((r) =>
      flip
        ? [
            { r, flip: false },
            { r, flip: true },
          ]
        : [{ r, flip: false }],
    );
  const addAverages = (rs: number[]) => {
    combos.set(rs.join('/'), views(rs, false));
    combos.set(`${rs.join('/')}+flip`, views(rs, true));
  };
  for (const r of resolutions) {
    combos.set(`${r}`, views([r], false));
    combos.set(`${r}-mirrored`, [{ r, flip: true }]);
    combos.set(`${r}+flip`, views([r], true));
  }
  if (resolutions.length > 1) {
    addAverages(resolutions);
    for (let i = 0; i + 1 < resolutions.length; i++) addAverages(resolutions.slice(i, i + 2));
  }
  const perSeq: Record<string, Record<string, { J: number; F: number; frames: number }>> = {};
  for (const name of seqs) {
    const weightsFile = path.join(values['weights-dir'], `${name}.weights`);
    const w = await readWeights(weightsFile).catch(() => undefined);
    if (!w) {
      console.log(`${name}: no ${weightsFile}, skipped`);
      continue;
    }
    const seq = await loadDavisSequence(values.davis, name);
    const models = new Map<number, SegmentationModel>();
    for (const r of resolutions) models.set(r, await modelAt(w, r));
    const sums = new Map<string, { J: number; F: number }>(
      [...combos.keys()].map((k) => [k, { J: 0, F: 0 }]),
    );
    // Soft maps of the chosen combinations, `<soft-out>/<combination>/<seq>/<frame>.png` (16-bit).
    const size = await decodeRgbImage(framePath(seq, seq.frameNames[0]!));
    const softWriters = new Map<string, Awaited<ReturnType<typeof openMatteWriter>>>();
    for (const combo of values['soft-combo']?.split(',') ?? []) {
      if (!combos.has(combo))
        throw new Error(`--soft-combo ${combo}: not one of ${[...combos.keys()].join(', ')}`);
      if (!values['soft-out']) throw new Error('--soft-combo needs --soft-out <dir>');
      softWriters.set(
        combo,
        await openMatteWriter('png16', {
          outDir: path.join(values['soft-out'], combo, name),
          baseName: '',
          startNumber: 0,
          fps: 24,
          width: size.width,
          height: size.height,
        }),
      );
    }
    let n = 0;
    for (let i = 1; i < seq.frameNames.length - 1; i += stride) {
      const frame = await decodeRgbImage(framePath(seq, seq.frameNames[i]!));
      const gt = await readMask(annotationPath(seq, seq.frameNames[i]!));
      const preds = new Map<string, Float32Array>();
      for (const [r, m] of models) {
        preds.set(`${r}/false`, await m.predict(frame));
        preds.set(`${r}/true`, mirrorPlanes(await m.predict(flipRgb(frame)), 1, frame.width, frame.height));
      }
      for (const [key, parts] of combos) {
        const soft = makeFloatMatte(
          average(parts.map((p) => preds.get(`${p.r}/${p.flip}`)!)),
          frame.width,
          frame.height,
        );
        const bin = binarize(soft, w.threshold);
        const s = sums.get(key)!;
        s.J += jaccard(bin, gt.data, gt.width, gt.height);
        s.F += boundaryF(bin, gt.data, gt.width, gt.height);
        await softWriters.get(key)?.write(i, soft);
      }
      n++;
    }
    for (const sw of softWriters.values()) await sw.close();
    for (const m of models.values()) await m.dispose();
    perSeq[name] = Object.fromEntries([...sums].map(([k, s]) => [k, { J: s.J / n, F: s.F / n, frames: n }]));
    // Written after every sequence so a stopped run keeps what it measured.
    if (values.json)
      await fs.writeFile(values.json, JSON.stringify({ stride, resolutions, perSeq }, null, 2));
    console.log(
      `${name.padEnd(16)} ` +
        [...sums].map(([k, s]) => `${k} ${(s.J / n).toFixed(3)}/${(s.F / n).toFixed(3)}`).join('  '),
    );
  }
  const names = Object.keys(perSeq);
  console.log(`MEAN over ${names.length} sequences (J/F):`);
  for (const k of combos.keys()) {
    const J = names.reduce((a, s) => a + perSeq[s]![k]!.J, 0) / names.length;
    const F = names.reduce((a, s) => a + perSeq[s]![k]!.F, 0) / names.length;
    console.log(`  ${k.padEnd(20)} J ${J.toFixed(3)}  F ${F.toFixed(3)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
