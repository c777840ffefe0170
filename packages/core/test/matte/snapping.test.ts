import { bilateralGridSolve } from '../../src/matte/bilateral-grid';
import { denseCrf } from '../../src/matte/dense-crf';
import { guidedFilter } from '../../src/matte/guided-filter';
import { binarize, makeFloatMatte, type FloatMatte } from '../../src/matte/matte';
import { resizeSoftMap } from '../../src/matte/resize';
import { slicSuperpixels, superpixelSnap } from '../../src/matte/slic';
import { makeRgbFrame, type RgbFrame } from '../../src/video/frame';

const W = 160;
const H = 120;

/** True shape: a rectangle plus a triangle (sharp corners a low-resolution map rounds off). */
function inShape(x: number, y: number): boolean {
  return (
    (x >= 40 && x < 100 && y >= 30 && y < 80) || (y >= 80 && y < 110 && Math.abs(x - 70) < (110 - y) * 0.8)
  );
}

function scene(): { frame: RgbFrame; gt: Uint8Array } {
  const data = new Uint8Array(W * H * 3);
  const gt = new Uint8Array(W * H);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 21) - 10;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const fg = inShape(x, y);
      gt[i] = fg ? 1 : 0;
      const c = fg ? [200, 70, 50] : [50, 100, 170];
      for (let k = 0; k < 3; k++) data[i * 3 + k] = Math.max(0, Math.min(255, c[k]! + noise()));
    }
  }
  return { frame: makeRgbFrame(data, W, H), gt };
}

/** The ground truth as a network at 1/8 resolution would see it, shifted 2 px right. */
async function degraded(gt: Uint8Array): Promise<FloatMatte> {
  const small = new Float32Array((W / 8) * (H / 8));
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) small[(y >> 3) * (W / 8) + (x >> 3)]! += gt[y * W + x]! / 64;
  const up = await resizeSoftMap(makeFloatMatte(small, W / 8, H / 8), W, H);
  const shifted = new Float32Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) shifted[y * W + x] = up.data[y * W + Math.max(0, x - 2)]!;
  return makeFloatMatte(shifted, W, H);
}

function iou(m: FloatMatte, gt: Uint8Array): number {
  const b = binarize(m, 0.5);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    inter += b[i]! & gt[i]!;
    union += b[i]! | gt[i]!;
  }
  return inter / union;
}

describe('snapping a low-resolution, shifted soft map to a sharp synthetic edge', () => {
  const { frame, gt } = scene();
  let soft: FloatMatte;
  let before: number;
  beforeAll(async () => {
    soft = await degraded(gt);
    before = iou(soft, gt);
  });

  it('the stand-in soft map is clearly off (sanity of the set-up)', () => {
    expect(before).toBeLessThan(0.93);
  });

  it('guided filter raises IoU with the true shape', () => {
    expect(iou(guidedFilter(soft, frame), gt)).toBeGreaterThan(before + 0.03);
    expect(iou(guidedFilter(soft, frame, { subsample: 1 }), gt)).toBeGreaterThan(before + 0.03);
  });

  it('bilateral grid solver raises IoU with the true shape', () => {
    expect(iou(bilateralGridSolve(soft, frame), gt)).toBeGreaterThan(before + 0.03);
  });

  it('dense CRF raises IoU with the true shape', () => {
    expect(iou(denseCrf(soft, frame), gt)).toBeGreaterThan(before + 0.03);
  });

  it('dense CRF with no iterations returns the (clamped) soft map, and leaves a confident map as it is', () => {
    const none = denseCrf(soft, frame, { iterations: 0 });
    let worst = 0;
    for (let i = 0; i < soft.data.length; i++)
      worst = Math.max(worst, Math.abs(none.data[i]! - Math.min(0.999, Math.max(0.001, soft.data[i]!))));
    expect(worst).toBeLessThan(1e-6);
    // A map that is certain (0 or 1 everywhere) and right is not moved by the colour evidence.
    const certain = makeFloatMatte(Float32Array.from(gt), W, H);
    expect(iou(denseCrf(certain, frame, { unaryEpsilon: 1e-6 }), gt)).toBe(1);
  });

  it('dense CRF iterates only the band that can change label: the labels of every-pixel mean field, confident pixels as drawn', () => {
    const band = denseCrf(soft, frame);
    const every = denseCrf(soft, frame, { everyPixel: true });
    const a = binarize(band, 0.5);
    const b = binarize(every, 0.5);
    let differ = 0;
    let confident = 0;
    let moved = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) differ++;
      const v = Math.min(0.999, Math.max(0.001, soft.data[i]!));
      if (Math.abs(Math.log(v / (1 - v))) > 5) {
        confident++;
        if (band.data[i] !== Math.fround(v)) moved++;
      }
    }
    expect(differ).toBeLessThanOrEqual(0.001 * a.length);
    expect(confident).toBeGreaterThan(0.5 * a.length);
    expect(moved).toBe(0);
    // The every-pixel mean field does move confident pixels' values (never across 0.5).
    let everyMoved = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(every.data[i]! - band.data[i]!) > 1e-3) everyMoved++;
    expect(everyMoved).toBeGreaterThan(0);
  });

  it('dense CRF rejects out-of-range parameters by name', () => {
    expect(() => denseCrf(soft, frame, { iterations: -1 })).toThrow(/iterations/);
    expect(() => denseCrf(soft, frame, { unaryEpsilon: 0 })).toThrow(/unaryEpsilon/);
    expect(() => denseCrf(soft, frame, { sigmaSpatial: 0 })).toThrow(/sigmaSpatial/);
    expect(() => denseCrf(makeFloatMatte(new Float32Array(4), 2, 2), frame)).toThrow(/160x120.*2x2/);
  });

  it('superpixel snapping raises IoU with the true shape', () => {
    expect(iou(superpixelSnap(soft, frame), gt)).toBeGreaterThan(before + 0.03);
  });

  it('keeps values in 0..1 and the frame size', () => {
    for (const m of [guidedFilter(soft, frame), bilateralGridSolve(soft, frame), denseCrf(soft, frame)]) {
      expect(m.width).toBe(W);
      expect(m.height).toBe(H);
      expect(Math.min(...m.data)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...m.data)).toBeLessThanOrEqual(1);
    }
  });

  it('rejects a soft map of another size with a message naming both sizes', () => {
    const small = makeFloatMatte(new Float32Array(4), 2, 2);
    expect(() => guidedFilter(small, frame)).toThrow(/160x120.*2x2/);
  });
});

describe('SLIC superpixels', () => {
  it('labels every pixel, each superpixel is one 4-connected region, count near the grid', () => {
    const { frame } = scene();
    const { labels, count } = slicSuperpixels(frame, { regionSize: 10 });
    expect(Math.min(...labels)).toBe(0);
    expect(Math.max(...labels)).toBe(count - 1);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(300);
    // Connectedness: flood fill from one pixel of each label reaches all its pixels.
    const size = new Int32Array(count);
    for (const l of labels) size[l]!++;
    const seen = new Uint8Array(labels.length);
    for (let s = 0; s < labels.length; s++) {
      if (seen[s]) continue;
      const stack = [s];
      seen[s] = 1;
      let n = 0;
      while (stack.length) {
        const p = stack.pop()!;
        n++;
        const x = p % W;
        for (const q of [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, p - W, p + W]) {
          if (q >= 0 && q < labels.length && !seen[q] && labels[q] === labels[s]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
      expect(n).toBe(size[labels[s]!]);
    }
  });
});
