/**
 * Rasterises the panel's vector strokes into a binary mask at frame resolution.
 * Sampling rule (exact, no anti-aliasing): a pixel is covered when its centre (x + 0.5, y + 0.5),
 * mapped into the strokes' coordinate space, lies within `radius` of a polyline (inclusive) or
 * inside a polygon (non-zero winding; a centre exactly on a left edge is inside, on a right edge
 * outside). Strokes apply in order: `fg` writes 1, `bg` writes 0, `open` writes DONT_CARE (the
 * fine-tuning convention of osvos/annotations.ts, so the mask goes to training as it is).
 *
 * Cost is linear in the output: both kinds sweep the frame's rows with an active list (segments or
 * edges whose rows include the current one), compute one span per active item and row, and paint
 * each row's union of spans once. So the work is the row spans plus the painted pixels that
 * `strokeCost` (protocol/mask-budget.ts) counts from the points alone, never points × rows × width.
 * Polyline spans come from the capsule's closed form and are then settled pixel by pixel at their
 * two ends with the exact distance test, so the result is the same as testing every pixel.
 */
import {
  type Label,
  type Stroke,
  type PolylineStroke,
  type PolygonStroke,
  capsuleRange,
  edgeRows,
  strokeScale,
} from '@oneshot-roto/protocol';
import { DONT_CARE } from '@oneshot-roto/core';

const LABEL_VALUE: Record<Label, number> = { fg: 1, bg: 0, open: DONT_CARE };

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
  const { sx, sy } = strokeScale(width, height, opts.space);
  strokes.forEach((s, i) => {
    if (s.points.length % 2 !== 0) {
      throw new RasterizeError(
        `stroke ${i} has an odd number of coordinates (${s.points.length}); send x,y pairs`,
      );
    }
    const value = LABEL_VALUE[s.label];
    if (s.kind === 'polyline') drawPolyline(mask, width, height, sx, sy, s, value);
    else drawPolygon(mask, width, height, sx, sy, s, value);
  });
  return mask;
}

/** Indices 0..n-1 ordered by `key` (ascending). */
function orderBy(key: Int32Array, n: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort((a, b) => key[a]! - key[b]!);
}

/** Paints the union of the row's spans, given as keys a*(w+1)+b of inclusive [a, b]. */
function paintUnion(mask: Uint8Array, row: number, w: number, keys: Float64Array, m: number, value: number) {
  const spans = keys.subarray(0, m).sort();
  const stride = w + 1;
  let a = Math.floor(spans[0]! / stride);
  let b = spans[0]! - a * stride;
  for (let i = 1; i < m; i++) {
    const na = Math.floor(spans[i]! / stride);
    const nb = spans[i]! - na * stride;
    if (na <= b + 1) {
      if (nb > b) b = nb;
    } else {
      mask.fill(value, row + a, row + b + 1);
      a = na;
      b = nb;
    }
  }
  mask.fill(value, row + a, row + b + 1);
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
  const nseg = Math.max(1, n - 1);
  const y0 = new Int32Array(nseg);
  const y1 = new Int32Array(nseg);
  for (let k = 0; k < nseg; k++) {
    const ay = p[2 * k + 1]!;
    const by = n > 1 ? p[2 * k + 3]! : ay;
    const ax = p[2 * k]!;
    const bx = n > 1 ? p[2 * k + 2]! : ax;
    const rows = capsuleRange(Math.min(ay, by), Math.max(ay, by), r, sy, h);
    const cols = capsuleRange(Math.min(ax, bx), Math.max(ax, bx), r, sx, w);
    y0[k] = rows.from;
    // Segments wholly outside the frame get an empty row range.
    y1[k] = cols.from > cols.to ? rows.from - 1 : rows.to;
  }
  const order = orderBy(y0, nseg);
  const active = new Int32Array(nseg);
  const keys = new Float64Array(nseg);
  let nActive = 0;
  let next = 0;
  let y = nseg > 0 ? y0[order[0]!]! : h;
  while (y < h && (next < nseg || nActive > 0)) {
    if (nActive === 0 && next < nseg && y0[order[next]!]! > y) y = y0[order[next]!]!;
    if (y >= h) break;
    while (next < nseg && y0[order[next]!]! <= y) {
      const k = order[next++]!;
      if (y1[k]! >= y) active[nActive++] = k;
    }
    const v = (y + 0.5) / sy;
    let m = 0;
    let kept = 0;
    for (let i = 0; i < nActive; i++) {
      const k = active[i]!;
      if (y1[k]! < y) continue;
      active[kept++] = k;
      const ax = p[2 * k]!;
      const ay = p[2 * k + 1]!;
      const bx = n > 1 ? p[2 * k + 2]! : ax;
      const by = n > 1 ? p[2 * k + 3]! : ay;
      const key = capsuleSpan(ax, ay, bx, by, r, r2, v, sx, w);
      if (key >= 0) keys[m++] = key;
    }
    nActive = kept;
    if (m > 0) paintUnion(mask, y * w, w, keys, m, value);
    y++;
  }
}

/**
 * The pixels of a row (centre v, coordinate units) within r of segment A–B, as the key
 * a*(w+1)+b of the inclusive range [a, b]; -1 when none.
 */
function capsuleSpan(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  r: number,
  r2: number,
  v: number,
  sx: number,
  w: number,
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const ea = v - ay;
  const eb = v - by;
  // Union of the two end discs and the band along the segment (a convex set: one interval).
  let lo = Infinity;
  let hi = -Infinity;
  if (ea * ea <= r2) {
    const d = Math.sqrt(r2 - ea * ea);
    lo = ax - d;
    hi = ax + d;
  }
  if (eb * eb <= r2) {
    const d = Math.sqrt(r2 - eb * eb);
    if (bx - d < lo) lo = bx - d;
    if (bx + d > hi) hi = bx + d;
  }
  if (len2 > 0) {
    let bLo: number;
    let bHi = Infinity;
    if (dy === 0) {
      if (ea * ea > r2) bLo = Infinity;
      else {
        bLo = Math.min(ax, bx);
        bHi = Math.max(ax, bx);
      }
    } else {
      // |dx*(v-ay) - dy*(u-ax)| <= r*len, and 0 <= (u-ax)*dx + (v-ay)*dy <= len2.
      const rl = r * Math.sqrt(len2);
      const c = dx * ea;
      const u1 = ax + (c - rl) / dy;
      const u2 = ax + (c + rl) / dy;
      bLo = Math.min(u1, u2);
      bHi = Math.max(u1, u2);
      if (dx === 0) {
        const q = ea * dy;
        if (q < 0 || q > len2) bLo = Infinity;
      } else {
        const q1 = ax + (-ea * dy) / dx;
        const q2 = ax + (len2 - ea * dy) / dx;
        bLo = Math.max(bLo, Math.min(q1, q2));
        bHi = Math.min(bHi, Math.max(q1, q2));
      }
    }
    if (bLo <= bHi) {
      if (bLo < lo) lo = bLo;
      if (bHi > hi) hi = bHi;
    }
  }
  if (!(lo <= hi)) return -1;
  let a = Math.max(0, Math.min(w, Math.ceil(lo * sx - 0.5)));
  let b = Math.max(-1, Math.min(w - 1, Math.floor(hi * sx - 0.5)));
  if (a > b) {
    // No centre strictly inside the closed form's range: rounding may still admit its neighbours.
    if (b >= 0 && inside(b, sx, v, ax, ay, dx, dy, len2, r2)) a = b;
    else if (a < w && inside(a, sx, v, ax, ay, dx, dy, len2, r2)) b = a;
    else return -1;
  }
  if (a > 0 && inside(a - 1, sx, v, ax, ay, dx, dy, len2, r2)) {
    a--;
    while (a > 0 && inside(a - 1, sx, v, ax, ay, dx, dy, len2, r2)) a--;
  } else {
    while (a <= b && !inside(a, sx, v, ax, ay, dx, dy, len2, r2)) a++;
  }
  if (b < w - 1 && inside(b + 1, sx, v, ax, ay, dx, dy, len2, r2)) {
    b++;
    while (b < w - 1 && inside(b + 1, sx, v, ax, ay, dx, dy, len2, r2)) b++;
  } else {
    while (b >= a && !inside(b, sx, v, ax, ay, dx, dy, len2, r2)) b--;
  }
  return a <= b ? a * (w + 1) + b : -1;
}

/** The exact test of the sampling rule for pixel column x on the row at v (settles span ends). */
function inside(
  x: number,
  sx: number,
  v: number,
  ax: number,
  ay: number,
  dx: number,
  dy: number,
  len2: number,
  r2: number,
): boolean {
  const u = (x + 0.5) / sx;
  let t = len2 > 0 ? ((u - ax) * dx + (v - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = u - (ax + t * dx);
  const ey = v - (ay + t * dy);
  return ex * ex + ey * ey <= r2;
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
  // Edge table: each non-horizontal edge with the rows whose centre v is in [lo, hi).
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  let ne = 0;
  const edgeOf = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const ay = p[2 * k + 1]!;
    const by = p[(2 * k + 3) % p.length]!;
    if (ay === by) continue;
    const rows = edgeRows(Math.min(ay, by), Math.max(ay, by), sy, h);
    if (rows.from > rows.to) continue;
    from[ne] = rows.from;
    to[ne] = rows.to;
    edgeOf[ne++] = k;
  }
  if (ne === 0) return;
  const order = orderBy(from, ne);
  const active = new Int32Array(ne);
  // Crossings of the current row, upward (+1) and downward (-1) edges apart, each sorted natively.
  const ups = new Float64Array(ne);
  const downs = new Float64Array(ne);
  let nActive = 0;
  let next = 0;
  let y = from[order[0]!]!;
  while (y < h && (next < ne || nActive > 0)) {
    if (nActive === 0 && from[order[next]!]! > y) y = from[order[next]!]!;
    while (next < ne && from[order[next]!]! <= y) active[nActive++] = order[next++]!;
    const v = (y + 0.5) / sy;
    let nu = 0;
    let nd = 0;
    let kept = 0;
    for (let i = 0; i < nActive; i++) {
      const e = active[i]!;
      if (to[e]! < y) continue;
      active[kept++] = e;
      const k = edgeOf[e]!;
      const ax = p[2 * k]!;
      const ay = p[2 * k + 1]!;
      const bx = p[(2 * k + 2) % p.length]!;
      const by = p[(2 * k + 3) % p.length]!;
      if (v < Math.min(ay, by) || v >= Math.max(ay, by)) continue;
      const x = ax + ((v - ay) * (bx - ax)) / (by - ay);
      if (by > ay) ups[nu++] = x;
      else downs[nd++] = x;
    }
    nActive = kept;
    if (nu + nd > 1)
      fillRow(mask, y * w, w, sx, ups.subarray(0, nu).sort(), downs.subarray(0, nd).sort(), value);
    y++;
  }
}

/**
 * Paints, by non-zero winding, the pixels between a row's crossings: `ups` and `downs` (sorted)
 * are the x of upward and downward edges. Pixels whose centre u lies in [x_i, x_i+1) with a
 * non-zero winding count after x_i are painted.
 */
function fillRow(
  mask: Uint8Array,
  row: number,
  w: number,
  sx: number,
  ups: Float64Array,
  downs: Float64Array,
  value: number,
): void {
  let i = 0;
  let j = 0;
  let winding = 0;
  let prev = 0;
  const m = ups.length + downs.length;
  for (let c = 0; c < m; c++) {
    let x: number;
    let dir: number;
    if (j >= downs.length || (i < ups.length && ups[i]! <= downs[j]!)) {
      x = ups[i++]!;
      dir = 1;
    } else {
      x = downs[j++]!;
      dir = -1;
    }
    if (winding !== 0) {
      const a = Math.max(0, Math.ceil(prev * sx - 0.5));
      const b = Math.min(w, Math.ceil(x * sx - 0.5));
      if (a < b) mask.fill(value, row + a, row + b);
    }
    winding += dir;
    prev = x;
  }
}

/** Pixels of an annotation mask by label: 1 object, 0 background, any other value open. */
export interface LabelCounts {
  foreground: number;
  background: number;
  open: number;
}

export function countLabels(mask: Uint8Array): LabelCounts {
  let foreground = 0;
  let background = 0;
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i];
    if (v === 1) foreground++;
    else if (v === 0) background++;
  }
  return { foreground, background, open: mask.length - foreground - background };
}

/** Count of foreground pixels. */
export function countForeground(mask: Uint8Array): number {
  return countLabels(mask).foreground;
}
