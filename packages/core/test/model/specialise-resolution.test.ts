/**
 * Specialising a graph to a working resolution on a small ISNet-like graph: a Resize whose size
 * was baked for the export's resolution gets its partner's size, static shapes are written as
 * value_info with a symbolic batch, and what the shape inference cannot follow is an
 * UNSUPPORTED_GRAPH error.
 */
import * as ort from 'onnxruntime-node';
import { encodeModel, makeInt64Tensor, toNumber, type ModelProto } from '@oneshot-roto/onnx-train';
import { specialiseResolution } from '../../src/model/specialise-resolution';
import { ModelFactory, Rng } from '../../../onnx-train/test/training/graph-factory';

/** input → conv → pool → conv → Resize(sizes = Shape[0:2] ++ baked [64, 64]) + the first conv. */
function exportedAt64(
  options: { extra?: (f: ModelFactory, x1: string, p: string) => string } = {},
): ModelProto {
  const f = new ModelFactory(new Rng(3));
  const x = f.input('input', [1, 3, 64, 64]);
  const x1 = f.b.op('Conv', [x, f.param('w1', [4, 3, 3, 3])], { pads: [1, 1, 1, 1] });
  const p = f.b.op('MaxPool', [x1], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
  const y = f.b.op('Conv', [p, f.param('w2', [4, 4, 1, 1])]);
  const head = f.b.op('Slice', [
    f.b.op('Shape', [y]),
    f.b.int64Const('starts', [0]),
    f.b.int64Const('ends', [2]),
    f.b.int64Const('axes', [0]),
  ]);
  const [baked] = f.b.node('Constant', [], 1, { value: makeInt64Tensor('', [2], [64, 64]) });
  const sizes = f.b.op('Concat', [head, baked!], { axis: 0 });
  const up = f.b.op('Resize', [y, '', '', sizes], { mode: 'linear' });
  const sum = f.b.op('Add', [up, x1]);
  f.b.node('Identity', [options.extra ? options.extra(f, sum, p) : sum], ['output']);
  return f.model([{ name: 'output' }]);
}

test('a baked Resize size follows the tensor it is added to, and shapes are declared', async () => {
  const model = exportedAt64();
  const report = specialiseResolution(model, 96);
  expect(report).toEqual({ resolution: 96, resizesRewritten: 1, outputShapes: { output: [1, 4, 96, 96] } });
  const declared = new Map(
    model.graph!.valueInfo!.map((vi) => [
      vi.name!,
      vi.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || toNumber(d.dimValue)),
    ]),
  );
  const pool = model.graph!.node!.find((n) => n.opType === 'MaxPool')!.output![0]!;
  expect(declared.get(pool)).toEqual(['batch', 4, 48, 48]);

  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  const input = new ort.Tensor('float32', new Float32Array(2 * 3 * 96 * 96), [2, 3, 96, 96]);
  const out = await session.run({ input });
  await session.release();
  expect(out.output!.dims).toEqual([2, 4, 96, 96]);
});

test('what the shape inference cannot follow is an UNSUPPORTED_GRAPH error naming the node', () => {
  const expectUnsupported = (model: ReturnType<typeof exportedAt64>, message: RegExp) => {
    let thrown: unknown;
    try {
      specialiseResolution(model, 96);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'UNSUPPORTED_GRAPH', message: expect.stringMatching(message) });
  };
  const mismatch = exportedAt64({ extra: (f, sum, p) => f.b.op('Concat', [sum, p], { axis: 1 }, 'join') });
  expectUnsupported(
    mismatch,
    /Concat node "n\/join".*\[1,4,96,96\], \[1,4,48,48\] do not agree outside axis 1/,
  );
  const unknown = exportedAt64({ extra: (f, sum) => f.b.op('Mystery', [sum]) });
  expectUnsupported(unknown, /Mystery.*does not know/);
});
