import { fillHole } from '../../src/osvos/inpaint';
import {
  IDENTITY_AUGMENTATION,
  objectFreeBackground,
  planAugmentations,
  renderAugmentedSample,
} from '../../src/osvos/augment';

function frame(width: number, height: number, colour: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set(colour(x, y), 3 * (y * width + x));
  return { data, width, height, channels: 3 as const };
}
const squareMask = (size: number, x0: number, y0: number, side: number) =>
  Uint8Array.from({ length: size * size }, (_, p) => {
    const x = p % size;
    const y = Math.floor(p / size);
    return x >= x0 && x < x0 + side && y >= y0 && y < y0 + side ? 1 : 0;
  });

describe('hole filling (push-pull)', () => {
  it('fills a hole in a flat background with that colour exactly and leaves known pixels alone', () => {
    const size = 37; // odd: exercises the pyramid's ragged edges
    const img = frame(size, size, (x, y) =>
      x >= 10 && x < 20 && y >= 5 && y < 25 ? [250, 0, 0] : [40, 90, 160],
    );
    const hole = Uint8Array.from({ length: size * size }, (_, p) => {
      const x = p % size;
      const y = Math.floor(p / size);
      return x >= 10 && x < 20 && y >= 5 && y < 25 ? 1 : 0;
    });
    const out = fillHole(img, hole);
    for (let p = 0; p < size * size; p++)
      expect([...out.data.subarray(3 * p, 3 * p + 3)]).toEqual([40, 90, 160]);
  });

  it('interpolates between the colours on either side of the hole', () => {
    const w = 64;
    const h = 8;
    const img = frame(w, h, (x) => (x < 24 ? [0, 0, 0] : x >= 40 ? [200, 200, 200] : [255, 0, 255]));
    const hole = Uint8Array.from({ length: w * h }, (_, p) => (p % w >= 24 && p % w < 40 ? 1 : 0));
    const out = fillHole(img, hole);
    const row = 4;
    let previous = -1;
    for (let x = 24; x < 40; x++) {
      const v = out.data[3 * (row * w + x)]!;
      expect(v).toBeGreaterThanOrEqual(previous); // a ramp from dark to light, no magenta left
      expect(out.data[3 * (row * w + x) + 1]).toBe(v);
      previous = v;
    }
    expect(out.data[3 * (row * w + 24)]!).toBeLessThan(100);
    expect(out.data[3 * (row * w + 39)]!).toBeGreaterThan(100);
  });

  it('refuses a hole that covers everything and a mask of the wrong size', () => {
    const img = frame(4, 4, () => [1, 2, 3]);
    expect(() => fillHole(img, new Uint8Array(16).fill(1))).toThrow(/no background/);
    expect(() => fillHole(img, new Uint8Array(15))).toThrow(/15 pixels/);
  });
});

describe('composite views', () => {
  const size = 32;
  // Background: green; the object: a red 8×8 square at (4, 4).
  const mask = squareMask(size, 4, 4, 8);
  const img = frame(size, size, (x, y) => (mask[y * size + x] ? [220, 10, 10] : [10, 200, 10]));
  const annotation = { mask, width: size, height: size };
  const id = (v: number) => v;

  it('moves the object alone: label and pixels follow it, its old place becomes background', () => {
    const bg = objectFreeBackground(img, annotation);
    const view = { ...IDENTITY_AUGMENTATION, object: { shiftX: 16 / size, shiftY: 8 / size, zoom: 1 } };
    const s = renderAugmentedSample(img, annotation, size, view, id, bg);
    const plane = size * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = y * size + x;
        const moved = x >= 20 && x < 28 && y >= 12 && y < 20;
        expect(s.label[p]).toBe(moved ? 1 : 0);
        expect(s.weight[p]).toBe(1);
        if (moved) expect(s.image[p]).toBeCloseTo(220, 3);
        else expect(s.image[plane + p]).toBeGreaterThan(150); // green, including the object's old place
      }
    }
  });

  it('scales the object about its centre', () => {
    const bg = objectFreeBackground(img, annotation);
    const view = { ...IDENTITY_AUGMENTATION, object: { shiftX: 0.25, shiftY: 0.25, zoom: 2 } };
    const s = renderAugmentedSample(img, annotation, size, view, id, bg);
    const area = s.label.reduce((a, b) => a + b, 0);
    expect(area).toBeGreaterThanOrEqual(15 * 15);
    expect(area).toBeLessThanOrEqual(17 * 17);
    expect(s.label[16 * size + 16]).toBe(1); // centre (8, 8) moved by (8, 8)
  });

  it('plans composites after the ordinary views and needs the background to render them', () => {
    const ranges = { zooms: [1], maxRotationDeg: 0, maxShift: 0, flip: false };
    const plan = planAugmentations(2, ranges, 5, 3);
    expect(plan).toHaveLength(5);
    expect(plan.slice(0, 2).every((v) => v.object === undefined)).toBe(true);
    for (const v of plan.slice(2)) {
      expect(Math.abs(v.object!.shiftX)).toBeLessThanOrEqual(0.25);
      expect(Math.abs(v.object!.zoom - 1)).toBeLessThanOrEqual(0.2);
    }
    expect(() => renderAugmentedSample(img, annotation, size, plan[2]!, id)).toThrow(
      /object-free background/,
    );
  });
});
