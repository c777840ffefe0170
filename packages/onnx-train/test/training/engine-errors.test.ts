import { buildTrainStep, UnsupportedGradientError } from '../../src/training';
import { ModelFactory, Rng } from './graph-factory';

function withOp(onPath: boolean) {
  const f = new ModelFactory(new Rng(4));
  const x = f.input('x', [1, 2, 4, 4]);
  // Softmax has no gradient rule: on the frozen side it is fine, on the trainable path it is an error.
  const soft = f.b.node('Softmax', [x], ['soft'], { axis: 1 }, 'mystery')[0]!;
  const conv = f.b.op('Conv', [onPath ? x : soft, f.param('w', [2, 2, 1, 1])]);
  const mixed = onPath ? f.b.node('Softmax', [conv], ['soft2'], { axis: 1 }, 'mystery2')[0]! : conv;
  const out = f.b.op('Add', [mixed, onPath ? soft : x]);
  f.b.node('Identity', [out], ['y']);
  return f.model([{ name: 'y' }]);
}

test('an op without gradient rule on the trainable path is an error naming op and node', () => {
  expect(() => buildTrainStep(withOp(true))).toThrow(UnsupportedGradientError);
  expect(() => buildTrainStep(withOp(true))).toThrow(/Softmax node "n\/mystery2"/);
});

test('ops off the trainable path are left alone', () => {
  const g = buildTrainStep(withOp(false), { optimizer: { kind: 'sgd', momentum: 0 } });
  expect(g.parameters.map((p) => p.name)).toEqual(['w']);
  expect(g.model.graph!.node!.filter((n) => n.opType === 'Softmax')).toHaveLength(1);
});

test('a symbolic input without a given shape is a clear error', () => {
  const m = withOp(false);
  m.graph!.input![0]!.type!.tensorType!.shape!.dim![2] = { dimParam: 'h' };
  expect(() => buildTrainStep(m)).toThrow(/input "x" has no static shape.*--input-shape/);
  expect(buildTrainStep(m, { inputShapes: { x: [1, 2, 4, 4] } }).dataInputs).toEqual([
    { name: 'x', dims: [1, 2, 4, 4] },
  ]);
});
