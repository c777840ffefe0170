/**
 * Gradient checks, op by op, against central finite differences: random shapes and attributes,
 * including odd sizes (ceil-mode pooling) and non-integer resize factors. The op's data input is
 * itself a trainable parameter so that both input and weight gradients are checked.
 */
import { ModelFactory, Rng } from './graph-factory';
import { checkGradients, randomLabel } from './grad-check';
import { specializeModel } from '../../src/training/specialize';
import type { TrainStepOptions } from '../../src/training';

type Build = (f: ModelFactory, rng: Rng) => string;
type Options = Omit<TrainStepOptions, 'loss' | 'optimizer' | 'exposeGradients'>;

/** h: 1e-3 for smooth graphs; 1e-4 where ReLU/max kinks lie close (float32 loss noise grows as h shrinks). */
async function check(
  build: Build,
  seed: number,
  h = 1e-3,
  tol = 2e-2,
  options: Options = {},
  opset = 17,
): Promise<void> {
  const rng = new Rng(seed);
  const f = new ModelFactory(rng);
  const out = build(f, rng);
  f.b.node('Identity', [out], ['out']);
  const model = f.model([{ name: 'out' }], opset);
  const dims = specializeModel(model).info.get('out')!.dims;
  const label = randomLabel(rng, dims);
  const r = await checkGradients(
    model,
    { ...options, loss: { normalization: 'sum' } },
    { inputs: {}, label },
    { probes: 3, h, seed },
  );
  if (r.maxRelError > tol)
    throw new Error(
      `gradient mismatch (seed ${seed}): analytic ${r.analytic.join(', ')} vs numeric ${r.numeric.join(', ')}`,
    );
}

const seeds = [11, 12, 13];

describe('gradients of single ops match finite differences', () => {
  test.each(
    seeds.flatMap(
      (s) =>
        [
          [s, 'flipped-conv', 'tapwise'],
          [s, 'conv-transpose', 'patches'],
        ] as const,
    ),
  )(
    'Conv with random groups/stride/dilation/pads/bias (seed %i, input gradient as %s, weight gradient %s)',
    async (seed, convInputGradient, convWeightGradient) => {
      await check(
        (f, rng) => {
          const group = rng.int(1, 3);
          const cin = group * rng.int(1, 3);
          const cout = group * rng.int(1, 2);
          const k = [rng.int(1, 3), rng.int(1, 3)];
          const stride = [rng.int(1, 2), rng.int(1, 2)];
          const dil = [rng.int(1, 2), rng.int(1, 2)];
          const pads = [rng.int(0, 2), rng.int(0, 2), rng.int(0, 2), rng.int(0, 2)];
          const x = f.param('x', [1, cin, rng.int(6, 9), rng.int(6, 9)], 1);
          const ins = [x, f.param('w', [cout, cin / group, k[0]!, k[1]!])];
          if (rng.next() < 0.7) ins.push(f.param('b', [cout], 0.3));
          return f.b.op('Conv', ins, { group, kernel_shape: k, strides: stride, dilations: dil, pads });
        },
        seed,
        1e-3,
        2e-2,
        { convInputGradient, convWeightGradient },
      );
    },
  );

  test('Conv with batch 2, groups and patch chunking', async () => {
    await check(
      (f) =>
        f.b.op('Conv', [f.param('x', [2, 4, 7, 7], 1), f.param('w', [4, 2, 3, 3]), f.param('b', [4], 0.3)], {
          group: 2,
          pads: [1, 1, 1, 1],
        }),
      21,
    );
  });

  test('Conv weight gradient tap by tap with stride 2 and asymmetric pads', async () => {
    const rng = new Rng(5);
    const f = new ModelFactory(rng);
    const c = f.b.op(
      'Conv',
      [f.param('x', [1, 5, 8, 8], 1), f.param('w', [3, 5, 3, 3]), f.param('b', [3], 0.3)],
      { pads: [1, 0, 2, 1], strides: [2, 2] },
    );
    f.b.node('Identity', [c], ['out']);
    const model = f.model([{ name: 'out' }]);
    const r = await checkGradients(
      model,
      { loss: { normalization: 'sum' }, convWeightGradient: 'tapwise' },
      { inputs: {}, label: randomLabel(rng, [1, 3, 5, 4]) },
      { h: 1e-4 },
    );
    expect(r.maxRelError).toBeLessThan(2e-2);
  });

  test.each(seeds)('ConvTranspose (seed %i)', async (seed) => {
    await check((f, rng) => {
      const group = rng.int(1, 2);
      const cin = group * rng.int(1, 2);
      const cout = group * rng.int(1, 2);
      const s = rng.int(1, 3);
      const k = rng.int(s, 4);
      const p = rng.int(0, k - 1);
      const op = rng.int(0, s - 1);
      const x = f.param('x', [1, cin, rng.int(3, 6), rng.int(3, 6)], 1);
      return f.b.op(
        'ConvTranspose',
        [x, f.param('w', [cin, cout / group, k, k]), f.param('b', [cout], 0.3)],
        { group, kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], output_padding: [op, op] },
      );
    }, seed);
  });

  test.each(seeds)('MaxPool with ceil mode, pads and odd sizes (seed %i)', async (seed) => {
    await check(
      (f, rng) => {
        const k = rng.int(2, 3);
        const s = rng.int(1, 3);
        const p = rng.int(0, Math.floor((k - 1) / 2));
        const x = f.param('x', [1, 2, 2 * rng.int(3, 5) + 1, 2 * rng.int(3, 5) + 1], 1);
        return f.b.op('MaxPool', [x], {
          kernel_shape: [k, k],
          strides: [s, s],
          pads: [p, p, p, p],
          ceil_mode: rng.int(0, 1),
        });
      },
      seed,
      1e-4,
    );
  });

  test('MaxPool on a batch of 2 (indices span batch and channels)', async () => {
    await check(
      (f) =>
        f.b.op('MaxPool', [f.param('x', [2, 3, 7, 6], 1)], {
          kernel_shape: [3, 3],
          strides: [2, 2],
          pads: [1, 1, 1, 1],
          ceil_mode: 1,
        }),
      32,
      1e-4,
    );
  });

  test.each(seeds)('AveragePool with strides and counted padding (seed %i)', async (seed) => {
    await check((f, rng) => {
      const k = rng.int(2, 3);
      const s = rng.int(1, 3);
      const p = rng.int(0, Math.floor((k - 1) / 2));
      const x = f.param('x', [1, 2, rng.int(6, 9), rng.int(6, 9)], 1);
      return f.b.op('AveragePool', [x], {
        kernel_shape: [k, k],
        strides: [s, s],
        pads: [p, p, p, p],
        count_include_pad: 1,
      });
    }, seed);
  });

  test('AveragePool with dilations (opset 19)', async () => {
    await check(
      (f) =>
        f.b.op('AveragePool', [f.param('x', [1, 2, 9, 8], 1)], {
          kernel_shape: [2, 3],
          strides: [2, 1],
          dilations: [2, 2],
        }),
      41,
      1e-3,
      2e-2,
      {},
      19,
    );
  });

  test("MaxPool 2x2/2 ceil mode on odd sizes (the parent network's pooling)", async () => {
    await check(
      (f) =>
        f.b.op('MaxPool', [f.param('x', [1, 3, 9, 7], 1)], {
          kernel_shape: [2, 2],
          strides: [2, 2],
          pads: [0, 0, 0, 0],
          ceil_mode: 1,
        }),
      31,
      1e-4,
    );
  });

  for (const mode of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric']) {
    test.each(seeds)(`Resize bilinear ${mode}, up and down, non-integer factors (seed %i)`, async (seed) => {
      await check((f, rng) => {
        const [h, w] = [rng.int(3, 9), rng.int(3, 9)];
        const x = f.param('x', [1, 2, h, w], 1);
        if (rng.next() < 0.5) {
          const sizes = f.b.int64Const('sizes', [1, 2, rng.int(2, 13), rng.int(2, 13)]);
          return f.b.op('Resize', [x, '', '', sizes], {
            mode: 'linear',
            coordinate_transformation_mode: mode,
          });
        }
        const scales = f.b.floatConst('scales', [4], [1, 1, 0.6 + rng.next() * 1.5, 0.6 + rng.next() * 1.5]);
        return f.b.op('Resize', [x, '', scales], { mode: 'linear', coordinate_transformation_mode: mode });
      }, seed);
    });
  }

  test('Relu, Sigmoid, Add (broadcast), Mul, Sub, Div', async () => {
    await check(
      (f) => {
        const x = f.param('x', [1, 3, 5, 5], 1);
        const y = f.param('y', [1, 3, 1, 5], 1);
        const bias = f.param('bias', [3, 1, 1], 1);
        const a = f.b.op('Add', [f.b.op('Relu', [x]), y]);
        const m = f.b.op('Mul', [f.b.op('Sigmoid', [a]), bias]);
        const d = f.b.op('Div', [m, f.b.op('Add', [f.b.op('Sigmoid', [y]), f.b.scalar(1)])]);
        return f.b.op('Sub', [d, x]);
      },
      41,
      1e-4,
    );
  });

  test('Concat, Slice, Reshape, Transpose', async () => {
    await check((f) => {
      const x = f.param('x', [1, 2, 6, 5], 1);
      const y = f.param('y', [1, 3, 6, 5], 1);
      const cat = f.b.op('Concat', [x, y, x], { axis: 1 });
      const sl = f.b.op('Slice', [
        cat,
        f.b.int64Const('s', [1, 1]),
        f.b.int64Const('e', [6, -1]),
        f.b.int64Const('a', [1, 2]),
      ]);
      const t = f.b.op('Transpose', [sl], { perm: [0, 1, 3, 2] });
      return f.b.op('Reshape', [t, f.b.int64Const('shape', [1, 5, 5, 4])]);
    }, 51);
  });
});
