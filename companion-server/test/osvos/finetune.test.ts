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
import { loadFineTunedModel } from '../../src/osvos/one-shot';
import { resolveSettings } from '../../src/osvos/presets';
import { readWeights, writeWeights } from '../../src/osvos/weights';
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
      parameters: new Map(),
    };
    await expect(
      fineTune({ frames, annotations: [await annotation(0)], settings, resumeFrom: fake }),
    ).rejects.toThrow(/320px/);
  });
});
