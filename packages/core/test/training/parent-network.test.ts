/**
 * The training engine on the real parent network (ISNet) at 64×64: loss decreases under each
 * optimizer, sampled gradients match finite differences, frozen-encoder steps build no encoder
 * gradients, the frozen/trainable split computes the same step, checkpoints round-trip bit-exactly.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  encodeModel,
  type ModelProto,
  buildTrainStep,
  splitAtFrozenBoundary,
  type SplitModel,
  Trainer,
  type TrainBatch,
} from '@oneshot-roto/onnx-train';
import { checkGradients } from '../../../onnx-train/test/training/grad-check';
import { ISNET_DECODER, ISNET_ENCODER_NODE, diskSample, loadParent } from './parent-fixture';

const R = 64;
let parent: ModelProto;
let split: SplitModel;
let suffixBatch: TrainBatch;
const sample = diskSample(R);
const batch = { inputs: { input: sample.image }, label: sample.label };
const shapes = { input: [1, 3, R, R] };

beforeAll(async () => {
  parent = await loadParent(R);
  split = splitAtFrozenBoundary(parent, {
    trainable: ISNET_DECODER,
    inputShapes: shapes,
    outputs: ['output'],
  });
  const prefix = await ort.InferenceSession.create(encodeModel(split.prefix));
  const acts = await prefix.run({ input: sample.image });
  await prefix.release();
  suffixBatch = {
    inputs: Object.fromEntries(split.boundary.map((x) => [x.name, acts[x.name] as ort.Tensor])),
    label: sample.label,
  };
});

test('loss decreases under SGD with momentum, all parameters trainable, deep supervision', async () => {
  const trainer = await Trainer.create(parent, {
    inputShapes: shapes,
    optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 2e-4 },
    biasLrMult: 2,
    sideOutputs: ['1890', '1891', '1892', '1893', '1894'].map((name) => ({ name, weight: 0.5 })),
  });
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) losses.push((await trainer.step(batch, 1e-3)).loss);
  await trainer.dispose();
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[3]!).toBeLessThan(losses[0]! * 0.9);
});

test('loss decreases under Adam, decoder trainable, on the split suffix', async () => {
  const trainer = await Trainer.create(split.suffix, {
    trainable: ISNET_DECODER,
    optimizer: { kind: 'adam' },
  });
  const sbatch = suffixBatch;
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) losses.push((await trainer.step(sbatch, 1e-4)).loss);
  await trainer.dispose();
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[3]!).toBeLessThan(losses[0]! * 0.9);
});

test('sampled parameter gradients match finite differences', async () => {
  const r = await checkGradients(
    parent,
    {
      inputShapes: shapes,
      trainable: ['conv_in.bias', 'side1.weight', 'side1.bias', 'onnx::Conv_2092', 'onnx::Conv_2037'],
      loss: { normalization: 'sum' },
    },
    batch,
    { probes: 3, h: 1e-3 },
  );
  expect(r.maxRelError).toBeLessThan(3e-2);
});

test('a frozen-encoder train step has no gradient nodes for the encoder', () => {
  const g = buildTrainStep(parent, { inputShapes: shapes, trainable: ISNET_DECODER });
  const encoderNodes = g.specialized.nodes.filter((n) => ISNET_ENCODER_NODE.test(n.name ?? ''));
  expect(encoderNodes.length).toBeGreaterThan(50);
  const encoderTensors = new Set(encoderNodes.flatMap((n) => n.output ?? []));
  const gradNodes = g.model.graph!.node!.filter((n) => (n.name ?? '').startsWith('grad/'));
  expect(gradNodes.length).toBeGreaterThan(100);
  expect(gradNodes.filter((n) => ISNET_ENCODER_NODE.test((n.name ?? '').slice('grad/'.length)))).toEqual([]);
  expect([...g.gradientOf.keys()].filter((t) => encoderTensors.has(t))).toEqual([]);
  expect(g.differentiatedNodes.filter((n) => ISNET_ENCODER_NODE.test(n))).toEqual([]);
  expect(g.parameters.every((p) => !g.frozenParameters.includes(p.name))).toBe(true);
});

test('split at the frozen boundary: prefix + suffix step equals the full step', async () => {
  expect(split.boundary.length).toBeGreaterThan(1);
  const opts = { trainable: ISNET_DECODER, optimizer: { kind: 'none' } as const, exposeGradients: true };
  const full = await Trainer.create(parent, { ...opts, inputShapes: shapes });
  const suffix = await Trainer.create(split.suffix, opts);
  expect(suffix.graph.dataInputs.map((d) => d.name).sort()).toEqual(split.boundary.map((b) => b.name).sort());
  const a = await full.step(batch, 0);
  const b = await suffix.step(suffixBatch, 0);
  expect(b.loss).toBeCloseTo(a.loss, 5);
  const ga = full.gradients();
  const gb = suffix.gradients();
  expect([...gb.keys()].sort()).toEqual([...ga.keys()].sort());
  for (const [k, v] of ga) {
    const w = gb.get(k)!;
    let err = 0;
    let ref = 0;
    for (let i = 0; i < v.length; i++) {
      err = Math.max(err, Math.abs(v[i]! - w[i]!));
      ref = Math.max(ref, Math.abs(v[i]!));
    }
    expect(err).toBeLessThanOrEqual(1e-4 * ref + 1e-7);
  }
  await full.dispose();
  await suffix.dispose();
});

test('checkpoint round trip is bit-exact and training continues identically', async () => {
  const sbatch = suffixBatch;
  const opts = { trainable: ISNET_DECODER, optimizer: { kind: 'adam' } as const };
  const t1 = await Trainer.create(split.suffix, opts);
  await t1.step(sbatch, 1e-4);
  await t1.step(sbatch, 1e-4);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ckpt-'));
  const file = path.join(dir, 'state.ckpt');
  await t1.saveCheckpoint(file);
  const t2 = await Trainer.create(split.suffix, opts);
  await t2.loadCheckpoint(file);
  expect(t2.stepCount).toBe(2);
  for (const [k, v] of t1.parameters())
    expect(Buffer.from(t2.parameters().get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(true);
  const l1 = await t1.step(sbatch, 1e-4);
  const l2 = await t2.step(sbatch, 1e-4);
  expect(l2.loss).toBe(l1.loss);
  for (const [k, v] of t1.parameters())
    expect(Buffer.from(t2.parameters().get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(true);

  // The trained decoder baked into the full model changes its prediction and matches the suffix's forward.
  const baked = t1.exportInferenceModel(parent);
  const session = await ort.InferenceSession.create(encodeModel(baked));
  const out = (await session.run({ input: sample.image })).output!.data as Float32Array;
  await session.release();
  const orig = await ort.InferenceSession.create(encodeModel(parent));
  const before = (await orig.run({ input: sample.image })).output!.data as Float32Array;
  await orig.release();
  expect(out.some((v, i) => Math.abs(v - before[i]!) > 1e-4)).toBe(true);
  await fs.rm(dir, { recursive: true, force: true });
  await t1.dispose();
  await t2.dispose();
});
