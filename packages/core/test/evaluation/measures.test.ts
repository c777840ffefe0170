import path from 'node:path';
import { promises as fs } from 'node:fs';
import { boundaryF, boundaryRadius, boundaryScore, jaccard, seg2bmap } from '../../src/evaluation/measures';
import { readMask } from '../../src/video/mask-io';
import { sampleClip } from '../../src/video/sample-clip';

/** Parses rows like "0 1 0" into a mask. */
function grid(...rows: string[]): [Uint8Array, number, number] {
  const cells = rows.map((r) => r.trim().split(/\s+/).map(Number));
  return [Uint8Array.from(cells.flat()), cells[0]!.length, cells.length];
}

/** A width x height mask with the pixels listed set. */
function pixels(width: number, height: number, points: Array<[number, number]>): Uint8Array {
  const m = new Uint8Array(width * height);
  for (const [x, y] of points) m[y * width + x] = 1;
  return m;
}

/** Foreground = columns < c (a vertical edge). */
function leftOf(c: number, width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) m.fill(1, y * width, y * width + c);
  return m;
}

describe('seg2bmap (hand-computed)', () => {
  it('single pixel: the boundary sits up-left of it (half-pixel offset to the origin)', () => {
    const [m, w, h] = grid('0 0 0', '0 1 0', '0 0 0');
    expect(Array.from(seg2bmap(m, w, h))).toEqual(Array.from(grid('1 1 0', '1 1 0', '0 0 0')[0]));
  });

  it('object in the last column: the last column compares only with the pixel below', () => {
    const [m, w, h] = grid('0 0 1', '0 0 1', '0 0 1');
    expect(Array.from(seg2bmap(m, w, h))).toEqual(Array.from(grid('0 1 0', '0 1 0', '0 1 0')[0]));
  });

  it('object in the last row: the last row compares only with the pixel to the right', () => {
    const [m, w, h] = grid('0 0 0', '0 0 0', '1 1 1');
    expect(Array.from(seg2bmap(m, w, h))).toEqual(Array.from(grid('0 0 0', '1 1 1', '0 0 0')[0]));
  });

  it('one-row image, full mask, empty mask; nonzero values count as foreground', () => {
    expect(Array.from(seg2bmap(Uint8Array.from([0, 1, 1, 0]), 4, 1))).toEqual([1, 0, 1, 0]);
    expect(Array.from(seg2bmap(Uint8Array.from([255, 7, 1, 9]), 2, 2))).toEqual([0, 0, 0, 0]);
    expect(Array.from(seg2bmap(new Uint8Array(6), 3, 2))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => seg2bmap(new Uint8Array(5), 3, 2)).toThrow(/5 pixels, expected 6 for 3x2/);
  });
});

describe('jaccard', () => {
  it('known overlap: 3 shared of 7 in the union', () => {
    const pred = pixels(4, 3, [
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    const gt = pixels(4, 3, [
      [1, 0],
      [2, 0],
      [3, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(jaccard(pred, gt, 4, 3)).toBeCloseTo(3 / 7, 15);
  });

  it('empty cases: both empty → 1; one empty → 0', () => {
    const empty = new Uint8Array(12);
    const some = pixels(4, 3, [[1, 1]]);
    expect(jaccard(empty, empty, 4, 3)).toBe(1);
    expect(jaccard(empty, some, 4, 3)).toBe(0);
    expect(jaccard(some, empty, 4, 3)).toBe(0);
    expect(jaccard(some, some, 4, 3)).toBe(1);
  });
});

describe('boundary F', () => {
  it('tolerance radius: ceil(0.008 × diagonal); 8 px at 854x480', () => {
    expect(boundaryRadius(854, 480)).toBe(8);
    expect(boundaryRadius(100, 100)).toBe(2);
    expect(boundaryRadius(1920, 1080)).toBe(18);
    expect(boundaryRadius(100, 100, 3)).toBe(3);
  });

  it('empty cases: neither boundary → 1; only one side has a boundary → 0', () => {
    const empty = new Uint8Array(12);
    const some = pixels(4, 3, [[1, 1]]);
    expect(boundaryScore(empty, empty, 4, 3)).toEqual({ f: 1, precision: 1, recall: 1 });
    expect(boundaryScore(empty, some, 4, 3)).toEqual({ f: 0, precision: 1, recall: 0 });
    expect(boundaryScore(some, empty, 4, 3)).toEqual({ f: 0, precision: 0, recall: 1 });
    // A full-frame mask has no boundary, so against an empty one F is 1 (J is 0): as the official code.
    const full = new Uint8Array(12).fill(1);
    expect(boundaryF(full, empty, 4, 3)).toBe(1);
    expect(jaccard(full, empty, 4, 3)).toBe(0);
  });

  it('a boundary shifted by exactly r pixels matches; by r + 1 it does not', () => {
    const [w, h] = [854, 480];
    const gt = leftOf(300, w, h);
    expect(boundaryF(leftOf(308, w, h), gt, w, h)).toBe(1);
    expect(boundaryF(leftOf(292, w, h), gt, w, h)).toBe(1);
    expect(boundaryF(leftOf(309, w, h), gt, w, h)).toBe(0);
    expect(boundaryF(leftOf(291, w, h), gt, w, h)).toBe(0);
  });

  it('matches within a Euclidean disk (dx² + dy² ≤ r²), not a square', () => {
    const [w, h] = [854, 480];
    const gt = pixels(w, h, [[400, 200]]); // boundary: 2x2 block at x 399..400, y 199..200
    const at = (dx: number, dy: number) => boundaryScore(pixels(w, h, [[400 + dx, 200 + dy]]), gt, w, h);
    expect(at(8, 0).f).toBe(1); // distances 7 and 8
    expect(at(9, 0)).toEqual({ f: 0.5, precision: 0.5, recall: 0.5 }); // 8 matches, 9 does not
    expect(at(5, 6).f).toBe(1); // farthest pair (5, 6): 61 ≤ 64
    expect(at(6, 6)).toEqual({ f: 0.75, precision: 0.75, recall: 0.75 }); // (6, 6): 72 > 64
    expect(at(-6, 6).f).toBe(0.75);
  });

  it('precision and recall are relative to prediction and ground truth', () => {
    const [w, h] = [200, 100]; // r = 2
    const gt = leftOf(100, w, h); // boundary: column 99, 100 px
    const pred = gt.slice();
    for (let y = 0; y < 10; y++) pred[y * w + 150] = 1; // extra 10-px line far away
    const s = boundaryScore(pred, gt, w, h);
    expect(s.recall).toBe(1);
    expect(s.precision).toBeLessThan(1);
    const rev = boundaryScore(gt, pred, w, h);
    expect([rev.precision, rev.recall]).toEqual([s.recall, s.precision]);
    expect(rev.f).toBe(s.f);
  });
});

describe('agreement with the official DAVIS computation on real masks', () => {
  // Values from fixtures/davis_reference.py (numpy/scipy reimplementation of the official code).
  interface Case {
    predFrame: number;
    gtFrame: number;
    dx: number;
    dy: number;
    speckle: boolean;
    J: number;
    F: number;
  }
  const W = 854;
  const H = 480;

  function shift(m: Uint8Array, dx: number, dy: number): Uint8Array {
    const out = new Uint8Array(m.length);
    for (let y = 0; y < H; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= H) continue;
      for (let x = 0; x < W; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < W) out[y * W + x] = m[sy * W + sx]!;
      }
    }
    return out;
  }

  function speckle(m: Uint8Array): Uint8Array {
    const out = m.slice();
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) if ((x * 7 + y * 13) % 23 === 0) out[y * W + x] = 1 - out[y * W + x]!;
    return out;
  }

  it('J and F equal the reference values for shifted, speckled and cross-frame masks', async () => {
    const ref = JSON.parse(
      await fs.readFile(path.join(__dirname, 'fixtures', 'davis-reference.json'), 'utf8'),
    ) as { cases: Case[] };
    expect(ref.cases.length).toBeGreaterThanOrEqual(10);
    const load = async (i: number) =>
      (
        await readMask(path.join(sampleClip().annotationsDir, `${String(i).padStart(5, '0')}.png`), {
          threshold: 0,
        })
      ).data;
    for (const c of ref.cases) {
      let pred = shift(await load(c.predFrame), c.dx, c.dy);
      if (c.speckle) pred = speckle(pred);
      const gt = await load(c.gtFrame);
      expect(jaccard(pred, gt, W, H)).toBeCloseTo(c.J, 12);
      expect(boundaryF(pred, gt, W, H)).toBeCloseTo(c.F, 12);
    }
  });
});
