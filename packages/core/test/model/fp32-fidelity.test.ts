/**
 * The prepared fp32 model must compute what the shipped fp16 model computes. onnxruntime's CPU
 * provider runs the fp16 original. To keep the test short both run at 512² on a real DAVIS frame:
 * the original is only specialised (its Resize sizes; fp16 weights and Casts kept), so what is
 * compared is exactly the fp16→fp32 conversion. Every output must agree within fp16 precision
 * (relative step 2⁻¹⁰ ≈ 1e-3). The same check at 1024² against the untouched original is in
 * lab/inference.bench.ts (--fidelity).
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ensureParentModel } from '../../src/model';
import { assembleImglyModel } from '../../src/model/imgly-package';
import { specialiseResolution } from '../../src/model/specialise-resolution';
import { decodeModel, encodeModel } from '@oneshot-roto/onnx-train';
import { preprocessFrame } from '../../src/model/preprocess';
import { loadBearFrame, makeTempDir, silenceLogs } from './fixtures';

silenceLogs();

function maxAbsDiff(a: Float32Array, b: Float32Array): { max: number; mean: number; scale: number } {
  let max = 0;
  let sum = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
    if (Math.abs(b[i]!) > scale) scale = Math.abs(b[i]!);
  }
  return { max, mean: sum / a.length, scale };
}

describe('fp32 conversion', () => {
  const tmp = makeTempDir('fidelity');
  afterAll(() => tmp.cleanup());

  it('matches the fp16 original on a real frame at 512² within fp16 tolerance', async () => {
    const { frame, mask } = await loadBearFrame(0);
    const R = 512;
    const input = await preprocessFrame(frame, R, R);
    const feeds = { input: new ort.Tensor('float32', input, [1, 3, R, R]) };
    const names = ['output', '1890', 'input.1252', 'input.656'];
    const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], logSeverityLevel: 3 };

    const { bytes: original } = await assembleImglyModel();
    const fp16Model = decodeModel(original);
    specialiseResolution(fp16Model, R);
    const fp16 = await ort.InferenceSession.create(encodeModel(fp16Model), opts);
    const ref = await fp16.run(feeds, names);
    await fp16.release();

    const prepared = await ensureParentModel({ resolution: R, cacheDir: path.join(tmp.dir, 'cache') });
    const fp32 = await ort.InferenceSession.create(prepared.modelPath, opts);
    const got = await fp32.run(feeds, names);
    await fp32.release();

    const output = (results: typeof got, name: string) => {
      const t = results[name];
      if (!t) throw new Error(`the run returned no output "${name}"`);
      return t;
    };
    for (const name of names) {
      expect(output(got, name).dims).toEqual(output(ref, name).dims);
      const d = maxAbsDiff(output(got, name).data as Float32Array, output(ref, name).data as Float32Array);
      // Probabilities: absolute; feature maps: relative to their largest value.
      expect(d.max).toBeLessThan(4e-3 * Math.max(1, d.scale));
      expect(d.mean).toBeLessThan(1e-4 * Math.max(1, d.scale));
    }
    // And the map is a real segmentation of the bear: it agrees with the ground truth (at R², nearest).
    const prob = output(got, 'output').data as Float32Array;
    let agree = 0;
    for (let y = 0; y < R; y++) {
      for (let x = 0; x < R; x++) {
        const gt =
          mask[
            Math.floor(((y + 0.5) * frame.height) / R) * frame.width +
              Math.floor(((x + 0.5) * frame.width) / R)
          ];
        if ((prob[y * R + x]! > 0.5 ? 1 : 0) === gt) agree++;
      }
    }
    expect(agree / (R * R)).toBeGreaterThan(0.97);
  });
});
