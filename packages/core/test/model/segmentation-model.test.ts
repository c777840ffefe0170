import { promises as fs } from 'node:fs';
import path from 'node:path';
import { cudaProviderInstalled, ModelError, SegmentationModel } from '../../src/model';
import { mirrorPlanes } from '../../src/model/segmentation-model';
import { loadBearFrame, makeTempDir, silenceLogs, tinyConvModel } from './fixtures';

silenceLogs();

const tmp = makeTempDir('segmentation');
const cacheDir = path.join(tmp.dir, 'cache');
afterAll(() => tmp.cleanup());

async function errorOf(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

/** Mean probability inside and outside the ground-truth mask. */
function meanInOut(prob: Float32Array, mask: Uint8Array): { inside: number; outside: number } {
  let si = 0;
  let ni = 0;
  let so = 0;
  let no = 0;
  for (let i = 0; i < prob.length; i++) {
    if (mask[i]) {
      si += prob[i]!;
      ni++;
    } else {
      so += prob[i]!;
      no++;
    }
  }
  return { inside: si / ni, outside: so / no };
}

describe.each([320, 512])('the parent network at %i²', (resolution) => {
  let model: SegmentationModel;
  beforeAll(async () => {
    model = await SegmentationModel.load({ resolution, cacheDir, threads: 2 });
  });
  afterAll(() => model.dispose());

  it('segments a real frame into a frame-sized probability map', async () => {
    expect(model.inputSize).toEqual({ width: resolution, height: resolution });
    expect(model.signature).toMatchObject({
      inputName: 'input',
      outputName: 'output',
      outputKind: 'probability',
    });
    const { frame, mask } = await loadBearFrame(0);
    const prob = await model.predict(frame);
    expect(prob).toHaveLength(frame.width * frame.height);
    expect(prob.every((v) => v >= 0 && v <= 1)).toBe(true);
    const { inside, outside } = meanInOut(prob, mask);
    expect(inside).toBeGreaterThan(0.8);
    expect(outside).toBeLessThan(0.1);
  });

  it('gives the raw network output at the input size, per batch item', async () => {
    const { frame } = await loadBearFrame(5);
    const input = await model.preprocess([frame, frame]);
    const two = await model.runRaw(input, 2);
    expect(two.dims).toEqual([2, 1, resolution, resolution]);
    const one = await model.runRaw(input.subarray(0, 3 * resolution * resolution), 1);
    expect(one.dims).toEqual([1, 1, resolution, resolution]);
    const plane = resolution * resolution;
    let maxDiff = 0;
    for (let i = 0; i < plane; i++) {
      maxDiff = Math.max(
        maxDiff,
        Math.abs(two.data[i]! - one.data[i]!),
        Math.abs(two.data[plane + i]! - one.data[i]!),
      );
    }
    expect(maxDiff).toBeLessThan(1e-4);
  });
});

describe('execution providers', () => {
  const tiny = tinyConvModel({ inputDims: [1, 3, 8, 8], sigmoid: true });

  it('falls back to the CPU under auto when CUDA is not installed, and reports it', async () => {
    const model = await SegmentationModel.load({ modelBytes: tiny, device: 'auto' });
    expect(model.executionProvider).toBe(cudaProviderInstalled() ? 'cuda' : 'cpu');
    await model.dispose();
  });

  it('runs on the CPU when asked', async () => {
    const model = await SegmentationModel.load({ modelBytes: tiny, device: 'cpu', threads: 1 });
    expect(model.executionProvider).toBe('cpu');
    expect(model.threads).toBe(1);
    await model.dispose();
  });

  (cudaProviderInstalled() ? it.skip : it)(
    'fails clearly when CUDA is asked for but not installed',
    async () => {
      const err = await errorOf(SegmentationModel.load({ modelBytes: tiny, device: 'cuda' }));
      expect(err.code).toBe('PROVIDER_UNAVAILABLE');
      expect(err.message).toContain('npm run install:cuda');
    },
  );

  it('rejects an unknown device name', async () => {
    const err = await errorOf(SegmentationModel.load({ modelBytes: tiny, device: 'tpu' as never }));
    expect(err.code).toBe('PROVIDER_UNAVAILABLE');
    expect(err.message).toMatch(/unknown device "tpu".*auto, cpu, cuda/);
  });
});

describe('a model given by path or bytes', () => {
  it('runs a user model with a dynamic input size at the requested resolution, applying a sigmoid to its logits', async () => {
    const file = path.join(tmp.dir, 'logits.onnx');
    // logit = r + g − b − 1 (in network units x/255 − 0.5)
    await fs.writeFile(file, tinyConvModel({ inputDims: ['n', 3, 'h', 'w'], weights: [1, 1, -1], bias: -1 }));
    const model = await SegmentationModel.load({ modelPath: file, resolution: 64 });
    expect(model.inputSize).toEqual({ width: 64, height: 64 });
    expect(model.signature.outputKind).toBe('logits');
    expect(model.source).toEqual({ kind: 'file', path: file });
    const [r, g, b] = [255, 51, 0];
    const frame = {
      data: new Uint8Array(30 * 20 * 3).map((_, i) => [r, g, b][i % 3]!),
      width: 30,
      height: 20,
      channels: 3 as const,
    };
    const prob = await model.predict(frame);
    const logit = r / 255 - 0.5 + (g / 255 - 0.5) - (b / 255 - 0.5) - 1;
    expect(prob).toHaveLength(600);
    for (const v of prob) expect(v).toBeCloseTo(1 / (1 + Math.exp(-logit)), 5);
    await model.dispose();
  });

  it('takes the input size from a model with a fixed one, and batches frames of different sizes', async () => {
    const model = await SegmentationModel.load({
      modelBytes: tinyConvModel({ inputDims: ['n', 3, 48, 40], sigmoid: true }),
    });
    expect(model.inputSize).toEqual({ width: 40, height: 48 });
    expect(model.source).toMatchObject({ kind: 'bytes' });
    const white = {
      data: new Uint8Array(10 * 10 * 3).fill(255),
      width: 10,
      height: 10,
      channels: 3 as const,
    };
    const black = { data: new Uint8Array(7 * 5 * 3), width: 7, height: 5, channels: 3 as const };
    const maps = await model.predictBatch([white, black]);
    expect(maps).toHaveLength(2);
    const [pw, pb] = [maps[0]!, maps[1]!];
    expect(pw).toHaveLength(100);
    expect(pb).toHaveLength(35);
    pw.forEach((v) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 5));
    pb.forEach((v) => expect(v).toBeCloseTo(1 / (1 + Math.exp(1.5)), 5));
    await model.dispose();
  });

  it('says so when the model file does not exist', async () => {
    const missing = path.join(tmp.dir, 'nope.onnx');
    const err = await errorOf(SegmentationModel.load({ modelPath: missing }));
    expect(err.code).toBe('MODEL_NOT_FOUND');
    expect(err.message).toContain(missing);
  });

  it('says so when the file is not an ONNX model', async () => {
    const file = path.join(tmp.dir, 'notes.onnx');
    await fs.writeFile(file, 'these are not the weights you are looking for\n'.repeat(20));
    const err = await errorOf(SegmentationModel.load({ modelPath: file }));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not an ONNX model/);
  });

  it('rejects a model whose input is not an image batch [N,3,H,W]', async () => {
    const err = await errorOf(
      SegmentationModel.load({ modelBytes: tinyConvModel({ inputDims: [3, 8, 8] }) }),
    );
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toMatch(/shape \[3,8,8\].*\[N,3,H,W\]/);
    const gray = await errorOf(
      SegmentationModel.load({ modelBytes: tinyConvModel({ inputDims: [1, 1, 8, 8] }) }),
    );
    expect(gray.message).toMatch(/shape \[1,1,8,8\]/);
  });

  it('rejects a frame whose buffer does not match its size', async () => {
    const model = await SegmentationModel.load({ modelBytes: tinyConvModel({ inputDims: [1, 3, 8, 8] }) });
    const err = await errorOf(model.predict({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/10 bytes.*4x4 needs 48/);
    await model.dispose();
  });
});

describe('test-time flip', () => {
  const mirrorFrame = (f: { data: Uint8Array; width: number; height: number; channels: 3 }) => {
    const data = new Uint8Array(f.data.length);
    for (let y = 0; y < f.height; y++)
      for (let x = 0; x < f.width; x++)
        for (let c = 0; c < 3; c++)
          data[3 * (y * f.width + x) + c] = f.data[3 * (y * f.width + f.width - 1 - x) + c]!;
    return { ...f, data };
  };
  const mirrorMap = (p: Float32Array, w: number, h: number) => mirrorPlanes(p, 1, w, h);
  const meanAbsDiff = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
    return s / a.length;
  };

  it('maps mirrored back: a per-pixel model (batch fixed at 1, logits) gives the same map with and without it', async () => {
    const bytes = tinyConvModel({ inputDims: [1, 3, 48, 40], weights: [2, -1, 0.5] });
    const plain = await SegmentationModel.load({ modelBytes: bytes });
    const flipped = await SegmentationModel.load({ modelBytes: bytes, testTimeFlip: true });
    expect(flipped.supportsBatch).toBe(false);
    // A left-to-right ramp: any map left mirrored would differ from the plain one.
    const data = new Uint8Array(40 * 48 * 3);
    for (let i = 0; i < 40 * 48; i++) data.fill(((i % 40) * 255) / 39, 3 * i, 3 * i + 3);
    const frame = { data, width: 40, height: 48, channels: 3 as const };
    const [a, b] = [await plain.predict(frame), await flipped.predict(frame)];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-6);
    expect(a[0]).not.toBeCloseTo(a[39]!, 2);
    await plain.dispose();
    await flipped.dispose();
  });

  it('averages the parent network with its prediction on the mirrored frame, and is mirror-symmetric', async () => {
    const plain = await SegmentationModel.load({ resolution: 320, cacheDir, threads: 2 });
    const tta = await SegmentationModel.load({ resolution: 320, cacheDir, threads: 2, testTimeFlip: true });
    const { frame } = await loadBearFrame(3);
    const { width: w, height: h } = frame;
    const mirrored = mirrorFrame(frame);
    const p = await plain.predict(frame);
    const pm = mirrorMap(await plain.predict(mirrored), w, h);
    const expected = p.map((v, i) => 0.5 * (v + pm[i]!));
    const got = await tta.predict(frame);
    // Equal up to resampling rounding; the two plain predictions differ by much more.
    expect(meanAbsDiff(got, expected)).toBeLessThan(0.1 * meanAbsDiff(p, pm));
    expect(meanAbsDiff(mirrorMap(await tta.predict(mirrored), w, h), got)).toBeLessThan(
      0.1 * meanAbsDiff(p, pm),
    );
    await plain.dispose();
    await tta.dispose();
  });
});
