import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import * as ort from 'onnxruntime-node';
import {
  encodeModel,
  loadModel,
  tensorToFloat32,
  dimsOf,
  type TrainStepDescription,
} from '@oneshot-roto/onnx-train';
import { registerTrainGraphCommand } from '../../src/cli/commands/train-graph';
import { ModelFactory, Rng } from '../../../packages/onnx-train/test/training/graph-factory';

function forwardModel() {
  const f = new ModelFactory(new Rng(2));
  const x = f.input('image', [1, 3, 10, 10]);
  const c1 = f.b.op('Relu', [
    f.b.op(
      'Conv',
      [x, f.param('enc.w', [4, 3, 3, 3]), f.param('enc.b', [4], 0.1)],
      { pads: [1, 1, 1, 1] },
      '/enc/Conv',
    ),
  ]);
  const p = f.b.op('MaxPool', [c1], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
  const c2 = f.b.op('Conv', [p, f.param('dec.w', [1, 4, 3, 3]), f.param('dec.b', [1], 0.1)], {
    pads: [1, 1, 1, 1],
  });
  const up = f.b.op('Resize', [c2, '', '', f.b.int64Const('sizes', [1, 1, 10, 10])], {
    mode: 'linear',
    coordinate_transformation_mode: 'align_corners',
  });
  f.b.node('Sigmoid', [up], ['mask']);
  return f.model([{ name: 'mask', dims: [1, 1, 10, 10] }]);
}

test('train-graph exports a step graph that plain onnxruntime runs with the documented inputs', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'train-graph-'));
  const modelPath = path.join(dir, 'forward.onnx');
  const forward = forwardModel();
  await fs.writeFile(modelPath, encodeModel(forward));
  const program = new Command().exitOverride();
  registerTrainGraphCommand(program);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  await program.parseAsync([
    'node',
    'x',
    'train-graph',
    '--model',
    modelPath,
    '--out',
    path.join(dir, 'step.onnx'),
    '--describe',
    path.join(dir, 'io.json'),
    '--trainable',
    'param:^dec\\.',
    '--optimizer',
    'adam',
    '--bias-lr-mult',
    '2',
  ]);
  write.mockRestore();
  const desc = JSON.parse(await fs.readFile(path.join(dir, 'io.json'), 'utf8')) as TrainStepDescription;
  expect(desc.inputs.map((d) => d.name)).toEqual([
    'image',
    'label',
    'learning_rate',
    'dec.w',
    'dec.b',
    'dec.w__adam_m',
    'dec.w__adam_v',
    'dec.b__adam_m',
    'dec.b__adam_v',
    'adam_step',
  ]);
  expect(desc.outputs[0]).toMatchObject({ name: 'loss', dims: [] });

  const inits = new Map((forward.graph!.initializer ?? []).map((t) => [t.name, t]));
  const feeds: Record<string, ort.Tensor> = {};
  for (const d of desc.inputs) {
    const n = d.dims.reduce((a, b) => a * b, 1);
    const init = inits.get(d.name);
    const data =
      d.role === 'parameter'
        ? tensorToFloat32(init!)
        : d.role === 'learning_rate'
          ? Float32Array.of(0.01)
          : d.role === 'data'
            ? new Float32Array(n).fill(0.3)
            : d.role === 'label'
              ? new Float32Array(n).map((_, i) => i % 2)
              : new Float32Array(n);
    feeds[d.name] = new ort.Tensor('float32', data, d.dims);
  }
  const session = await ort.InferenceSession.create(path.join(dir, 'step.onnx'));
  const out = await session.run(feeds);
  await session.release();
  expect(Number.isFinite((out.loss!.data as Float32Array)[0])).toBe(true);
  expect((out.adam_step__new!.data as Float32Array)[0]).toBe(1);
  const w0 = tensorToFloat32(inits.get('dec.w')!);
  const w1 = out[Object.entries(desc.feedback).find(([, v]) => v === 'dec.w')![0]]!.data as Float32Array;
  expect(w1.some((v, i) => v !== w0[i])).toBe(true);
  // The exported graph keeps the frozen encoder's weights as initializers.
  const step = await loadModel(path.join(dir, 'step.onnx'));
  expect(step.graph!.initializer!.some((t) => t.name === 'enc.w' && dimsOf(t).join() === '4,3,3,3')).toBe(
    true,
  );

  const write2 = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const program2 = new Command().exitOverride();
  registerTrainGraphCommand(program2);
  await program2.parseAsync([
    'node',
    'x',
    'train-graph',
    '--model',
    modelPath,
    '--out',
    path.join(dir, 'suffix-step.onnx'),
    '--trainable',
    'param:^dec\\.',
    '--split-prefix',
    path.join(dir, 'prefix.onnx'),
  ]);
  write2.mockRestore();
  const prefix = await loadModel(path.join(dir, 'prefix.onnx'));
  expect(prefix.graph!.node!.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool']);

  const write3 = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const program3 = new Command().exitOverride();
  registerTrainGraphCommand(program3);
  await program3.parseAsync([
    'node',
    'x',
    'train-graph',
    '--model',
    modelPath,
    '--out',
    path.join(dir, 'loop.onnx'),
    '--loop',
    '3',
  ]);
  write3.mockRestore();
  const loop = await loadModel(path.join(dir, 'loop.onnx'));
  expect(loop.graph!.node!.map((n) => n.opType)).toEqual(['Loop']);
  const dims = (name: string) =>
    loop
      .graph!.input!.find((i) => i.name === name)!
      .type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
  expect(dims('image')).toEqual([3, 1, 3, 10, 10]);
  expect(dims('learning_rate')).toEqual([3]);
  await fs.rm(dir, { recursive: true, force: true });
});
