/**
 * Cost of one fine-tuning step per trainable depth, as a ratio to one full forward pass of the
 * parent network at the same resolution, measured in the same run (medians).
 * Usage: npx tsx lab/finetune-speed.bench.ts [--resolution 320] [--repeats 5] [--depths head,decoder-top,decoder]
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  ensureParentModel,
  createSession,
  outputRoles,
  trainableSelector,
  type TrainableDepth,
} from '@oneshot-roto/core';
import { encodeModel, loadModel, splitAtFrozenBoundary, Trainer } from '@oneshot-roto/onnx-train';
import { median } from './timing-stats';

async function main() {
  const { values } = parseArgs({
    options: {
      resolution: { type: 'string', default: '320' },
      repeats: { type: 'string', default: '5' },
      depths: { type: 'string', default: 'head,decoder-top,decoder' },
    },
  });
  const R = Number(values.resolution);
  const repeats = Number(values.repeats);
  const parent = await ensureParentModel({ resolution: R });
  const model = await loadModel(parent.modelPath);
  const full = await createSession(encodeModel(model), {});
  const input = new ort.Tensor(
    'float32',
    new Float32Array(3 * R * R).map(() => Math.random() - 0.5),
    [1, 3, R, R],
  );
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  await full.session.run({ input });
  const roles = outputRoles(model, R);
  console.log(
    `resolution ${R}, ${full.threads} threads, ${full.executionProvider}; ${new Date().toISOString()}`,
  );
  for (const depth of values.depths.split(',') as TrainableDepth[]) {
    const selector = trainableSelector(depth);
    const split = splitAtFrozenBoundary(model, {
      trainable: selector,
      inputShapes: { input: [1, 3, R, R] },
      outputs: [roles.main, ...roles.sides],
    });
    const trainer = await Trainer.create(
      split.suffix,
      {
        inputShapes: Object.fromEntries(split.boundary.map((b) => [b.name, b.dims])),
        output: roles.main,
        sideOutputs: roles.sides.map((name) => ({ name, weight: 0.5 })),
        trainable: selector,
        loss: { normalization: 'mean', pixelWeights: true },
        optimizer: { kind: 'adam' },
      },
      { intraOpNumThreads: full.threads },
    );
    const prefix = await createSession(encodeModel(split.prefix), {});
    const pre = await prefix.session.run({ input });
    const inputs: Record<string, ort.Tensor> = {};
    for (const b of split.boundary) inputs[b.name] = b.name === 'input' ? input : pre[b.name]!;
    const label = new ort.Tensor(
      'float32',
      new Float32Array(R * R).map(() => (Math.random() < 0.3 ? 1 : 0)),
      [1, 1, R, R],
    );
    const pixelWeight = new ort.Tensor('float32', new Float32Array(R * R).fill(1), [1, 1, R, R]);
    await trainer.step({ inputs, label, pixelWeight }, 1e-5);
    const fwd: number[] = [];
    const step: number[] = [];
    for (let i = 0; i < repeats; i++) {
      fwd.push(await time(() => full.session.run({ input })));
      step.push(await time(() => trainer.step({ inputs, label, pixelWeight }, 1e-5)));
    }
    console.log(
      `${depth.padEnd(12)} params ${split.trainable.length.toString().padStart(3)}  forward ${median(fwd).toFixed(0)} ms  step ${median(step).toFixed(0)} ms  step/forward ${(median(step) / median(fwd)).toFixed(2)}  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
    );
    await trainer.dispose();
    await prefix.session.release();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
