import { squaredDistanceTo } from '../../src/matte/distance-transform';
import {
  chokeMatte,
  dropIslandsMatte,
  dropRelativeIslandsMatte,
  expandMatte,
  featherMatte,
  fillHolesMatte,
  invertMatte,
  thresholdMatte,
} from '../../src/matte/controls';
import { makeFloatMatte, type FloatMatte } from '../../src/matte/matte';

const W = 40;
const H = 30;

/** A matte with the listed axis-aligned rectangles [x0, y0, w, h] set to 1. */
function rects(...boxes: [number, number, number, number][]): FloatMatte {
  const d = new Float32Array(W * H);
  for (const [x0, y0, w, h] of boxes)
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) d[y * W + x] = 1;
  return makeFloatMatte(d, W, H);
}

const area = (m: FloatMatte) => m.data.reduce((s, v) => s + v, 0);
const at = (m: FloatMatte, x: number, y: number) => m.data[y * W + x]!;

describe('exact Euclidean distance transform', () => {
  it('matches brute force on a random mask', () => {
    const w = 23;
    const h = 17;
    const mask = new Uint8Array(w * h);
    let seed = 7;
    for (let i = 0; i < mask.length; i++)
      mask[i] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 11 === 0 ? 1 : 0;
    const d2 = squaredDistanceTo(mask, w, h, 1);
    for (let i = 0; i < mask.length; i++) {
      let best = Infinity;
      for (let j = 0; j < mask.length; j++) {
        if (!mask[j]) continue;
        const dx = (i % w) - (j % w);
        const dy = Math.floor(i / w) - Math.floor(j / w);
        best = Math.min(best, dx * dx + dy * dy);
      }
      expect(d2[i]).toBe(best);
    }
  });
});

describe('threshold', () => {
  it('sets values >= t to 1 and the rest to 0', () => {
    const m = makeFloatMatte(new Float32Array([0.2, 0.5, 0.49, 0.9]), 2, 2);
    expect(Array.from(thresholdMatte(m, 0.5).data)).toEqual([0, 1, 0, 1]);
    expect(() => thresholdMatte(m, 1.5)).toThrow(/threshold/);
  });
});

describe('choke and expand', () => {
  it('choking a 20x20 square by 2 px leaves exactly 16x16', () => {
    const out = chokeMatte(rects([10, 5, 20, 20]), 2);
    expect(area(out)).toBe(16 * 16);
    expect(at(out, 12, 7)).toBe(1);
    expect(at(out, 11, 7)).toBe(0);
  });

  it('expanding a 10x10 square by 2 px adds a 2 px border with rounded corners (14² − 12)', () => {
    // Corner pixels at offsets (1,2), (2,1), (2,2) are further than 2 px from the square.
    expect(area(expandMatte(rects([15, 10, 10, 10]), 2))).toBe(14 * 14 - 12);
  });

  it('choke by a non-integer radius uses the Euclidean distance (r = 1.5 removes 1 px)', () => {
    expect(area(chokeMatte(rects([10, 5, 20, 20]), 1.5))).toBe(18 * 18);
  });

  it('a 3 px wide bar vanishes when choked by 2 px; 0 px is the identity', () => {
    expect(area(chokeMatte(rects([5, 5, 30, 3]), 2))).toBe(0);
    expect(area(chokeMatte(rects([5, 5, 30, 3]), 0))).toBe(90);
  });

  it('rejects negative pixel counts with a message naming the control', () => {
    expect(() => expandMatte(rects([1, 1, 2, 2]), -1)).toThrow(/expand/);
  });
});

describe('feather', () => {
  const square = rects([10, 5, 20, 20]);
  const f = featherMatte(square, 6);

  it('is monotone across the edge and reaches 0 and 1 away from it', () => {
    const row = 15;
    let prev = -1;
    for (let x = 0; x <= 20; x++) {
      expect(at(f, x, row)).toBeGreaterThanOrEqual(prev);
      prev = at(f, x, row);
    }
    expect(at(f, 0, row)).toBe(0);
    expect(at(f, 20, row)).toBe(1);
    // Ramp of 6 px centred between x = 9 and x = 10: 0.5 ± (distance − 0.5)/6.
    expect(at(f, 10, row)).toBeCloseTo(0.5 + 0.5 / 6, 6);
    expect(at(f, 9, row)).toBeCloseTo(0.5 - 0.5 / 6, 6);
  });

  it('is the identity at 0 px and keeps the matte area on a straight edge', () => {
    expect(Array.from(featherMatte(square, 0).data)).toEqual(Array.from(square.data));
    const half = rects([0, 0, 20, H]);
    expect(area(featherMatte(half, 6))).toBeCloseTo(20 * H, 3);
  });
});

describe('fill holes', () => {
  // A 20x20 ring 2 px thick around a 16x16 hole, plus a 2x2 hole inside a solid block.
  const ring = rects([2, 2, 20, 2], [2, 20, 20, 2], [2, 4, 2, 16], [20, 4, 2, 16]);
  const block = () => {
    const m = rects([26, 4, 10, 10]);
    for (const [x, y] of [
      [30, 8],
      [31, 8],
      [30, 9],
      [31, 9],
    ] as const)
      m.data[y * W + x] = 0;
    return m;
  };
  const both = makeFloatMatte(
    ring.data.map((v, i) => Math.max(v, block().data[i]!)),
    W,
    H,
  );
  const before = area(both);

  it('fills holes of at most N px and no larger ones', () => {
    expect(area(fillHolesMatte(both, 4)) - before).toBe(4);
    expect(area(fillHolesMatte(both, 3)) - before).toBe(0);
    expect(area(fillHolesMatte(both, 256)) - before).toBe(4 + 256);
    expect(area(fillHolesMatte(both, 255)) - before).toBe(4);
  });

  it("'all' fills every enclosed hole but never background touching the border", () => {
    expect(area(fillHolesMatte(both))).toBe(before + 4 + 256);
    const open = rects([0, 0, 10, 10]);
    expect(area(fillHolesMatte(open))).toBe(100);
  });

  it('background is 4-connected: a hole closed only diagonally is still a hole', () => {
    // 3x3 ring whose centre touches the outside only through a diagonal gap.
    const m = rects([5, 5, 3, 3]);
    m.data[6 * W + 6] = 0;
    m.data[5 * W + 5] = 0; // corner removed: centre (6,6) meets (5,5) diagonally only
    expect(at(fillHolesMatte(m), 6, 6)).toBe(1);
  });
});

describe('drop islands', () => {
  const m = rects([1, 1, 5, 5], [10, 10, 3, 3], [20, 20, 1, 1]);

  it('removes foreground components with area < N only', () => {
    expect(area(dropIslandsMatte(m, 9))).toBe(25 + 9);
    expect(area(dropIslandsMatte(m, 10))).toBe(25);
    expect(area(dropIslandsMatte(m, 26))).toBe(0);
    expect(area(dropIslandsMatte(m, 0))).toBe(35);
  });

  it('foreground is 8-connected: diagonal neighbours form one island', () => {
    const diag = rects([5, 5, 1, 1], [6, 6, 1, 1], [7, 7, 1, 1]);
    expect(area(dropIslandsMatte(diag, 3))).toBe(3);
    expect(area(dropIslandsMatte(diag, 4))).toBe(0);
  });
});

describe('drop islands relative to the largest', () => {
  // Islands of 25, 9 and 1 pixels.
  const m = rects([1, 1, 5, 5], [10, 10, 3, 3], [20, 20, 1, 1]);

  it('removes components smaller than the fraction of the largest, exactly at the boundary', () => {
    expect(area(dropRelativeIslandsMatte(m, 0))).toBe(35);
    expect(area(dropRelativeIslandsMatte(m, 0.04))).toBe(35); // 1 = 0.04 × 25 is not smaller
    expect(area(dropRelativeIslandsMatte(m, 0.05))).toBe(34);
    expect(area(dropRelativeIslandsMatte(m, 0.36))).toBe(34); // 9 = 0.36 × 25 stays
    expect(area(dropRelativeIslandsMatte(m, 0.37))).toBe(25);
    expect(area(dropRelativeIslandsMatte(m, 1))).toBe(25); // the largest always stays
  });

  it('scales with the object: the same fraction keeps a small object whole', () => {
    const small = rects([1, 1, 2, 2], [10, 10, 1, 1]); // islands of 4 and 1
    expect(area(dropRelativeIslandsMatte(small, 0.2))).toBe(5);
    expect(area(dropRelativeIslandsMatte(small, 0.3))).toBe(4);
  });

  it('refuses a fraction outside 0..1', () => {
    expect(() => dropRelativeIslandsMatte(m, 1.5)).toThrow(/fraction within 0\.\.1, got 1\.5/);
    expect(() => dropRelativeIslandsMatte(m, -0.1)).toThrow(RangeError);
  });
});

describe('invert', () => {
  it('maps v to 1 − v', () => {
    const m = makeFloatMatte(new Float32Array([0, 0.25, 1, 0.5]), 2, 2);
    expect(Array.from(invertMatte(m).data)).toEqual([1, 0.75, 0, 0.5]);
  });
});
