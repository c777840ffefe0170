/**
 * Rasterises the panel's vector strokes into a binary mask at frame resolution.
 * Sampling rule (exact, no anti-aliasing): a pixel is covered when its centre (x + 0.5, y + 0.5),
 * mapped into the strokes' coordinate space, lies within `radius` of a polyline (inclusive) or
 * inside a polygon (non-zero winding; a centre exactly on a left edge is inside, on a right edge
 * outside). Strokes apply in order: `fg` writes 1, `bg` writes 0.
 */
import type { Stroke, PolylineStroke, PolygonStroke } from '../../protocol/common';

export interface RasterizeOptions {
  width: number;
  height: number;
  /** Coordinate space of the strokes; default: frame pixels. */
  space?: { width: number; height: number };
  /** Starting mask (0/1, width*height), copied; default all background. */
  base?: Uint8Array;
}

export class RasterizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RasterizeError';
  }
}

export function rasterizeStrokes(strokes: readonly Stroke[], opts: RasterizeOptions): Uint8Array {
  const { width, height } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RasterizeError(`frame size ${width}x${height} is not a positive integer size`);
  }
  const mask = new Uint8Array(width * height);
  if (opts.base) {
    if (opts.base.length !== mask.length) {
      throw new RasterizeError(
        `base mask has ${opts.base.length} pixels, expected ${mask.length} (${width}x${height})`,
      );
    }
    mask.set(opts.base);
  }
  // Frame pixels per space unit.
  const sx = opts.space ? width / opts.space.width : 1;
  const sy = opts.space ? height / opts.space.height : 1;
  strokes.forEach((s, i) => {
    if (s.points.length % 2 !== 0) {
      throw new RasterizeError(
        `stroke ${i} has an odd number of coordinates (${s.points.length}); send x,y pairs`,
      );
    }
    const value = s.label === 'fg' ? 1 : 0;
    if (s.kind === 'polyline') drawPolyline(mask, width, height, sx, sy, s, value);
    else drawPolygon(mask, width, height, sx, sy, s, value);
  });
  return mask;
}

function drawPolyline(
  mask: Uint8Array,
  w: number,
  h: number,
  sx: number,
  sy: number,
  s: PolylineStroke,
  value: number,
): void {
  const p = s.points;
  const r = s.radius;
  const r2 = r * r;
  const n = p.length / 2;
  for (let k = 0; k < Math.max(1, n - 1); k++) {
    const ax = p[2 * k];
    const ay = p[2 * k + 1];
    const bx = n > 1 ? p[2 * k + 2] : ax;
    const by = n > 1 ? p[2 * k + 3] : ay;
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy;
    // Pixel range whose centres can be within r (in space units) of the segment.
    const x0 = Math.max(0, Math.floor((Math.min(ax, bx) - r) * sx - 0.5));
    const x1 = Math.min(w - 1, Math.ceil((Math.max(ax, bx) + r) * sx - 0.5));
    const y0 = Math.max(0, Math.floor((Math.min(ay, by) - r) * sy - 0.5));
    const y1 = Math.min(h - 1, Math.ceil((Math.max(ay, by) + r) * sy - 0.5));
    for (let y = y0; y <= y1; y++) {
      const v = (y + 0.5) / sy;
      const row = y * w;
      for (let x = x0; x <= x1; x++) {
        const u = (x + 0.5) / sx;
        let t = len2 > 0 ? ((u - ax) * dx + (v - ay) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = u - (ax + t * dx);
        const ey = v - (ay + t * dy);
        if (ex * ex + ey * ey <= r2) mask[row + x] = value;
      }
    }
  }
}

function drawPolygon(
  mask: Uint8Array,
  w: number,
  h: number,
  sx: number,
  sy: number,
  s: PolygonStroke,
  value: number,
): void {
  const p = s.points;
  const n = p.length / 2;
  // Per-row crossings (x in space units, winding direction), filled from each edge's row span.
  const rows: Array<Array<[number, number]> | undefined> = new Array(h);
  for (let k = 0; k < n; k++) {
    const ax = p[2 * k];
    const ay = p[2 * k + 1];
    const bx = p[(2 * k + 2) % p.length];
    const by = p[(2 * k + 3) % p.length];
    if (ay === by) continue;
    const dir = by > ay ? 1 : -1;
    const lo = Math.min(ay, by);
    const hi = Math.max(ay, by);
    // Rows whose centre v satisfies lo <= v < hi (half-open: shared vertices count once).
    const yStart = Math.max(0, Math.ceil(lo * sy - 0.5));
    const yEnd = Math.min(h - 1, Math.ceil(hi * sy - 0.5) - 1);
    for (let y = yStart; y <= yEnd; y++) {
      const v = (y + 0.5) / sy;
      if (v < lo || v >= hi) continue;
      const x = ax + ((v - ay) * (bx - ax)) / (by - ay);
      (rows[y] ??= []).push([x, dir]);
    }
  }
  for (let y = 0; y < h; y++) {
    const xs = rows[y];
    if (!xs) continue;
    xs.sort((a, b) => a[0] - b[0]);
    let winding = 0;
    for (let i = 0; i < xs.length - 1; i++) {
      winding += xs[i][1];
      if (winding === 0) continue;
      // Pixels whose centre u lies in [xs[i], xs[i+1]).
      const from = Math.max(0, Math.ceil(xs[i][0] * sx - 0.5));
      const to = Math.min(w, Math.ceil(xs[i + 1][0] * sx - 0.5));
      const row = y * w;
      for (let x = from; x < to; x++) mask[row + x] = value;
    }
  }
}

/** Count of foreground pixels. */
export function countForeground(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] === 1 ? 1 : 0;
  return n;
}
