/**
 * A second, zoomed-in look at the object: the full-frame soft map's foreground box (plus a margin,
 * widened to the frame's aspect ratio so the network sees the same distortion as in training) is
 * cut from the frame, segmented again by the same fine-tuned network at its input size, and the
 * crop's map replaces or is averaged with the full-frame map inside the box. Small objects get
 * several times more network pixels; the fine-tune is unchanged.
 *
 *   nice npx tsx lab/crop-zoom.ts --weights-dir .bench/res-best --soft .bench/soft-best
 *        [--davis ../shared/davis2016-train] [--sequences a,b] [--stride 3] [--margins 0.15,0.3]
 *        [--soft-out DIR --soft-variant m0.4/average]
 *
 * The box rule and the blend are the product's (model/zoom-pass.ts: at most 3× zoom, boxes over
 * 80 % of the frame skipped); only the margin varies here.
 * `--soft` holds the full-frame maps `eval --soft-out` wrote with the same weights (read, not
 * recomputed). J / F at threshold 0.5 on frames 1…n−2 (every --stride-th), per sequence and mean.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  loadFineTunedModel,
  readWeights,
  boundaryF,
  jaccard,
  binarize,
  makeFloatMatte,
  openMatteWriter,
  blendZoomed,
  cropFrame,
  zoomBox,
  type ZoomBox,
} from '@oneshot-roto/core';
import { listFrames, listSequences, readFrame, readGroundTruth, readSoftMap } from './snapping-data';
import { DEFAULT_DAVIS_DIR } from './davis-location';

/** The product's zoom pass with a replace-instead-of-average option. */
function paste(
  full: Float32Array,
  width: number,
  part: Float32Array,
  b: ZoomBox,
  mode: 'replace' | 'average',
): Float32Array {
  const out = full.slice();
  if (mode === 'average') blendZoomed(out, width, part, b);
  else
    for (let y = 0; y < b.height; y++)
      out.set(part.subarray(y * b.width, (y + 1) * b.width), (b.y + y) * width + b.x);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      davis: { type: 'string', default: DEFAULT_DAVIS_DIR },
      'weights-dir': { type: 'string' },
      soft: { type: 'string' },
      sequences: { type: 'string' },
      stride: { type: 'string', default: '3' },
      margins: { type: 'string', default: '0.15,0.3' },
      'soft-out': { type: 'string' },
      'soft-variant': { type: 'string' },
    },
  });
  if (!values['weights-dir'] || !values.soft)
    throw new Error('--weights-dir <dir of <seq>.weights> and --soft <dir of full-frame maps> are required');
  const margins = values.margins.split(',').map(Number);
  const stride = Number(values.stride);
  const modes = ['replace', 'average'] as const;
  const labels = ['full', ...margins.flatMap((m) => modes.map((mode) => `m${m}/${mode}`))];
  if (values['soft-variant'] && !labels.includes(values['soft-variant']))
    throw new Error(`--soft-variant: one of ${labels.join(', ')}`);
  const sequences = values.sequences?.split(',') ?? (await listSequences(values.davis));
  const means: Record<string, { J: number; F: number }[]> = Object.fromEntries(labels.map((l) => [l, []]));
  let zoomed = 0;
  let scored = 0;
  for (const seq of sequences) {
    const w = await readWeights(path.join(values['weights-dir'], `${seq}.weights`)).catch(() => undefined);
    if (!w) {
      console.log(`${seq}: no weights, skipped`);
      continue;
    }
    const model = await loadFineTunedModel(w, {});
    const frames = (await listFrames(values.davis, seq)).slice(1, -1).filter((_, i) => i % stride === 0);
    const sums = labels.map(() => ({ J: 0, F: 0 }));
    const first = await readFrame(values.davis, seq, frames[0]!);
    const writer =
      values['soft-out'] && values['soft-variant']
        ? await openMatteWriter('png16', {
            outDir: path.join(values['soft-out'], seq),
            baseName: '',
            startNumber: 0,
            fps: 24,
            width: first.width,
            height: first.height,
          })
        : undefined;
    for (const name of frames) {
      const frame = await readFrame(values.davis, seq, name);
      const { width, height } = frame;
      const gt = await readGroundTruth(values.davis, seq, name);
      const full = (await readSoftMap(path.join(values.soft, seq, `${name}.png`), width, height)).data;
      const maps = new Map<string, Float32Array>([['full', full]]);
      for (const m of margins) {
        const box = zoomBox(full, width, height, m);
        const part = box ? await model.predict(cropFrame(frame, box)) : undefined;
        if (box) zoomed++;
        for (const mode of modes)
          maps.set(`m${m}/${mode}`, box && part ? paste(full, width, part, box, mode) : full);
      }
      labels.forEach((l, k) => {
        const mask = binarize(makeFloatMatte(maps.get(l)!, width, height), 0.5);
        sums[k]!.J += jaccard(mask, gt, width, height);
        sums[k]!.F += boundaryF(mask, gt, width, height);
      });
      if (writer)
        await writer.write(Number(name), makeFloatMatte(maps.get(values['soft-variant']!)!, width, height));
      scored++;
    }
    await writer?.close();
    await model.dispose();
    labels.forEach((l, k) =>
      means[l]!.push({ J: sums[k]!.J / frames.length, F: sums[k]!.F / frames.length }),
    );
    console.log(
      `${seq.padEnd(16)} ` +
        labels
          .map(
            (l, k) =>
              `${l} ${(sums[k]!.J / frames.length).toFixed(3)}/${(sums[k]!.F / frames.length).toFixed(3)}`,
          )
          .join('  '),
    );
  }
  console.log(`| variant | J mean | F mean |  (${scored} frames, ${zoomed} crops)\n|---|---|---|`);
  for (const l of labels) {
    const rows = means[l]!;
    const J = rows.reduce((a, r) => a + r.J, 0) / rows.length;
    const F = rows.reduce((a, r) => a + r.F, 0) / rows.length;
    console.log(`| ${l} | ${(100 * J).toFixed(2)} | ${(100 * F).toFixed(2)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
