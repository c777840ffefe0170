/**
 * What rasterising a strokes mask costs at a given frame size, computed from the points alone
 * (linear in their number), so that both the panel and the server can tell whether an annotation
 * fits the limits before any pixel is painted. The server's rasteriser uses the same row and
 * column ranges, so `rowSpans` is exactly the number of span computations it will do.
 * This folder must stay free of Node-only imports: the panel bundles it with webpack.
 */
import type { Stroke } from './common';
import { LIMITS } from './version';

/** Frame pixels per coordinate unit: the strokes' `space` mapped onto the frame. */
export interface StrokeScale {
  sx: number;
  sy: number;
}

export function strokeScale(
  width: number,
  height: number,
  space?: { width: number; height: number },
): StrokeScale {
  return { sx: space ? width / space.width : 1, sy: space ? height / space.height : 1 };
}

/** Inclusive pixel range [from, to] (empty when from > to). */
export interface PixelRange {
  from: number;
  to: number;
}

/**
 * Rows (or columns) whose pixel centres can lie within `r` of [lo, hi] (coordinate units), for a
 * frame side of `n` pixels at `scale` pixels per unit.
 */
export function capsuleRange(lo: number, hi: number, r: number, scale: number, n: number): PixelRange {
  return {
    from: Math.max(0, Math.floor((lo - r) * scale - 0.5)),
    to: Math.min(n - 1, Math.ceil((hi + r) * scale - 0.5)),
  };
}

/** Rows whose centre v satisfies lo <= v < hi (a polygon edge's half-open row span). */
export function edgeRows(lo: number, hi: number, scale: number, n: number): PixelRange {
  return {
    from: Math.max(0, Math.ceil(lo * scale - 0.5)),
    to: Math.min(n - 1, Math.ceil(hi * scale - 0.5) - 1),
  };
}

function span(r: PixelRange): number {
  return r.to >= r.from ? r.to - r.from + 1 : 0;
}

export interface StrokeCost {
  /** Coordinates (numbers) in all strokes. */
  coordinates: number;
  /** Frame rows crossed by every polyline segment and polygon edge, summed. */
  rowSpans: number;
  /** Pixels each stroke may paint, summed. */
  area: number;
}

/** The cost of rasterising `strokes` onto a `width`×`height` frame. */
export function strokeCost(
  strokes: readonly Stroke[],
  width: number,
  height: number,
  space?: { width: number; height: number },
): StrokeCost {
  const { sx, sy } = strokeScale(width, height, space);
  let coordinates = 0;
  let rowSpans = 0;
  let area = 0;
  for (const s of strokes) {
    const p = s.points;
    coordinates += p.length;
    const n = p.length >> 1;
    if (n === 0) continue;
    if (s.kind === 'polyline') {
      const r = s.radius;
      let segArea = 0;
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      for (let k = 0; k < Math.max(1, n - 1); k++) {
        const ax = p[2 * k]!;
        const ay = p[2 * k + 1]!;
        const bx = n > 1 ? p[2 * k + 2]! : ax;
        const by = n > 1 ? p[2 * k + 3]! : ay;
        const rows = span(capsuleRange(Math.min(ay, by), Math.max(ay, by), r, sy, height));
        const cols = span(capsuleRange(Math.min(ax, bx), Math.max(ax, bx), r, sx, width));
        rowSpans += rows;
        segArea += rows * cols;
        minX = Math.min(minX, ax, bx);
        maxX = Math.max(maxX, ax, bx);
        minY = Math.min(minY, ay, by);
        maxY = Math.max(maxY, ay, by);
      }
      const box =
        span(capsuleRange(minY, maxY, r, sy, height)) * span(capsuleRange(minX, maxX, r, sx, width));
      area += Math.min(segArea, box);
    } else {
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      for (let k = 0; k < n; k++) {
        const ay = p[2 * k + 1]!;
        const by = p[(2 * k + 3) % p.length]!;
        if (ay !== by) rowSpans += span(edgeRows(Math.min(ay, by), Math.max(ay, by), sy, height));
        minX = Math.min(minX, p[2 * k]!);
        maxX = Math.max(maxX, p[2 * k]!);
        minY = Math.min(minY, ay);
        maxY = Math.max(maxY, ay);
      }
      area += span(edgeRows(minY, maxY, sy, height)) * span(capsuleRange(minX, maxX, 0, sx, width));
    }
  }
  return { coordinates, rowSpans, area };
}

/**
 * Why `strokes` exceed the limits at this frame size, or undefined when they fit.
 * `path` is the JSON pointer of the offending field within the message.
 */
export function strokeBudgetError(
  strokes: readonly Stroke[],
  width: number,
  height: number,
  space?: { width: number; height: number },
): { message: string; path: string } | undefined {
  const c = strokeCost(strokes, width, height, space);
  const fix = 'send fewer or simpler strokes, or the mask as a PNG';
  if (c.coordinates > LIMITS.maxMaskCoordinates)
    return {
      message: `the strokes hold ${c.coordinates} coordinates; at most ${LIMITS.maxMaskCoordinates} are allowed in one annotation: ${fix}`,
      path: '/mask/strokes',
    };
  if (c.rowSpans > LIMITS.maxRasterRowSpans)
    return {
      message: `the strokes cross ${c.rowSpans} frame rows segment by segment (at ${width}x${height}); at most ${LIMITS.maxRasterRowSpans} are allowed: ${fix}`,
      path: '/mask/strokes',
    };
  if (c.area > LIMITS.maxRasterArea)
    return {
      message: `the strokes would paint ${c.area} pixels (at ${width}x${height}); at most ${LIMITS.maxRasterArea} are allowed: ${fix}`,
      path: '/mask/strokes',
    };
  return undefined;
}
