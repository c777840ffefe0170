/** Central finite-difference checks of train-step gradients, through the public Trainer API. */
import * as ort from 'onnxruntime-node';
import type { ModelProto } from '../../src/onnx/model-io';
import { Trainer } from '../../src/training/trainer';
import type { TrainStepOptions } from '../../src/training/train-step';
import { Rng } from './graph-factory';

export interface GradCheckResult {
  /** Directional derivative from the graph's gradients, per probe. */
  analytic: number[];
  /** The same from central differences of the loss. */
  numeric: number[];
  maxRelError: number;
}

/**
 * For `probes` random directions v over all trainable parameters, compares <∇L, v> with
 * (L(p + h·v) − L(p − h·v)) / 2h.
 */
export async function checkGradients(
  model: ModelProto,
  options: TrainStepOptions,
  batch: { inputs: Record<string, ort.Tensor>; label: ort.Tensor; pixelWeight?: ort.Tensor },
  opts: { probes?: number; h?: number; seed?: number } = {},
): Promise<GradCheckResult> {
  const trainer = await Trainer.create(model, {
    ...options,
    optimizer: { kind: 'none' },
    exposeGradients: true,
  });
  try {
    const rng = new Rng(opts.seed ?? 7);
    const base = new Map([...trainer.parameters()].map(([k, v]) => [k, v.slice()]));
    await trainer.step(batch, 0);
    const grads = new Map([...trainer.gradients()].map(([k, v]) => [k, v.slice()]));
    const h = opts.h ?? 1e-2;
    const analytic: number[] = [];
    const numeric: number[] = [];
    for (let probe = 0; probe < (opts.probes ?? 3); probe++) {
      const dir = new Map([...base].map(([k, v]) => [k, rng.array(v.length)]));
      let dot = 0;
      for (const [k, g] of grads) {
        const d = dir.get(k)!;
        for (let i = 0; i < g.length; i++) dot += g[i]! * d[i]!;
      }
      const lossAt = async (sign: number) => {
        trainer.setParameters(
          new Map([...base].map(([k, v]) => [k, v.map((x, i) => x + sign * h * dir.get(k)![i]!)])),
        );
        return (await trainer.step(batch, 0)).loss;
      };
      const lp = await lossAt(1);
      const lm = await lossAt(-1);
      analytic.push(dot);
      numeric.push((lp - lm) / (2 * h));
    }
    const scale = Math.max(...analytic.map(Math.abs), ...numeric.map(Math.abs), 1e-6);
    const maxRelError = Math.max(...analytic.map((a, i) => Math.abs(a - numeric[i]!) / scale));
    return { analytic, numeric, maxRelError };
  } finally {
    await trainer.dispose();
  }
}

export function randomTensor(rng: Rng, dims: number[], scale = 1): ort.Tensor {
  return new ort.Tensor(
    'float32',
    rng.array(
      dims.reduce((a, b) => a * b, 1),
      scale,
    ),
    dims,
  );
}

export function randomLabel(rng: Rng, dims: number[]): ort.Tensor {
  return new ort.Tensor(
    'float32',
    Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rng.next() < 0.4 ? 1 : 0)),
    dims,
  );
}
