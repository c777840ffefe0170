/** The loss value against a float64 reference of OSVOS Eq. 1 (class-balanced) and of plain cross-entropy. */
import * as ort from 'onnxruntime-node';
import { Trainer } from '../../src/training';
import { ModelFactory, Rng } from './graph-factory';

function reference(
  x: Float32Array,
  y: Float32Array,
  w: Float32Array | undefined,
  norm: 'sum' | 'mean',
  balance: number,
): number {
  let sw = 0;
  let neg = 0;
  for (let j = 0; j < x.length; j++) {
    const wj = w ? w[j]! : 1;
    sw += wj;
    neg += wj * (1 - y[j]!);
  }
  const beta = neg / sw;
  const classWeight = (yj: number) => beta ** balance * yj + (1 - beta) ** balance * (1 - yj);
  let l = 0;
  for (let j = 0; j < x.length; j++) {
    const xj = x[j]!;
    const ce = Math.max(xj, 0) - xj * y[j]! + Math.log(1 + Math.exp(-Math.abs(xj)));
    l += (w ? w[j]! : 1) * classWeight(y[j]!) * ce;
  }
  return norm === 'mean' ? l / sw : l;
}

test.each([
  ['sum', false, 1],
  ['mean', false, 1],
  ['mean', true, 1],
  ['sum', true, 1],
  ['mean', true, 0],
  ['sum', false, 0],
  ['mean', true, 0.5],
] as const)(
  'loss (%s, pixel weights %s, class balance %s) and deep supervision match the reference',
  async (norm, withWeights, balance) => {
    const rng = new Rng(9);
    const f = new ModelFactory(rng);
    const x = f.input('x', [1, 1, 6, 7]);
    const scale = f.param('scale', [1], 1);
    const main = f.b.op('Mul', [x, scale]);
    f.b.node('Sigmoid', [main], ['prob']);
    f.b.node('Add', [main, x], ['side']);
    const model = f.model([{ name: 'prob' }, { name: 'side' }]);
    const n = 42;
    const xs = rng.array(n, 3);
    const ys = Float32Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    const ws = Float32Array.from({ length: n }, () => (rng.next() < 0.2 ? 0 : 1 + rng.next()));
    const trainer = await Trainer.create(model, {
      loss: { normalization: norm, pixelWeights: withWeights, classBalance: balance },
      sideOutputs: [{ name: 'side', weight: 0.5 }],
      optimizer: { kind: 'none' },
    });
    const s = trainer.parameters().get('scale')![0]!;
    const t = (d: Float32Array) => new ort.Tensor('float32', d, [1, 1, 6, 7]);
    const r = await trainer.step(
      { inputs: { x: t(xs) }, label: t(ys), ...(withWeights ? { pixelWeight: t(ws) } : {}) },
      0,
    );
    await trainer.dispose();
    const w = withWeights ? ws : undefined;
    const l1 = reference(
      xs.map((v) => v * s),
      ys,
      w,
      norm,
      balance,
    );
    const l2 =
      0.5 *
      reference(
        xs.map((v) => v * s + v),
        ys,
        w,
        norm,
        balance,
      );
    expect(r.termLosses[0]).toBeCloseTo(l1, 4);
    expect(r.termLosses[1]).toBeCloseTo(l2, 4);
    expect(r.loss).toBeCloseTo(l1 + l2, 4);
  },
);
