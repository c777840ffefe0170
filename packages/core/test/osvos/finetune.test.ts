/**
 * One-shot fine-tuning on a small real case: the embedded DAVIS "bear" clip at 128 px. Fine-tuned
 * on frame 0, the network must segment a held-out frame better than the parent does, and a
 * correction round must continue from the saved weights rather than start over.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jaccard } from '../../src/evaluation/measures';
import { SegmentationModel } from '../../src/model';
import { fineTune, type FineTuneProgress } from '../../src/osvos/finetune';
import { loadFineTunedModel } from '../../src/osvos/fine-tuned-model';
import { resolveSettings } from '../../src/osvos/presets';
import { readWeights, writeWeights } from '../../src/osvos/weights';
import { readFineTuneProgress } from '../../src/osvos/fine-tune-progress-file';
import { OperationCancelledError } from '../../src/osvos/cancelled';
import { readCheckpoint } from '@oneshot-roto/onnx-train';
import { decodeRgbImage } from '../../src/video/image-decode';
import { readMask } from '../../src/video/mask-io';
import { sampleClip } from '../../src/video/sample-clip';

const sample = sampleClip();
const frameFile = (i: number) => path.join(sample.framesDir, `${String(i).padStart(5, '0')}.jpg`);
const maskFile = (i: number) => path.join(sample.annotationsDir, `${String(i).padStart(5, '0')}.png`);
const settings = resolveSettings('fast', {
  resolution: 128,
  iterations: 40,
  timeBudgetSeconds: 1e6,
  augmentationsPerAnnotation: 6,
  learningRate: 3e-4,
});

/** Two networks of 6 steps: 2 views for the first, 3 for the second. */
const ensembleSettings = { ...settings, iterations: 6, augmentationsPerAnnotation: 2, ensembleViews: [3] };

async function annotation(i: number) {
  const m = await readMask(maskFile(i));
  return { frameIndex: i, mask: m.data, width: m.width, height: m.height };
}

async function iou(model: SegmentationModel, i: number): Promise<number> {
  const prob = await model.predict(await decodeRgbImage(frameFile(i)));
  const gt = await readMask(maskFile(i));
  return jaccard(
    Uint8Array.from(prob, (v) => (v >= 0.5 ? 1 : 0)),
    gt.data,
    gt.width,
    gt.height,
  );
}

/** Largest difference between `mean` and the mean of `a` and `b`, pixel by pixel. */
function meanError(mean: Float32Array, a: Float32Array, b: Float32Array): number {
  return mean.reduce((m, v, i) => Math.max(m, Math.abs(v - (a[i]! + b[i]!) / 2)), 0);
}

/** Largest difference between two maps: averaging them must make a difference. */
function spread(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('one-shot fine-tuning', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roto-ft-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('improves IoU on a held-out frame over the parent, and a correction continues from the saved weights', async () => {
    const frames = new Map([[0, await decodeRgbImage(frameFile(0))]]);
    const first: FineTuneProgress[] = [];
    const round1 = await fineTune({
      frames,
      annotations: [await annotation(0)],
      settings,
      onProgress: (p) => first.push(p),
    });
    expect(round1.iterations).toBe(40);
    const losses = first.filter((p) => p.phase === 'training').map((p) => p.loss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]!);

    const parent = await SegmentationModel.load({ resolution: 128 });
    const tuned = await loadFineTunedModel(round1.weights, {});
    const heldOut = 20;
    const parentIoU = await iou(parent, heldOut);
    const tunedIoU = await iou(tuned, heldOut);
    await parent.dispose();
    await tuned.dispose();
    expect(tunedIoU).toBeGreaterThan(parentIoU + 0.03);

    // Correction round from the saved weights: starts where round 1 ended (low loss), not from the parent.
    const file = path.join(dir, 'bear.weights');
    await writeWeights(file, round1.weights);
    const saved = await readWeights(file);
    for (const [k, v] of round1.weights.parameters)
      expect(Buffer.from(saved.parameters.get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(true);
    // The segmentation settings saved with the weights come back and are applied on load.
    expect(saved.testTimeFlip).toBe(false);
    const flipFile = path.join(dir, 'bear-flip.weights');
    await writeWeights(flipFile, { ...round1.weights, testTimeFlip: true });
    const flipModel = await loadFineTunedModel(await readWeights(flipFile), {});
    expect(flipModel.testTimeFlip).toBe(true);
    await flipModel.dispose();
    frames.set(12, await decodeRgbImage(frameFile(12)));
    const resumed: FineTuneProgress[] = [];
    const round2 = await fineTune({
      frames,
      annotations: [await annotation(0), await annotation(12)],
      settings: { ...settings, iterations: 5 },
      resumeFrom: saved,
      onProgress: (p) => resumed.push(p),
    });
    const firstResumedLoss = resumed.find((p) => p.phase === 'training')!.loss;
    expect(firstResumedLoss).toBeLessThan(losses[0]! * 0.7);
    expect(round2.weights.iterations).toBe(45);
    expect(round2.weights.annotatedFrames).toEqual([0, 12]);
  });

  it('fine-tunes an ensemble: each network on its own views, saved together, segmenting with the mean of their maps', async () => {
    const frames = new Map([[0, await decodeRgbImage(frameFile(0))]]);
    const progress: FineTuneProgress[] = [];
    const result = await fineTune({
      frames,
      annotations: [await annotation(0)],
      settings: ensembleSettings,
      onProgress: (p) => progress.push(p),
    });
    expect(result.iterations).toBe(12);
    // Progress counts over both networks.
    const training = progress.filter((p) => p.phase === 'training');
    expect(training.map((p) => p.iteration)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([12]));
    const w = result.weights;
    expect(w.ensemble.map((m) => m.views)).toEqual([3]);
    const member = w.ensemble[0]!.parameters;
    expect([...member.keys()].sort()).toEqual([...w.parameters.keys()].sort());
    // Different views, different networks.
    const differs = [...w.parameters].some(([k, v]) => v.some((x, i) => x !== member.get(k)![i]));
    expect(differs).toBe(true);

    const file = path.join(dir, 'ensemble.weights');
    await writeWeights(file, w);
    const saved = await readWeights(file);
    expect(saved.ensemble.map((m) => m.views)).toEqual([3]);
    for (const [k, v] of member)
      expect(Buffer.from(saved.ensemble[0]!.parameters.get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(
        true,
      );
    for (const [k, v] of w.parameters)
      expect(Buffer.from(saved.parameters.get(k)!.buffer).equals(Buffer.from(v.buffer))).toBe(true);

    // The ensemble's map is the mean of its two networks' maps.
    const frame = await decodeRgbImage(frameFile(20));
    const ensemble = await loadFineTunedModel(saved, {});
    const firstOnly = await loadFineTunedModel({ ...saved, ensemble: [] }, {});
    const secondOnly = await loadFineTunedModel({ ...saved, parameters: member, ensemble: [] }, {});
    const [pe, p1, p2] = [
      await ensemble.predict(frame),
      await firstOnly.predict(frame),
      await secondOnly.predict(frame),
    ];
    await Promise.all([ensemble.dispose(), firstOnly.dispose(), secondOnly.dispose()]);
    expect(meanError(pe, p1, p2)).toBeLessThan(1e-6);
    expect(spread(p1, p2)).toBeGreaterThan(0.01);

    // A correction continues every network; the number of networks must stay what was saved.
    const round2 = await fineTune({
      frames,
      annotations: [await annotation(0)],
      settings: { ...ensembleSettings, iterations: 2 },
      resumeFrom: saved,
    });
    expect(round2.weights.iterations).toBe(16);
    expect(round2.weights.ensemble).toHaveLength(1);
    await expect(
      fineTune({ frames, annotations: [await annotation(0)], settings, resumeFrom: saved }),
    ).rejects.toThrow(/hold 2 network\(s\); continue with the same ensemble/);
  });

  it('an interrupted ensemble fine-tune continues after its finished networks (progress file)', async () => {
    const frames = new Map([[0, await decodeRgbImage(frameFile(0))]]);
    const progressFile = path.join(dir, 'ensemble.progress');
    const annotations = [await annotation(0)];
    // Interrupted (as a shutdown does) during the second network.
    const controller = new AbortController();
    await expect(
      fineTune({
        frames,
        annotations,
        settings: ensembleSettings,
        progressFile,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'training' && p.iteration === 8) controller.abort();
        },
      }),
    ).rejects.toThrow(OperationCancelledError);
    const saved = await readFineTuneProgress(progressFile, 'not this request');
    expect(saved.status).toBe('other-request');

    const progress: FineTuneProgress[] = [];
    // A segmentation-only setting (test-time flip) changed: the finished network still serves.
    const result = await fineTune({
      frames,
      annotations,
      settings: { ...ensembleSettings, testTimeFlip: !ensembleSettings.testTimeFlip },
      progressFile,
      onProgress: (p) => progress.push(p),
    });
    // Only the second network trains again; the first is the one the interrupted run finished.
    const training = progress.filter((p) => p.phase === 'training').map((p) => p.iteration);
    expect(training).toEqual([7, 8, 9, 10, 11, 12]);
    expect(result.iterations).toBe(12);
    expect(result.weights.ensemble).toHaveLength(1);
    const checkpoint = await readCheckpoint(progressFile);
    expect(checkpoint.meta).toMatchObject({ networks: [{ iterations: 6 }] });
    for (const [k, v] of result.weights.parameters)
      expect(
        Buffer.from(checkpoint.tensors.get(`network/0/${k}`)!.data.buffer).equals(Buffer.from(v.buffer)),
      ).toBe(true);

    // Another annotation is another request: the file is not used.
    const other = [{ ...annotations[0]!, mask: annotations[0]!.mask.map((v, i) => (i < 2000 ? 0 : v)) }];
    const fresh: FineTuneProgress[] = [];
    await fineTune({
      frames,
      annotations: other,
      settings: { ...ensembleSettings, iterations: 2 },
      progressFile,
      onProgress: (p) => fresh.push(p),
    });
    expect(fresh.filter((p) => p.phase === 'training').map((p) => p.iteration)).toEqual([1, 2, 3, 4]);

    // A damaged file: a warning and a fresh start, not a failure.
    await fs.writeFile(progressFile, 'not a checkpoint');
    expect((await readFineTuneProgress(progressFile, 'k')).status).toBe('unreadable');
    const again = await fineTune({
      frames,
      annotations,
      settings: { ...ensembleSettings, iterations: 2 },
      progressFile,
    });
    expect(again.iterations).toBe(4);
  });

  it('refuses ensemble settings with no views', () => {
    expect(() => resolveSettings('best', { ensembleViews: [32, 0] })).toThrow(/1 or more views each, got 0/);
  });

  it('refuses to continue from weights trained at another resolution', async () => {
    const frames = new Map([[0, await decodeRgbImage(frameFile(0))]]);
    const fake = {
      resolution: 320,
      trainable: settings.trainable,
      parentSha256: 'x',
      annotatedFrames: [0],
      iterations: 1,
      threshold: 0.5,
      testTimeFlip: false,
      zoomPass: false,
      parameters: new Map(),
      ensemble: [],
    };
    await expect(
      fineTune({ frames, annotations: [await annotation(0)], settings, resumeFrom: fake }),
    ).rejects.toThrow(/320px/);
  });
});
