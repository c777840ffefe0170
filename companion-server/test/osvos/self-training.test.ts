/**
 * The self-training round on the embedded DAVIS "bear" clip at 128 px: after the fine-tune on
 * frame 0, the networks continue on their own confident answers on frames spread over the clip.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type FineTuneProgress } from '../../src/osvos/finetune';
import { resolveSettings } from '../../src/osvos/presets';
import { pseudoLabelFrames } from '../../src/osvos/pseudo-labels';
import {
  SELF_TRAINING_ITERATIONS,
  fineTuneOnClip,
  withAnnotationShare,
  type ClipFrames,
} from '../../src/osvos/self-training';
import { decodeRgbImage } from '../../src/video/image-decode';
import { readMask } from '../../src/video/mask-io';
import { sampleClip } from '../../src/video/sample-clip';
import { silenceLogs } from '../model/fixtures';

silenceLogs();
const sample = sampleClip();
const stem = (i: number) => String(i).padStart(5, '0');
/** Two networks (2 and 3 views) of 20 steps each, then the self-training round on 3 frames. */
const settings = resolveSettings('fast', {
  resolution: 128,
  iterations: 20,
  timeBudgetSeconds: 1e6,
  augmentationsPerAnnotation: 2,
  ensembleViews: [3],
  learningRate: 3e-4,
  selfTrainingFrames: 3,
});

async function bear(): Promise<{ clip: ClipFrames; read: number[] }> {
  const files = (await fs.readdir(sample.framesDir)).filter((f) => f.endsWith('.jpg'));
  const read: number[] = [];
  return {
    read,
    clip: {
      frameCount: files.length,
      readFrame: (i) => {
        read.push(i);
        return decodeRgbImage(path.join(sample.framesDir, `${stem(i)}.jpg`));
      },
    },
  };
}

async function request() {
  const m = await readMask(path.join(sample.annotationsDir, `${stem(0)}.png`));
  return {
    frames: new Map([[0, await decodeRgbImage(path.join(sample.framesDir, `${stem(0)}.jpg`))]]),
    annotations: [{ frameIndex: 0, mask: m.data, width: m.width, height: m.height }],
  };
}

describe('self-training round', () => {
  it("repeats the user's annotations to about half of the second round's samples", () => {
    const a = { frameIndex: 0, mask: new Uint8Array(4), width: 2, height: 2 };
    const b = { ...a, frameIndex: 9 };
    expect(withAnnotationShare([a], 6)).toEqual([a, a, a, a, a, a]);
    expect(withAnnotationShare([a, b], 6)).toEqual([a, b, a, b, a, b]);
    expect(withAnnotationShare([a, b], 1)).toEqual([a, b]);
  });

  it('continues every network on its confident answers on frames spread over the clip', async () => {
    const { clip, read } = await bear();
    const progress: FineTuneProgress[] = [];
    const plain = await fineTuneOnClip({
      ...(await request()),
      clip,
      settings: { ...settings, selfTrainingFrames: 0 },
    });
    expect(plain.selfTrainingFrames).toEqual([]);
    expect(read).toEqual([]);

    const result = await fineTuneOnClip({
      ...(await request()),
      clip,
      settings,
      onProgress: (p) => progress.push(p),
    });
    const picks = pseudoLabelFrames(clip.frameCount, [0], 3);
    expect(read).toEqual(picks);
    expect(result.selfTrainingFrames.length).toBeGreaterThan(0);
    for (const f of result.selfTrainingFrames) expect(picks).toContain(f);
    // Both networks ran the second round's steps on top of the first round's.
    expect(result.iterations).toBe(plain.iterations + 2 * SELF_TRAINING_ITERATIONS);
    expect(result.weights.iterations).toBe(result.iterations);
    // The weights describe the user's annotations and the first round's networks.
    expect(result.weights.annotatedFrames).toEqual([0]);
    expect(result.weights.ensemble.map((m) => m.views)).toEqual([3]);
    // The first round is the plain fine-tune (same seed); the second moved its parameters.
    const name = [...plain.weights.parameters.keys()][0]!;
    expect(result.weights.parameters.get(name)).not.toEqual(plain.weights.parameters.get(name));
    // One progress bar over both rounds.
    const total = 2 * (settings.iterations + SELF_TRAINING_ITERATIONS);
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([total]));
    const steps = progress.map((p) => p.iteration);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(steps[steps.length - 1]).toBe(total);
  }, 240_000);

  it('keeps the first round when the time budget leaves no room for a second', async () => {
    const { clip, read } = await bear();
    const result = await fineTuneOnClip({
      ...(await request()),
      clip,
      settings: { ...settings, timeBudgetSeconds: 25, ensembleViews: [] },
    });
    expect(result.selfTrainingFrames).toEqual([]);
    expect(read).toEqual([]);
    expect(result.iterations).toBeLessThanOrEqual(settings.iterations);
  }, 120_000);
});
