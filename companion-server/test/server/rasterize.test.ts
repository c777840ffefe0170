import {
  rasterizeStrokes,
  RasterizeError,
  countForeground,
  countLabels,
} from '../../src/server/annotation/rasterize';
import { DONT_CARE } from '@oneshot-roto/core';
import {
  type Stroke,
  strokeBudgetError,
  strokeCost,
  validateClientMessage,
  LIMITS,
} from '@oneshot-roto/protocol';
import { RasterPool } from '../../src/server/annotation/raster-pool';

function pixels(mask: Uint8Array, w: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  mask.forEach((v, i) => v && out.push([i % w, Math.floor(i / w)]));
  return out;
}

/** Brute-force reference: per pixel centre, distance to every segment / winding number. */
function reference(strokes: Stroke[], w: number, h: number, sx = 1, sy = 1): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5) / sx;
      const v = (y + 0.5) / sy;
      for (const s of strokes) {
        const p = s.points;
        const n = p.length / 2;
        let inside = false;
        if (s.kind === 'polyline') {
          for (let k = 0; k < Math.max(1, n - 1) && !inside; k++) {
            const [ax, ay] = [p[2 * k]!, p[2 * k + 1]!];
            const [bx, by] = n > 1 ? [p[2 * k + 2]!, p[2 * k + 3]!] : [ax, ay];
            const dx = bx - ax,
              dy = by - ay;
            const l2 = dx * dx + dy * dy;
            const t = l2 ? Math.max(0, Math.min(1, ((u - ax) * dx + (v - ay) * dy) / l2)) : 0;
            inside = Math.hypot(u - ax - t * dx, v - ay - t * dy) <= s.radius;
          }
        } else {
          let wn = 0;
          for (let k = 0; k < n; k++) {
            const [ax, ay] = [p[2 * k]!, p[2 * k + 1]!];
            const [bx, by] = [p[(2 * k + 2) % p.length]!, p[(2 * k + 3) % p.length]!];
            const cross = (bx - ax) * (v - ay) - (u - ax) * (by - ay);
            if (ay <= v && by > v && cross > 0) wn++;
            else if (ay > v && by <= v && cross < 0) wn--;
          }
          inside = wn !== 0;
        }
        if (inside) m[y * w + x] = s.label === 'fg' ? 1 : 0;
      }
    }
  }
  return m;
}

describe('stroke rasteriser', () => {
  test('a dab of radius 1 at a pixel centre covers that pixel and its 4 neighbours', () => {
    const m = rasterizeStrokes([{ kind: 'polyline', label: 'fg', radius: 1, points: [5.5, 5.5] }], {
      width: 10,
      height: 10,
    });
    expect(pixels(m, 10).sort()).toEqual(
      [
        [4, 5],
        [5, 4],
        [5, 5],
        [5, 6],
        [6, 5],
      ].sort(),
    );
  });

  test('a rectangle polygon covers exactly the pixel centres inside it', () => {
    const m = rasterizeStrokes([{ kind: 'polygon', label: 'fg', points: [2, 2, 6, 2, 6, 5, 2, 5] }], {
      width: 8,
      height: 8,
    });
    expect(countForeground(m)).toBe(12);
    expect(m[2 * 8 + 2]).toBe(1);
    expect(m[4 * 8 + 5]).toBe(1);
    expect(m[5 * 8 + 5]).toBe(0);
    expect(m[2 * 8 + 6]).toBe(0);
  });

  test('bg strokes erase, in order, over a base', () => {
    const base = new Uint8Array(16).fill(1);
    const m = rasterizeStrokes([{ kind: 'polygon', label: 'bg', points: [0, 0, 2, 0, 2, 4, 0, 4] }], {
      width: 4,
      height: 4,
      base,
    });
    expect(Array.from(m)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(base)).toEqual(new Array(16).fill(1));
  });

  test('open strokes write DONT_CARE, over a base and under later strokes', () => {
    const base = new Uint8Array(16).fill(1);
    const m = rasterizeStrokes(
      [
        { kind: 'polygon', label: 'open', points: [0, 0, 2, 0, 2, 4, 0, 4] },
        { kind: 'polyline', label: 'bg', radius: 0.5, points: [0.5, 3.5] },
      ],
      { width: 4, height: 4, base },
    );
    const O = DONT_CARE;
    expect(Array.from(m)).toEqual([O, O, 1, 1, O, O, 1, 1, O, O, 1, 1, 0, O, 1, 1]);
    expect(countLabels(m)).toEqual({ foreground: 8, background: 1, open: 7 });
  });

  test('a self-intersecting star is filled by non-zero winding (centre included)', () => {
    const pts: number[] = [];
    for (let k = 0; k < 5; k++) {
      const a = -Math.PI / 2 + (k * 4 * Math.PI) / 5;
      pts.push(20 + 18 * Math.cos(a), 20 + 18 * Math.sin(a));
    }
    const strokes: Stroke[] = [{ kind: 'polygon', label: 'fg', points: pts }];
    const m = rasterizeStrokes(strokes, { width: 40, height: 40 });
    expect(m[20 * 40 + 20]).toBe(1);
    expect(Array.from(m)).toEqual(Array.from(reference(strokes, 40, 40)));
  });

  test('matches the brute-force reference on random strokes, with a scaled coordinate space', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const w = 23 + Math.floor(rnd() * 30);
      const h = 17 + Math.floor(rnd() * 30);
      const space = { width: w / 1.7, height: h / 0.8 };
      const strokes: Stroke[] = [];
      for (let s = 0; s < 4; s++) {
        const n = 1 + Math.floor(rnd() * 6);
        const points: number[] = [];
        for (let i = 0; i < Math.max(n, 3); i++)
          points.push(rnd() * space.width * 1.2 - 2, rnd() * space.height * 1.2 - 2);
        const label = rnd() < 0.6 ? 'fg' : 'bg';
        strokes.push(
          rnd() < 0.5
            ? { kind: 'polyline', label, radius: 0.3 + rnd() * 4, points: points.slice(0, 2 * n) }
            : { kind: 'polygon', label, points },
        );
      }
      const got = rasterizeStrokes(strokes, { width: w, height: h, space });
      expect(Array.from(got)).toEqual(
        Array.from(reference(strokes, w, h, w / space.width, h / space.height)),
      );
    }
  });

  test('refuses odd coordinate counts and mismatched bases', () => {
    expect(() =>
      rasterizeStrokes([{ kind: 'polyline', label: 'fg', radius: 1, points: [1, 2, 3] }], {
        width: 4,
        height: 4,
      }),
    ).toThrow(RasterizeError);
    expect(() => rasterizeStrokes([], { width: 4, height: 4, base: new Uint8Array(3) })).toThrow(/base mask/);
  });
});

describe('linear rasteriser against the per-pixel reference', () => {
  test('random hard shapes: many points, off-frame and tied coordinates, large radii, anisotropic spaces', () => {
    let seed = 2024;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const coord = (extent: number): number => {
      const k = rnd();
      // Exact pixel centres and edges (ties of the sampling rule), off-frame and far-away values.
      if (k < 0.25) return Math.floor(rnd() * extent) + 0.5;
      if (k < 0.45) return Math.floor(rnd() * extent);
      if (k < 0.55) return (rnd() - 0.5) * 1e4;
      return rnd() * extent * 1.4 - extent * 0.2;
    };
    for (let trial = 0; trial < 150; trial++) {
      const w = 8 + Math.floor(rnd() * 33);
      const h = 8 + Math.floor(rnd() * 33);
      const space = rnd() < 0.4 ? undefined : { width: w * (0.3 + rnd() * 2), height: h * (0.3 + rnd() * 2) };
      const sw = space?.width ?? w;
      const sh = space?.height ?? h;
      const strokes: Stroke[] = [];
      for (let s = 0, ns = 1 + Math.floor(rnd() * 4); s < ns; s++) {
        const n = 1 + Math.floor(rnd() * (rnd() < 0.3 ? 60 : 8));
        const points: number[] = [];
        for (let i = 0; i < Math.max(n, 3); i++) {
          // Each rnd() draws anew, so the three alike conditions are three separate 15% chances.
          if (i > 0 && rnd() < 0.15) points.push(points[points.length - 2]!, points[points.length - 1]!);
          // eslint-disable-next-line no-dupe-else-if -- rnd() draws again: not the same condition
          else if (i > 0 && rnd() < 0.15) points.push(coord(sw), points[points.length - 1]!);
          // eslint-disable-next-line no-dupe-else-if -- rnd() draws again: not the same condition
          else if (i > 0 && rnd() < 0.15) points.push(points[points.length - 2]!, coord(sh));
          else points.push(coord(sw), coord(sh));
        }
        const label = rnd() < 0.6 ? 'fg' : 'bg';
        const radius =
          rnd() < 0.2
            ? Math.floor(rnd() * 3) + 0.5
            : rnd() < 0.2
              ? rnd() * 2 * Math.max(sw, sh)
              : 0.1 + rnd() * 5;
        strokes.push(
          rnd() < 0.5
            ? { kind: 'polyline', label, radius, points: points.slice(0, 2 * n) }
            : { kind: 'polygon', label, points },
        );
      }
      const got = rasterizeStrokes(strokes, { width: w, height: h, space });
      const want = reference(strokes, w, h, w / sw, h / sh);
      const diff = Array.from(got).findIndex((v, i) => v !== want[i]);
      expect({ trial, diff }).toEqual({ trial, diff: -1 });
    }
  });

  test('the largest polyline the limits allow on a 3840x2160 frame is painted whole on the worker thread', async () => {
    // A zigzag across the whole height: every segment crosses every row, just under the row-span limit.
    const W = 3840;
    const H = 2160;
    const n = Math.floor(LIMITS.maxRasterRowSpans / H);
    const points: number[] = [];
    for (let i = 0; i < n; i++) points.push((i * 37) % W, i % 2 ? H : 0);
    const strokes: Stroke[] = [{ kind: 'polyline', label: 'fg', radius: LIMITS.maxStrokeRadius, points }];
    expect(strokeBudgetError(strokes, W, H)).toBeUndefined();
    // Where the server runs it: on the raster pool's worker thread (a plain Node realm). Its time is
    // a benchmark figure (lab/mask-limits.bench.ts), not a pass/fail check.
    const pool = new RasterPool();
    try {
      const r = await pool.rasterize({ strokes, width: W, height: H });
      expect(r.foreground).toBe(W * H);
    } finally {
      await pool.close();
    }
  }, 120_000);
});

describe('mask limits (protocol/mask-budget.ts)', () => {
  const W = 3840;
  const H = 2160;
  test('the issue-22 messages are refused by the schema: 200,000-point polygon, radius 4096', () => {
    const big = { kind: 'polygon', label: 'fg', points: new Array(400_000).fill(5) };
    const wide = { kind: 'polyline', label: 'fg', radius: 4096, points: [1, 2, 3, 4] };
    for (const s of [big, wide]) {
      const r = validateClientMessage({
        type: 'addAnnotation',
        id: 'a',
        clipId: 'c0',
        frame: 0,
        mask: { kind: 'strokes', strokes: [s] },
      });
      expect(r).toMatchObject({ ok: false, code: 'bad_message' });
    }
  });

  test('work beyond the budget is refused before painting; an editor-sized annotation fits', () => {
    const zig = (n: number, r: number): Stroke => {
      const points: number[] = [];
      for (let i = 0; i < n; i++) points.push((i * 37) % W, i % 2 ? H : 0);
      return { kind: 'polyline', label: 'fg', radius: r, points };
    };
    expect(strokeBudgetError([zig(10_000, 4)], W, H)?.message).toMatch(/rows/);
    // Many full-frame polygons: the painted area is what is too large.
    const full: Stroke = { kind: 'polygon', label: 'fg', points: [0, 0, W, 0, W, H, 0, H] };
    expect(strokeBudgetError(new Array(200).fill(full), W, H)?.message).toMatch(/pixels/);
    // Together the strokes may not hold more than maxMaskCoordinates numbers.
    const many = new Array(11)
      .fill(zig(10_000, 2))
      .map((s: Stroke) => ({ ...s, points: s.points.map((v) => v / 100) }));
    expect(strokeBudgetError(many, W, H)?.message).toMatch(/coordinates/);
    // A busy editor session: 300 brush strokes of 200 points, radius 80, and 20 lasso polygons.
    const editor: Stroke[] = [];
    for (let s = 0; s < 300; s++) {
      const points: number[] = [];
      for (let i = 0; i < 200; i++) points.push(500 + s * 5 + i * 3, 300 + i * 4);
      editor.push({ kind: 'polyline', label: s % 3 ? 'fg' : 'bg', radius: 80, points });
    }
    for (let s = 0; s < 20; s++)
      editor.push({ ...full, points: [100, 100, 3000, 200, 2500, 2000, 150, 1800] });
    expect(strokeBudgetError(editor, W, H)).toBeUndefined();
    const cost = strokeCost(editor, W, H);
    expect(cost.rowSpans).toBeLessThan(LIMITS.maxRasterRowSpans);
    expect(cost.area).toBeLessThan(LIMITS.maxRasterArea);
  });
});
