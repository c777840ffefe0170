/**
 * The ensemble graph: the frozen part once, the trained part cloned per further network, the
 * output the mean of the networks' probabilities — checked by running it in onnxruntime on a
 * small graph whose answer is known exactly.
 */
import * as ort from 'onnxruntime-node';
import { encodeModel } from '@oneshot-roto/onnx-train';
import { buildEnsembleGraph, ENSEMBLE_OUTPUT } from '../../src/osvos/ensemble-graph';
import { ModelFactory, Rng } from '../../../onnx-train/test/training/graph-factory';

/** x → Relu (frozen) → Mul by trained w → Sigmoid → output; the frozen branch also feeds a side output. */
function smallNetwork(lastOp: 'Sigmoid' | 'Relu' = 'Sigmoid') {
  const f = new ModelFactory(new Rng(1));
  const x = f.input('x', [1, 1, 2, 2]);
  const frozen = f.b.op('Relu', [x], {}, 'encoder');
  const w = f.param('w', [1]);
  const scaled = f.b.op('Mul', [frozen, w], {}, 'decoder');
  const y = f.b.op(lastOp, [scaled], {}, 'out');
  return { model: f.model([{ name: y, dims: [1, 1, 2, 2] }]), w, y };
}

describe('ensemble graph', () => {
  it('clones only the trained part and outputs the mean of the networks’ probabilities', async () => {
    const { model, w, y } = smallNetwork();
    const members = [new Map([[w, Float32Array.of(-1)]]), new Map([[w, Float32Array.of(3)]])];
    // The first network's parameter is baked into the base, as buildFineTunedModel does.
    model.graph!.initializer = model.graph!.initializer!.map((t) =>
      t.name === w ? { ...t, floatData: [2], rawData: undefined } : t,
    );
    const ensemble = buildEnsembleGraph(model, members, y);
    const ops = (ensemble.graph!.node ?? []).map((n) => n.opType);
    // Relu once; Mul and Sigmoid once per network; then Sum and the scaling Mul.
    expect(ops.filter((o) => o === 'Relu')).toHaveLength(1);
    expect(ops.filter((o) => o === 'Sigmoid')).toHaveLength(3);
    expect(ops.slice(-2)).toEqual(['Sum', 'Mul']);
    expect(ensemble.graph!.output!.map((o) => o.name)).toEqual([ENSEMBLE_OUTPUT]);

    const session = await ort.InferenceSession.create(encodeModel(ensemble));
    const input = Float32Array.of(-1, 0, 0.5, 2);
    const out = (await session.run({ x: new ort.Tensor('float32', input, [1, 1, 2, 2]) }))[ENSEMBLE_OUTPUT]!;
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const expected = [...input].map((v) => {
      const a = Math.max(0, v);
      return (sigmoid(2 * a) + sigmoid(-1 * a) + sigmoid(3 * a)) / 3;
    });
    [...(out.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    await session.release();
  });

  it('refuses to average an output that is not a probability', () => {
    const { model, w, y } = smallNetwork('Relu');
    expect(() => buildEnsembleGraph(model, [new Map([[w, Float32Array.of(1)]])], y)).toThrow(
      /is not a probability \(made by Relu\); only probabilities average/,
    );
  });
});
