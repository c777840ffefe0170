/**
 * Inference engine benchmark on real DAVIS frames.
 *
 *   nice npx tsx lab/inference.bench.ts [--resolutions 320,512,768] [--frames 6]
 *        [--davis /work/shared/davis2016-train] [--threads N] [--batch-sizes 1,2,4] [--batch-resolution 512]
 *        [--fidelity] [--json out.json]
 *
 * Per resolution: median seconds per frame of SegmentationModel.predict() (resize with sharp,
 * network, resize back to 854×480) and of the raw session.run (runRaw) on the same pre-processed
 * input, measured interleaved frame by frame after one warm-up of each; overhead = predict/raw − 1.
 * As that difference drowns in noise on a loaded machine, the pre- and post-processing are also
 * timed alone (median of 4 passes over the frames): overhead from parts = (pre + post) / raw.
 * Then raw seconds per frame at batch sizes 1/2/4. With --fidelity, the prepared fp32 model at
 * 1024² is compared with the untouched fp16 original on one frame (every output).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import pino from 'pino';
import sharp from 'sharp';
import {
  setLogger,
  ensureParentModel,
  resizeBilinear,
  SegmentationModel,
  assembleImglyModel,
  preprocessFrame,
  type RgbFrame,
  sampleClip,
} from '@oneshot-roto/core';
import { DEFAULT_DAVIS_DIR } from './davis-location';
import { median } from './timing-stats';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const seconds = async (fn: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};

async function readFrame(file: string): Promise<RgbFrame> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

/** One frame from each of the first `n` sequences (frame 00010), or the embedded bear clip. */
async function loadFrames(davis: string, n: number): Promise<{ frames: RgbFrame[]; names: string[] }> {
  const root = path.join(davis, 'JPEGImages', '480p');
  const sequences = (await fs.readdir(root).catch(() => [] as string[])).sort();
  const files =
    sequences.length > 0
      ? sequences.slice(0, n).map((s) => path.join(root, s, '00010.jpg'))
      : Array.from({ length: n }, (_, i) =>
          path.join(sampleClip().framesDir, `${String(i).padStart(5, '0')}.jpg`),
        );
  return {
    frames: await Promise.all(files.map(readFrame)),
    names: files.map((f) => path.relative(davis, f)),
  };
}

async function benchResolution(resolution: number, frames: RgbFrame[], threads: number) {
  const model = await SegmentationModel.load({ resolution, threads });
  const inputs = await Promise.all(frames.map((f) => model.preprocess([f])));
  await model.runRaw(inputs[0]!, 1);
  await model.predict(frames[0]!);
  const raw: number[] = [];
  const predict: number[] = [];
  for (const [i, frame] of frames.entries()) {
    raw.push(await seconds(() => model.runRaw(inputs[i]!, 1)));
    predict.push(await seconds(() => model.predict(frame)));
  }
  // The pieces of predict() outside the network, timed alone (many repetitions: these are short,
  // so this estimate is far less exposed to other processes' load than predict − raw).
  const pre: number[] = [];
  const post: number[] = [];
  const rawMap = (await model.runRaw(inputs[0]!, 1)).data;
  for (let k = 0; k < 4; k++) {
    for (const f of frames) {
      pre.push(await seconds(() => model.preprocess([f])));
      post.push(await seconds(async () => resizeBilinear(rawMap, resolution, resolution, f.width, f.height)));
    }
  }
  await model.dispose();
  const r = median(raw);
  const p = median(predict);
  return {
    resolution,
    executionProvider: model.executionProvider,
    rawSeconds: r,
    predictSeconds: p,
    overhead: p / r - 1,
    preprocessSeconds: median(pre),
    postprocessSeconds: median(post),
    overheadFromParts: (median(pre) + median(post)) / r,
    rawRuns: raw,
    predictRuns: predict,
  };
}

async function benchBatch(
  resolution: number,
  frame: RgbFrame,
  sizes: number[],
  threads: number,
  reps: number,
) {
  const model = await SegmentationModel.load({ resolution, threads });
  const out: Array<{ batch: number; secondsPerFrame: number }> = [];
  for (const b of sizes) {
    const input = await model.preprocess(new Array<RgbFrame>(b).fill(frame));
    await model.runRaw(input, b);
    const runs: number[] = [];
    for (let k = 0; k < reps; k++) runs.push(await seconds(() => model.runRaw(input, b)));
    out.push({ batch: b, secondsPerFrame: median(runs) / b });
  }
  await model.dispose();
  return out;
}

async function fidelity(frame: RgbFrame, threads: number) {
  const R = 1024;
  const input = await preprocessFrame(frame, R, R);
  const feeds = { input: new ort.Tensor('float32', input, [1, 3, R, R]) };
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    logSeverityLevel: 3,
  };
  const { bytes } = await assembleImglyModel();
  const fp16 = await ort.InferenceSession.create(bytes, opts);
  const ref = await fp16.run(feeds);
  await fp16.release();
  const fp32 = await ort.InferenceSession.create(
    (await ensureParentModel({ resolution: R })).modelPath,
    opts,
  );
  const got = await fp32.run(feeds);
  await fp32.release();
  return Object.entries(ref).map(([name, want]) => {
    const have = got[name];
    if (!have) throw new Error(`the fp32 model gave no output "${name}"`);
    const a = have.data as Float32Array;
    const b = want.data as Float32Array;
    let max = 0;
    let sum = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      sum += d;
      max = Math.max(max, d);
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    return { name, dims: want.dims.join('x'), maxAbs: max, meanAbs: sum / a.length, maxRef: scale };
  });
}

async function main(): Promise<void> {
  setLogger(pino({ level: 'warn' }));
  const resolutions = arg('resolutions', '320,512,768').split(',').map(Number);
  const threads = Number(arg('threads', String(os.availableParallelism())));
  const { frames, names } = await loadFrames(arg('davis', DEFAULT_DAVIS_DIR), Number(arg('frames', '6')));
  const header = {
    date: new Date().toISOString(),
    cpus: `${os.cpus().length}× ${os.cpus()[0]?.model ?? '?'}`,
    loadavg: os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' '),
    threads,
    frames: names,
  };
  console.log(JSON.stringify(header));
  const results = [];
  for (const r of resolutions) {
    const res = await benchResolution(r, frames, threads);
    results.push(res);
    console.log(
      `${r}x${r} [${res.executionProvider}] predict ${res.predictSeconds.toFixed(3)} s/frame, raw session.run ${res.rawSeconds.toFixed(3)} s/frame, ` +
        `overhead measured ${(100 * res.overhead).toFixed(1)}%, from parts ${(100 * res.overheadFromParts).toFixed(1)}% ` +
        `(pre-process ${(1000 * res.preprocessSeconds).toFixed(1)} ms + post-process ${(1000 * res.postprocessSeconds).toFixed(1)} ms)`,
    );
  }
  const batchSizes = arg('batch-sizes', '1,2,4').split(',').map(Number);
  const batchRes = Number(arg('batch-resolution', '512'));
  const batches = await benchBatch(batchRes, frames[0]!, batchSizes, threads, 3);
  for (const b of batches)
    console.log(`${batchRes}x${batchRes} raw batch ${b.batch}: ${b.secondsPerFrame.toFixed(3)} s/frame`);
  const fid = flag('fidelity') ? await fidelity(frames[0]!, threads) : undefined;
  for (const f of fid ?? [])
    console.log(
      `fidelity 1024² fp32 vs fp16 original: ${f.name} [${f.dims}] max |Δ| ${f.maxAbs.toExponential(2)}, mean |Δ| ${f.meanAbs.toExponential(2)}, max |ref| ${f.maxRef.toFixed(2)}`,
    );
  const json = arg('json', '');
  if (json)
    await fs.writeFile(json, `${JSON.stringify({ ...header, results, batches, fidelity: fid }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
