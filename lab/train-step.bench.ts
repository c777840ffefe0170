/**
 * Train-step benchmark on the parent network (ISNet, fp32, prepared by the model module).
 *
 *   nice npx tsx lab/train-step.bench.ts [--resolution 512] [--steps 3]
 *        [--optimizer sgd|adam] [--configs full,decoder,split] [--threads N]
 *
 * Each configuration runs in its own child process (so peak RSS is per configuration) and times,
 * in that same process, `--steps` forward passes of the inference model alternating with
 * `--steps` train steps (after one warm-up run of each), reporting medians:
 *   full     every parameter trainable
 *   decoder  only the decoder (stage*d, side*) trainable, encoder frozen inside the same graph
 *   split    decoder trainable on the split suffix; the frozen prefix runs once per sample, its
 *            time is reported separately (prefix_ms)
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { ensureParentModel } from '@oneshot-roto/core';
import {
  encodeModel,
  loadModel,
  splitAtFrozenBoundary,
  buildTrainStep,
  type TrainStepOptions,
  Trainer,
} from '@oneshot-roto/onnx-train';
import { median } from './timing-stats';

const DECODER = { nodeName: /^\/(stage\d+d|side\d+)\// };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function timeOnce(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function runConfig(config: string): Promise<void> {
  const resolution = Number(arg('resolution', '512'));
  const steps = Number(arg('steps', '3'));
  const threads = Number(arg('threads', String(os.availableParallelism())));
  const optimizer: TrainStepOptions['optimizer'] =
    arg('optimizer', 'sgd') === 'adam' ? { kind: 'adam' } : { kind: 'sgd', momentum: 0.9, weightDecay: 2e-4 };
  const session = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const model = await loadModel((await ensureParentModel({ resolution })).modelPath);
  const shapes = { input: [1, 3, resolution, resolution] };
  const image = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 3 * resolution * resolution }, (_, i) => Math.sin(i * 0.001) * 0.5),
    shapes.input,
  );
  const label = new ort.Tensor(
    'float32',
    Float32Array.from({ length: resolution * resolution }, (_, i) =>
      i % resolution > resolution / 3 ? 1 : 0,
    ),
    [1, 1, resolution, resolution],
  );

  // Forward passes and train steps alternate (F, S, F, S, ...) so that both see the same machine
  // load; medians of each after one warm-up of each.
  const fwd = await ort.InferenceSession.create(encodeModel(model), session);
  const runForward = () => fwd.run({ input: image });
  let stepMs: number;
  let forwardMs: number;
  let prefixMs: number | undefined;
  let params: number;
  let buildS: number;
  let sessionS: number;
  const interleave = async (step: () => Promise<unknown>, extra?: () => Promise<unknown>) => {
    await runForward();
    await step();
    if (extra) await extra();
    const f: number[] = [];
    const st: number[] = [];
    const ex: number[] = [];
    for (let i = 0; i < steps; i++) {
      f.push(await timeOnce(runForward));
      st.push(await timeOnce(step));
      if (extra) ex.push(await timeOnce(extra));
    }
    return { forward: median(f), step: median(st), extra: extra ? median(ex) : undefined };
  };
  if (config === 'split') {
    let t = Date.now();
    const split = splitAtFrozenBoundary(model, {
      trainable: DECODER,
      inputShapes: shapes,
      outputs: ['output'],
    });
    const graph = buildTrainStep(split.suffix, { trainable: DECODER, optimizer });
    buildS = (Date.now() - t) / 1000;
    const prefix = await ort.InferenceSession.create(encodeModel(split.prefix), session);
    const acts = await prefix.run({ input: image });
    t = Date.now();
    const trainer = await Trainer.fromGraph(graph, session);
    sessionS = (Date.now() - t) / 1000;
    params = trainer.graph.parameters.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
    const inputs = Object.fromEntries(split.boundary.map((b) => [b.name, acts[b.name] as ort.Tensor]));
    const r = await interleave(
      () => trainer.step({ inputs, label }, 1e-4),
      () => prefix.run({ input: image }),
    );
    [forwardMs, stepMs, prefixMs] = [r.forward, r.step, r.extra];
    await prefix.release();
    await trainer.dispose();
  } else {
    let t = Date.now();
    const graph = buildTrainStep(model, {
      inputShapes: shapes,
      optimizer,
      ...(config === 'decoder' ? { trainable: DECODER } : {}),
    });
    buildS = (Date.now() - t) / 1000;
    t = Date.now();
    const trainer = await Trainer.fromGraph(graph, session);
    sessionS = (Date.now() - t) / 1000;
    params = graph.parameters.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
    const r = await interleave(() => trainer.step({ inputs: { input: image }, label }, 1e-4));
    [forwardMs, stepMs] = [r.forward, r.step];
    await trainer.dispose();
  }
  await fwd.release();
  const result = {
    config,
    resolution,
    optimizer: optimizer.kind,
    threads,
    trainableParams: params,
    forward_ms: Math.round(forwardMs),
    step_ms: Math.round(stepMs),
    ratio: Number((stepMs / forwardMs).toFixed(2)),
    ...(prefixMs !== undefined ? { prefix_ms: Math.round(prefixMs) } : {}),
    graph_build_s: Number(buildS.toFixed(1)),
    session_create_s: Number(sessionS.toFixed(1)),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  const config = arg('config', '');
  if (config) return runConfig(config);
  const configs = arg('configs', 'full,decoder,split').split(',');
  for (const c of configs) {
    const passArgs = process.argv.slice(2);
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1]!, ...passArgs, '--config', c],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    console.log(line ?? `${c}: failed (exit ${r.status})`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
