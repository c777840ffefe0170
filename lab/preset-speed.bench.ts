/**
 * Each preset's fine-tune seconds and per-frame seconds on the embedded sample clip (854×480), in
 * one process beside the parent network's raw 1024² pass (`session.run` only), so that the figures
 * can be read as ratios on a loaded machine.
 *
 *   npx tsx lab/preset-speed.bench.ts [--presets fast,balanced] [--frames 6]
 *
 * Per-frame time is `predict()` (pre-processing, every network pass of the preset, the parent
 * guide, the map back at frame size), median over the frames; matte finishing is not included.
 * Two figures per preset: frames segmented for the first time (no parent map cached), and the
 * same frames segmented again by a freshly loaded segmenter, as after a correction, where the
 * parent's maps come from the method's cache (osvos/parent-map-cache.ts).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  SegmentationModel,
  PRESET_NAMES,
  ParentMapCache,
  createOneShotMethod,
  type FrameSegmenter,
  resolveSettings,
  type PresetName,
  openFrameSource,
  readMask,
  sampleClip,
} from '@oneshot-roto/core';
import { median } from './timing-stats';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      presets: { type: 'string', default: 'fast,balanced' },
      frames: { type: 'string', default: '6' },
    },
  });
  const presets = values.presets.split(',') as PresetName[];
  for (const p of presets) if (!PRESET_NAMES.includes(p)) throw new Error(`unknown preset ${p}`);
  const count = Number(values.frames);
  const sample = sampleClip();
  const source = await openFrameSource(sample.framesDir);
  const m = await readMask(path.join(sample.annotationsDir, '00000.png'));
  const annotation = { frameIndex: 0, mask: m.data, width: m.width, height: m.height };
  const frames = await Promise.all(
    Array.from({ length: count }, (_, k) => source.readFrame(1 + ((k * 3) % (source.frameCount - 1)))),
  );

  const parent = await SegmentationModel.load({ resolution: 1024 });
  const rawTimes = async () => {
    const input = await parent.preprocess([frames[0]!]);
    await parent.runRaw(input); // warm-up
    const t: number[] = [];
    for (let k = 0; k < count; k++) {
      const s = performance.now();
      await parent.runRaw(input);
      t.push(performance.now() - s);
    }
    return median(t);
  };
  const rows: string[] = [];
  // First passes: no parent map is ever reused, the warm-up frame included.
  const cold = createOneShotMethod({ parentMaps: new ParentMapCache({ maxBytes: 0 }) });
  const timeFrames = async (model: FrameSegmenter) => {
    const t: number[] = [];
    for (const f of frames) {
      const s = performance.now();
      await model.predict(f);
      t.push(performance.now() - s);
    }
    return median(t);
  };
  for (const preset of presets) {
    const settings = resolveSettings(preset);
    const tuned = await cold.fineTune(source, [annotation], settings);
    let s = performance.now();
    const model = await cold.segmenter(tuned.weights);
    await model.predict(frames[0]!); // warm-up, and the parent's session created
    const loadFirst = performance.now() - s;
    const perFrame = await timeFrames(model);
    await model.dispose();
    // A correction round: the frames were segmented once; a new segmenter (new weights, as after
    // a correction) segments them again with the parent's maps cached.
    const warm = createOneShotMethod({ parentMaps: new ParentMapCache() });
    const firstRound = await warm.segmenter(tuned.weights);
    for (const f of frames) await firstRound.predict(f);
    await firstRound.dispose();
    s = performance.now();
    const again = await warm.segmenter(tuned.weights);
    await again.predict(frames[0]!); // warm-up (a cached frame: no parent session)
    const loadAgain = performance.now() - s;
    const perFrameAgain = await timeFrames(again);
    await again.dispose();
    const raw = await rawTimes(); // the reference, taken right after, under the same load
    rows.push(
      `| ${preset} | ${tuned.seconds.toFixed(1)} s / ${tuned.iterations} steps (${tuned.stoppedBy}) | ${(perFrame / 1000).toFixed(2)} s | ${(perFrameAgain / 1000).toFixed(2)} s | ${(raw / 1000).toFixed(2)} s | ${(perFrame / raw).toFixed(2)} | ${(perFrameAgain / raw).toFixed(2)} | ${(loadFirst / 1000).toFixed(2)} s / ${(loadAgain / 1000).toFixed(2)} s |`,
    );
    process.stdout.write(`${rows[rows.length - 1]}\n`);
  }
  await parent.dispose();
  await source.close();
  process.stdout.write(
    `\n| preset | fine-tune | per frame, first pass (median of ${count}) | per frame, frames seen before | parent raw 1024² pass | first pass / raw pass | seen before / raw pass | segmenter load + first frame: first pass / seen before |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
