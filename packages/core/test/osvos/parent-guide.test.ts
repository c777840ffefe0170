/**
 * The parent guide (osvos/parent-guide.ts): the fine-tuned network's map averaged with the parent's
 * at its own 1024², except on objects the parent does not see and on a part of one it does.
 * Real networks on the embedded DAVIS "bear" clip: a zoomed-in far frame (the object grows, as in
 * a clip the one-shot network was not trained for), an annotation of a thing the parent does not
 * find salient (the stone wall), and one of a part of the bear.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { jaccard } from '../../src/evaluation/measures';
import { SegmentationModel } from '../../src/model';
import type { Annotation } from '../../src/osvos/annotations';
import { loadFineTunedModel } from '../../src/osvos/fine-tuned-model';
import { createOneShotMethod } from '../../src/osvos/one-shot';
import {
  annotationAgreement,
  annotationShare,
  fuseWithParent,
  guideStandsAside,
} from '../../src/osvos/parent-guide';
import { resolveSettings } from '../../src/osvos/presets';
import { openFrameSource } from '../../src/video/open-frame-source';
import { readMask } from '../../src/video/mask-io';
import { sampleClip } from '../../src/video/sample-clip';
import { silenceLogs } from '../model/fixtures';

silenceLogs();
const sample = sampleClip();
const stem = (i: number) => String(i).padStart(5, '0');
const W = 854;
const H = 480;
/** `fast` as it is (its parent guide at 1024²), with a short fine-tune at 128² to keep the test quick. */
const settings = resolveSettings('fast', {
  resolution: 128,
  iterations: 30,
  timeBudgetSeconds: 1e6,
  augmentationsPerAnnotation: 4,
  learningRate: 3e-4,
});
const method = createOneShotMethod();

const binary = (map: Float32Array) => Uint8Array.from(map, (v) => (v >= 0.5 ? 1 : 0));

describe('fuseWithParent', () => {
  it('averages the two maps, so either network sure of a pixel outvotes the other in doubt', () => {
    // One row; the fine-tuned object (pixels 0 and 2 are not connected to each other) is one the
    // parent sees, so the mean applies everywhere.
    const fine = Float32Array.from([0.9, 0.1, 0.6, 0.2]);
    const parent = Float32Array.from([0.3, 0.95, 0.6, 0.2]);
    const fused = fuseWithParent(fine, parent, 4, 1);
    expect(Array.from(fused).map((v) => +v.toFixed(3))).toEqual([0.6, 0.525, 0.6, 0.2]);
  });

  it('keeps the fine-tuned map on its objects in a frame where the parent sees none of them', () => {
    // 6×3: a fine-tuned object on the left (columns 0–1) where the parent is near zero, one on
    // the right (columns 4–5) that the parent half-sees, and background between.
    const W6 = 6;
    const fine = new Float32Array(18);
    const parent = new Float32Array(18);
    for (let y = 0; y < 3; y++) {
      for (const x of [0, 1]) [fine[y * W6 + x], parent[y * W6 + x]] = [0.8, 0.05];
      for (const x of [4, 5]) [fine[y * W6 + x], parent[y * W6 + x]] = [0.8, 0.4];
      [fine[y * W6 + 2], parent[y * W6 + 2]] = [0.1, 0.9];
    }
    // The parent sees the right object: the left one is a false alarm, and the mean stands.
    const both = fuseWithParent(fine, parent, W6, 3);
    expect(both[0]).toBeCloseTo(0.425, 6);
    expect(both[4]).toBeCloseTo(0.6, 6);
    // Without the right object the parent sees none of the fine-tuned ones: the left one stays.
    for (let y = 0; y < 3; y++) for (const x of [4, 5]) fine[y * W6 + x] = 0;
    const alone = fuseWithParent(fine, parent, W6, 3);
    for (let y = 0; y < 3; y++) {
      expect(alone[y * W6]).toBeCloseTo(0.8, 6);
      expect(alone[y * W6 + 2]).toBeCloseTo(0.5, 6); // background: the mean
    }
    // Off when asked: the mean everywhere.
    expect(fuseWithParent(fine, parent, W6, 3, { unseenSupport: 0 })[0]).toBeCloseTo(0.425, 6);
  });

  it('refuses maps that are not of one frame', () => {
    expect(() => fuseWithParent(new Float32Array(4), new Float32Array(6), 2, 2)).toThrow(/4 and 6 values/);
    expect(() => fuseWithParent(new Float32Array(6), new Float32Array(6), 2, 2)).toThrow(/at 2×2/);
  });
});

describe('guideStandsAside', () => {
  it('stands aside for an annotated part only where the parent alone could reach the threshold', () => {
    // One row of 6: the parent sure of a whole object (pixels 0–4), the fine-tuned network sure
    // of its left part (0–1) and in doubt at the part's edge (2).
    const parent = Float32Array.from([0.98, 0.98, 0.98, 0.98, 0.98, 0.02]);
    const fine = Float32Array.from([0.95, 0.95, 0.3, 0.05, 0.05, 0.02]);
    const mask = (share: number) =>
      Array.from(fuseWithParent(fine, parent, 6, 1, { share }), (v) => +(v >= 0.5));
    // At an even share the parent alone makes the rest of the object the matte: hence the gate.
    expect(mask(0.5)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(guideStandsAside({ resolution: 1024, agreement: 0.4, annotationShare: 0.3, share: 0.5 })).toBe(
      true,
    );
    expect(guideStandsAside({ resolution: 1024, agreement: 0.4, annotationShare: 0.3 })).toBe(true);
    // Below half the fine-tuned network's sure "not this part" wins without it: the part, plus
    // the pixel at its edge the fine-tuned network half-gives (0.3 ≥ (0.5 − 0.4) / 0.6).
    expect(mask(0.4)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(guideStandsAside({ resolution: 1024, agreement: 0.4, annotationShare: 0.3, share: 0.4 })).toBe(
      false,
    );
    // A whole object stays guided at any share.
    expect(guideStandsAside({ resolution: 1024, agreement: 0.9, annotationShare: 0.9, share: 0.5 })).toBe(
      false,
    );
  });
});

describe('annotationAgreement', () => {
  it("is the IoU of the parent's mask with the annotation's definite pixels, don't-care left out", () => {
    const parent = Float32Array.from([0.9, 0.9, 0.1, 0.9, 0.1]);
    const mask = Uint8Array.from([1, 0, 1, 255, 0]);
    const a: Annotation = { frameIndex: 0, mask, width: 5, height: 1 };
    // Definite pixels 0, 1, 2, 4: intersection {0}, union {0, 1, 2}.
    expect(annotationAgreement(parent, a)).toBeCloseTo(1 / 3, 6);
  });
});

describe('annotationShare', () => {
  it("is the share of the parent's objects touching the annotation that the annotation covers", () => {
    // One row of 8: the parent sees pixels 0–3 and 6; the annotation is pixels 0 and 1.
    const parent = Float32Array.from([0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.9, 0.1]);
    const mask = Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]);
    expect(annotationShare(parent, { frameIndex: 0, mask, width: 8, height: 1 })).toBeCloseTo(0.5, 6);
    // An annotation the parent does not touch is a part of nothing.
    const apart = Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0]);
    expect(annotationShare(parent, { frameIndex: 0, mask: apart, width: 8, height: 1 })).toBe(1);
  });
});

describe('one-shot with the parent guide on real frames', () => {
  let dir: string;
  let parent: SegmentationModel;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parent-guide-'));
    parent = await SegmentationModel.load({ resolution: 1024 });
  }, 300_000);

  afterAll(async () => {
    await parent?.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Frame `i` of the sample zoomed `zoom`× around the centre of its object's box, with its mask. */
  async function zoomed(i: number, zoom: number, frameFile: string, maskFile: string): Promise<void> {
    const gt = await readMask(path.join(sample.annotationsDir, `${stem(i)}.png`));
    let [x0, y0, x1, y1] = [W, H, 0, 0];
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        if (gt.data[y * W + x])
          [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    const width = Math.round(W / zoom);
    const height = Math.round(H / zoom);
    const left = Math.min(W - width, Math.max(0, Math.round((x0 + x1) / 2 - width / 2)));
    const top = Math.min(H - height, Math.max(0, Math.round((y0 + y1) / 2 - height / 2)));
    const crop = (input: string | Buffer, raw?: { width: number; height: number; channels: 1 }) =>
      sharp(input, raw ? { raw } : undefined)
        .extract({ left, top, width, height })
        .resize(W, H, { fit: 'fill' });
    await crop(path.join(sample.framesDir, `${stem(i)}.jpg`))
      .jpeg({ quality: 95 })
      .toFile(frameFile);
    const mask255 = Buffer.from(gt.data.map((v) => (v ? 255 : 0)));
    await crop(mask255, { width: W, height: H, channels: 1 }).threshold(128).png().toFile(maskFile);
  }

  it('follows the object where it has grown 2.2x, as well as the parent alone and far better than the fine-tuned network', async () => {
    const frames = path.join(dir, 'zoom');
    await fs.mkdir(frames);
    await fs.copyFile(path.join(sample.framesDir, '00000.jpg'), path.join(frames, '00000.jpg'));
    const farMask = path.join(dir, 'far.png');
    await zoomed(23, 2.2, path.join(frames, '00001.jpg'), farMask);
    const source = await openFrameSource(frames);
    try {
      const m = await readMask(path.join(sample.annotationsDir, '00000.png'));
      const { weights } = await method.fineTune(
        source,
        [{ frameIndex: 0, mask: m.data, width: m.width, height: m.height }],
        settings,
      );
      expect(weights.parentGuide?.resolution).toBe(1024);
      expect(weights.parentGuide?.agreement).toBeGreaterThan(0.8);
      const far = await source.readFrame(1);
      const gt = await readMask(farMask);
      const segmenter = await method.segmenter(weights);
      const product = jaccard(binary(await segmenter.predict(far)), gt.data, W, H);
      await segmenter.dispose();
      const fine = await loadFineTunedModel(weights, {});
      const fineAlone = jaccard(binary(await fine.predict(far)), gt.data, W, H);
      await fine.dispose();
      const parentAlone = jaccard(binary(await parent.predict(far)), gt.data, W, H);
      // The test's network is fine-tuned at 128² for speed, far weaker than a preset's: within 2
      // points of the parent (0.966 against 0.955 when written), well above the network alone.
      expect(product).toBeGreaterThanOrEqual(parentAlone - 0.02);
      expect(product).toBeGreaterThan(fineAlone + 0.05);
    } finally {
      await source.close();
    }
  }, 600_000);

  /** Fine-tunes on `mask` as frame 0's annotation of the sample and segments frame 4 with the product. */
  async function annotateAndSegment(mask: Uint8Array) {
    const source = await openFrameSource(sample.framesDir);
    try {
      const { weights } = await method.fineTune(
        source,
        [{ frameIndex: 0, mask, width: W, height: H }],
        settings,
      );
      const segmenter = await method.segmenter(weights);
      const frame = await source.readFrame(4);
      const product = await segmenter.predict(frame);
      await segmenter.dispose();
      return { weights, frame, product };
    } finally {
      await source.close();
    }
  }

  it('still follows an annotated object that the parent does not find (the stone wall)', async () => {
    // The wall above the bear: no salient-object network calls it the object.
    const wall = new Uint8Array(W * H);
    for (let y = 10; y < 190; y++) for (let x = 30; x < 430; x++) wall[y * W + x] = 1;
    const { weights, frame, product } = await annotateAndSegment(wall);
    // The parent's mask is the bear, not the wall: the fine-tuned map stands on the wall.
    expect(weights?.parentGuide?.agreement).toBeLessThan(0.5);
    expect(jaccard(binary(await parent.predict(frame)), wall, W, H)).toBeLessThan(0.1);
    expect(jaccard(binary(product), wall, W, H)).toBeGreaterThan(0.5);
  }, 600_000);

  it('leaves an annotated part of what the parent calls one object to the fine-tuned network', async () => {
    // The left third of the bear: the parent finds the whole bear, and averaging would hand the
    // matte all of it.
    const bear = await readMask(path.join(sample.annotationsDir, '00000.png'));
    let [x0, x1] = [W, 0];
    for (let i = 0; i < bear.data.length; i++)
      if (bear.data[i]) [x0, x1] = [Math.min(x0, i % W), Math.max(x1, i % W)];
    const cut = x0 + Math.round((x1 - x0) / 3);
    const part = Uint8Array.from(bear.data, (v, i) => (v && i % W < cut ? 1 : 0));
    const { weights, frame, product } = await annotateAndSegment(part);
    expect(weights?.parentGuide?.annotationShare).toBeLessThan(0.5);
    expect(jaccard(binary(await parent.predict(frame)), bear.data, W, H)).toBeGreaterThan(0.8);
    // The guide stands aside: the matte is the fine-tuned network's own map. (The test's network,
    // 30 steps at 128², is too weak to tell a third of the bear from the bear; a preset's is
    // not asked to here.)
    const fine = await loadFineTunedModel(weights, {});
    expect(Array.from(product)).toEqual(Array.from(await fine.predict(frame)));
    await fine.dispose();
  }, 600_000);
});
