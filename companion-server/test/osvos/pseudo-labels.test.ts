import { DONT_CARE } from '../../src/osvos/annotations';
import { makeFloatMatte } from '../../src/matte/matte';
import { pseudoAnnotation, pseudoLabelFrames } from '../../src/osvos/pseudo-labels';

const W = 854;
const H = 480;
const options = {
  positive: 0.9,
  negative: 0,
  negativeDistance: 40,
  islandFraction: 0.05,
  minConfidentShare: 0.5,
};

function fill(m: Float32Array, x0: number, y0: number, w: number, h: number, v: number): void {
  for (let y = y0; y < y0 + h; y++) m.fill(v, y * W + x0, y * W + x0 + w);
}

describe('pseudo-label frames', () => {
  it('spreads the frames over the clip, one per equal stretch, none annotated', () => {
    expect(pseudoLabelFrames(80, [0], 4)).toEqual([10, 30, 50, 70]);
    // An annotated frame at a stretch's middle moves that pick to its neighbour.
    expect(pseudoLabelFrames(80, [0, 30], 4)).toEqual([10, 29, 50, 70]);
    expect(pseudoLabelFrames(3, [0], 5)).toEqual([1, 2]);
  });
});

describe('pseudo-annotation', () => {
  it('teaches the confident object, background beyond the distance (a stray island too), and ignores the rest', () => {
    const soft = new Float32Array(W * H);
    fill(soft, 300, 200, 100, 100, 0.95); // the object, sure
    fill(soft, 300, 200, 100, 10, 0.7); // its top rows, unsure
    fill(soft, 700, 50, 8, 8, 0.99); // a stray island, sure but tiny
    const a = pseudoAnnotation(12, makeFloatMatte(soft, W, H), options)!;
    expect(a.frameIndex).toBe(12);
    expect([a.width, a.height]).toEqual([W, H]);
    const at = (x: number, y: number) => a.mask[y * W + x];
    expect(at(350, 250)).toBe(1);
    expect(at(350, 205)).toBe(DONT_CARE); // object, under the positive level
    expect(at(350, 330)).toBe(DONT_CARE); // 31 px below the object: within 40 px
    expect(at(350, 345)).toBe(0); // 46 px below: background
    expect(at(703, 53)).toBe(0); // the island is far from the object
    let positives = 0;
    for (const v of a.mask) if (v === 1) positives++;
    expect(positives).toBe(100 * 90);
  });

  it('with a background level, also teaches confident background next to the object', () => {
    const soft = new Float32Array(W * H).fill(0.01);
    fill(soft, 300, 200, 100, 100, 0.95);
    fill(soft, 400, 200, 20, 100, 0.2); // unsure, right of the object
    const a = pseudoAnnotation(5, makeFloatMatte(soft, W, H), { ...options, negative: 0.05 })!;
    const at = (x: number, y: number) => a.mask[y * W + x];
    expect(at(350, 305)).toBe(0); // 6 px below the object, network sure it is background
    expect(at(410, 250)).toBe(DONT_CARE); // unsure and near
    expect(at(350, 250)).toBe(1);
    const without = pseudoAnnotation(5, makeFloatMatte(soft, W, H), options)!;
    expect(without.mask[305 * W + 350]).toBe(DONT_CARE);
  });

  it('keeps the distance in 854x480 pixels on a larger frame', () => {
    const w = 2 * W;
    const h = 2 * H;
    const soft = new Float32Array(w * h);
    for (let y = 400; y < 600; y++) soft.fill(0.95, y * w + 600, y * w + 800);
    const a = pseudoAnnotation(1, makeFloatMatte(soft, w, h), options)!;
    expect(a.mask[(600 + 70) * w + 700]).toBe(DONT_CARE); // 71 px: under 2 × 40
    expect(a.mask[(600 + 90) * w + 700]).toBe(0);
  });

  it('skips a frame where the network is sure of too little of the object, or of nothing', () => {
    const soft = new Float32Array(W * H);
    fill(soft, 300, 200, 100, 100, 0.7);
    fill(soft, 300, 200, 100, 40, 0.95); // 40 % sure
    expect(pseudoAnnotation(3, makeFloatMatte(soft, W, H), options)).toBeUndefined();
    expect(pseudoAnnotation(3, makeFloatMatte(new Float32Array(W * H), W, H), options)).toBeUndefined();
  });
});
