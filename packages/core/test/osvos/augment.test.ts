import { IDENTITY_AUGMENTATION, planAugmentations, renderAugmentedSample } from '../../src/osvos/augment';
import { DONT_CARE } from '../../src/osvos/annotations';
import { frameOrder } from '../../src/osvos/segment-clip';
import { resolveSettings, type FineTuneLoss, type TrainableDepth } from '../../src/osvos/presets';

const size = 16;
// A frame whose red channel encodes x and green encodes y, with a mask on its left half.
const image = {
  data: Uint8Array.from({ length: size * size * 3 }, (_, i) => {
    const p = Math.floor(i / 3);
    return i % 3 === 0 ? (p % size) * 10 : i % 3 === 1 ? Math.floor(p / size) * 10 : 7;
  }),
  width: size,
  height: size,
  channels: 3 as const,
};
const annotation = {
  mask: Uint8Array.from({ length: size * size }, (_, p) => (p % size < size / 2 ? 1 : 0)),
  width: size,
  height: size,
};
const id = (v: number) => v;

describe('augmentation', () => {
  it('the identity view reproduces the image and mask exactly', () => {
    const s = renderAugmentedSample(image, annotation, size, IDENTITY_AUGMENTATION, id);
    for (let p = 0; p < size * size; p++) {
      expect(s.image[p]).toBeCloseTo(image.data[3 * p]!, 4);
      expect(s.image[size * size + p]).toBeCloseTo(image.data[3 * p + 1]!, 4);
      expect(s.label[p]).toBe(annotation.mask[p]);
      expect(s.weight[p]).toBe(1);
    }
  });

  it('a flip mirrors image and label together', () => {
    const s = renderAugmentedSample(image, annotation, size, { ...IDENTITY_AUGMENTATION, flip: true }, id);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        expect(s.image[y * size + x]).toBeCloseTo(image.data[3 * (y * size + (size - 1 - x))]!, 4);
        expect(s.label[y * size + x]).toBe(x >= size / 2 ? 1 : 0);
      }
    }
  });

  it('zooming out leaves the padding out of the loss', () => {
    const s = renderAugmentedSample(image, annotation, size, { ...IDENTITY_AUGMENTATION, zoom: 0.5 }, id);
    expect(s.weight[0]).toBe(0);
    expect(s.weight[(size / 2) * size + size / 2]).toBe(1);
    const counted = s.weight.reduce((a, b) => a + b, 0);
    expect(counted).toBeGreaterThanOrEqual((size * size) / 4 - 2 * size);
    expect(counted).toBeLessThanOrEqual((size * size) / 4 + 2 * size);
  });

  it("don't-care annotation pixels get weight 0", () => {
    const mask = annotation.mask.slice();
    mask[5 * size + 3] = DONT_CARE;
    const s = renderAugmentedSample(image, { ...annotation, mask }, size, IDENTITY_AUGMENTATION, id);
    expect(s.weight[5 * size + 3]).toBe(0);
    expect(s.weight[10 * size + 10]).toBe(1);
  });

  it('plans the zoom × flip grid first, then seeded random views', () => {
    const ranges = { zooms: [1, 0.8], maxRotationDeg: 10, maxShift: 0.1, flip: true };
    const plan = planAugmentations(8, ranges, 3);
    expect(plan).toHaveLength(8);
    expect(plan.slice(0, 4).map((p) => [p.zoom, p.flip])).toEqual([
      [1, false],
      [1, true],
      [0.8, false],
      [0.8, true],
    ]);
    expect(planAugmentations(8, ranges, 3)).toEqual(plan);
    for (const p of plan.slice(4)) expect(Math.abs(p.rotationDeg)).toBeLessThanOrEqual(10);
  });
});

describe('frame order and presets', () => {
  it('puts requested frames first, then the rest in clip order', () => {
    expect(frameOrder(6, [4, 1])).toEqual([4, 1, 0, 2, 3, 5]);
    expect(frameOrder(6, [9, 2], [2, 3])).toEqual([2, 3]);
  });
  it('explicit knobs override the preset and bad resolutions are refused', () => {
    expect(resolveSettings('fast', { iterations: 7 }).iterations).toBe(7);
    expect(() => resolveSettings('fast', { resolution: 300 })).toThrow(/multiple of 32/);
  });
  it('refuses view counts and budgets that no caller could mean', () => {
    expect(() => resolveSettings('best', { augmentationsPerAnnotation: 0 })).toThrow(/1 or more, got 0/);
    expect(() => resolveSettings('best', { augmentationsPerAnnotation: Number('x') })).toThrow(/got NaN/);
    expect(() => resolveSettings('best', { timeBudgetSeconds: 0 })).toThrow(/time budget/);
    expect(() => resolveSettings('best', { parentGuideShare: 1.5 })).toThrow(
      /share must be between 0 and 1, got 1.5/,
    );
    expect(() => resolveSettings('best', { parentGuideShare: Number.NaN })).toThrow(/share/);
  });

  it('refuses a loss or a trainable depth it does not know, naming the ones it does', () => {
    const loss = 'dice' as unknown as FineTuneLoss;
    expect(() => resolveSettings('best', { loss })).toThrow(/unknown loss "dice".*class-balanced/);
    expect(resolveSettings('best', { loss: 'plain' }).loss).toBe('plain');
    const trainable = 'encoder' as unknown as TrainableDepth;
    expect(() => resolveSettings('best', { trainable })).toThrow(
      /unknown trainable depth "encoder".*decoder-top/,
    );
  });
});
