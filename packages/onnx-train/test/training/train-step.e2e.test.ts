import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Trainer } from '../../src/training/trainer';
import { ModelFactory, Rng } from './graph-factory';
import { checkGradients, randomLabel, randomTensor } from './grad-check';

/** conv → relu → conv(stride 2) → relu → resize ×2 → concat(skip) → conv → add → sigmoid */
function tinyNet(seed = 1) {
  const f = new ModelFactory(new Rng(seed));
  const b = f.b;
  const x = f.input('image', [1, 3, 12, 12]);
  const c1 = b.op('Conv', [x, f.param('w1', [4, 3, 3, 3]), f.param('b1', [4], 0.1)], { pads: [1, 1, 1, 1] });
  const r1 = b.op('Relu', [c1]);
  const c2 = b.op('Conv', [r1, f.param('w2', [6, 4, 3, 3]), f.param('b2', [6], 0.1)], {
    pads: [1, 1, 1, 1],
    strides: [2, 2],
  });
  const r2 = b.op('Relu', [c2]);
  const up = b.op('Resize', [r2, '', '', b.int64Const('sizes', [1, 6, 12, 12])], {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  const cat = b.op('Concat', [up, r1], { axis: 1 });
  const c3 = b.op('Conv', [cat, f.param('w3', [1, 10, 3, 3]), f.param('b3', [1], 0.1)], {
    pads: [1, 1, 1, 1],
  });
  const side = b.op('Conv', [r1, f.param('ws', [1, 4, 1, 1]), f.param('bs', [1], 0.1)]);
  const sum = b.op('Add', [c3, side]);
  b.node('Sigmoid', [sum], ['out']);
  return f.model([{ name: 'out', dims: [1, 1, 12, 12] }]);
}

describe('train step end to end on a tiny network', () => {
  const rng = new Rng(3);
  const batch = {
    inputs: { image: randomTensor(rng, [1, 3, 12, 12]) },
    label: randomLabel(rng, [1, 1, 12, 12]),
  };

  test('gradients match central finite differences', async () => {
    const r = await checkGradients(tinyNet(), { loss: { normalization: 'sum' } }, batch, {
      probes: 4,
      h: 1e-4,
    });
    expect(r.maxRelError).toBeLessThan(2e-2);
  });

  test.each([
    ['sgd', { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 } as const, 0.05],
    ['adam', { kind: 'adam' } as const, 0.01],
  ])('loss decreases under %s', async (_name, optimizer, lr) => {
    const trainer = await Trainer.create(tinyNet(), { optimizer, biasLrMult: 2 });
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push((await trainer.step(batch, lr)).loss);
    await trainer.dispose();
    expect(losses[14]!).toBeLessThan(losses[0]! * 0.8);
    expect(trainer.stepCount).toBe(15);
  });

  test('rejects a batch with a wrongly shaped label', async () => {
    const trainer = await Trainer.create(tinyNet(), {});
    await expect(
      trainer.step(
        { inputs: batch.inputs, label: new ort.Tensor('float32', new Float32Array(4), [1, 1, 2, 2]) },
        0.1,
      ),
    ).rejects.toThrow(/label.*\[1,1,12,12\]/);
    await trainer.dispose();
  });
});

describe('several steps in one run (ONNX Loop)', () => {
  test.each([
    ['sgd', { kind: 'sgd', momentum: 0.9, weightDecay: 1e-3 } as const],
    ['adam', { kind: 'adam' } as const],
  ])('stepMany() with %s equals step() called per batch', async (_n, optimizer) => {
    const rng = new Rng(8);
    const batches = [0, 1, 2].map(() => ({
      inputs: { image: randomTensor(rng, [1, 3, 12, 12]) },
      label: randomLabel(rng, [1, 1, 12, 12]),
    }));
    const lrs = [0.05, 0.03, 0.01];
    const a = await Trainer.create(tinyNet(), { optimizer, biasLrMult: 2 });
    const b = await Trainer.create(tinyNet(), { optimizer, biasLrMult: 2 });
    const la: number[] = [];
    for (let i = 0; i < 3; i++) la.push((await a.step(batches[i]!, lrs[i]!)).loss);
    const lb = await b.stepMany(batches, lrs);
    expect(b.stepCount).toBe(3);
    lb.forEach((l, i) => expect(l).toBeCloseTo(la[i]!, 5));
    for (const [k, v] of a.parameters()) {
      const w = b.parameters().get(k)!;
      v.forEach((x, i) => expect(w[i]).toBeCloseTo(x, 5));
    }
    // And training continues step by step after a Loop run.
    expect((await b.step(batches[0]!, 0.01)).loss).toBeCloseTo((await a.step(batches[0]!, 0.01)).loss, 5);
    await a.dispose();
    await b.dispose();
  });
});

describe('checkpoints', () => {
  test('loading a checkpoint of another train step names what differs', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ckpt-'));
    const file = path.join(dir, 'a.ckpt');
    const a = await Trainer.create(tinyNet(), { optimizer: { kind: 'adam' } });
    await a.saveCheckpoint(file);
    const b = await Trainer.create(tinyNet(), { optimizer: { kind: 'sgd', momentum: 0.9 } });
    await expect(b.loadCheckpoint(file)).rejects.toThrow(/no tensor "w1__momentum".*different train step/);
    await fs.writeFile(file, Buffer.from('not a checkpoint'));
    await expect(a.loadCheckpoint(file)).rejects.toThrow(/not a training checkpoint/);
    await a.dispose();
    await b.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('optimizer updates match float64 references (PyTorch semantics)', () => {
  type Update = (
    p: number,
    g: number,
    state: Float64Array,
    i: number,
    lr: number,
    t: number,
    rank: number,
  ) => number;
  const sgd: Update = (p, g, st, i, lr, _t, rank) => {
    const gw = g + (rank >= 2 ? 0.01 * p : 0);
    st[i] = 0.7 * st[i]! + gw;
    return p - lr * st[i];
  };
  const adam: Update = (p, g, st, i, lr, t) => {
    const n = st.length / 2;
    st[i] = 0.8 * st[i]! + 0.2 * g;
    st[n + i] = 0.95 * st[n + i]! + 0.05 * g * g;
    return p - (lr / (1 - 0.8 ** t)) * (st[i] / (Math.sqrt(st[n + i]!) / Math.sqrt(1 - 0.95 ** t) + 1e-3));
  };
  test.each([
    ['sgd', { kind: 'sgd', momentum: 0.7, weightDecay: 0.01 } as const, sgd, 1],
    ['adam', { kind: 'adam', beta1: 0.8, beta2: 0.95, epsilon: 1e-3 } as const, adam, 2],
  ])('%s', async (_n, optimizer, update, stateSlots) => {
    const rng = new Rng(12);
    const batch = {
      inputs: { image: randomTensor(rng, [1, 3, 12, 12]) },
      label: randomLabel(rng, [1, 1, 12, 12]),
    };
    const probe = await Trainer.create(tinyNet(), { optimizer: { kind: 'none' }, exposeGradients: true });
    const trainer = await Trainer.create(tinyNet(), { optimizer, biasLrMult: 2 });
    const state = new Map<string, Float64Array>();
    const lrs = [0.01, 0.02, 0.005];
    for (let t = 1; t <= 3; t++) {
      const before = new Map([...trainer.parameters()].map(([k, x]) => [k, x.slice()]));
      probe.setParameters(before);
      await probe.step(batch, 0);
      await trainer.step(batch, lrs[t - 1]!);
      for (const [k, g] of probe.gradients()) {
        const p = before.get(k)!;
        const rank = trainer.graph.parameters.find((q) => q.name === k)!.dims.length;
        const lr = lrs[t - 1]! * (rank === 1 ? 2 : 1);
        const st = state.get(k) ?? new Float64Array(stateSlots * g.length);
        state.set(k, st);
        const got = trainer.parameters().get(k)!;
        for (let i = 0; i < g.length; i++) {
          const expected = update(p[i]!, g[i]!, st, i, lr, t, rank);
          expect(Math.abs(got[i]! - expected)).toBeLessThan(1e-5 + 1e-4 * Math.abs(expected));
        }
      }
    }
    await probe.dispose();
    await trainer.dispose();
  });
});
