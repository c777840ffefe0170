/**
 * DAVIS 2016 per-frame measures, computed exactly as the official Python code
 * (fperazzi/davis, python/lib/davis/measures: db_eval_iou, db_eval_boundary, seg2bmap).
 *
 * Masks are one byte per pixel, row-major, `width * height` long; any nonzero byte is
 * foreground (the official code casts to bool).
 */

function checkMask(mask: Uint8Array, width: number, height: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Mask size must be positive integers, got ${width}x${height}`);
  }
  if (mask.length !== width * height) {
    throw new RangeError(
      `${what} mask has ${mask.length} pixels, expected ${width * height} for ${width}x${height}`,
    );
  }
}

/** Region similarity J = |S∩G| / |S∪G|; 1 when both masks are empty. */
export function jaccard(pred: Uint8Array, gt: Uint8Array, width: number, height: number): number {
  checkMask(pred, width, height, 'Predicted');
  checkMask(gt, width, height, 'Ground-truth');
  let inter = 0;
  let union = 0;
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i] !== 0;
    const g = gt[i] !== 0;
    if (p || g) {
      union++;
      if (p && g) inter++;
    }
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * One-pixel-wide boundary map (1 = boundary), as David Martin's seg2bmap used by DAVIS: a pixel
 * is on the boundary when it differs from its right, bottom or bottom-right neighbour. The last
 * row compares only with the right neighbour, the last column only with the bottom one, and the
 * bottom-right pixel is never a boundary.
 */
export function seg2bmap(mask: Uint8Array, width: number, height: number): Uint8Array {
  checkMask(mask, width, height, 'Input');
  const b = new Uint8Array(width * height);
  const w = width;
  for (let y = 0; y < height - 1; y++) {
    const row = y * w;
    for (let x = 0; x < w - 1; x++) {
      const i = row + x;
      const s = mask[i] !== 0;
      if (s !== (mask[i + 1] !== 0) || s !== (mask[i + w] !== 0) || s !== (mask[i + w + 1] !== 0)) b[i] = 1;
    }
    const i = row + w - 1; // last column: bottom neighbour only
    if ((mask[i] !== 0) !== (mask[i + w] !== 0)) b[i] = 1;
  }
  const last = (height - 1) * w; // last row: right neighbour only
  for (let x = 0; x < w - 1; x++) {
    if ((mask[last + x] !== 0) !== (mask[last + x + 1] !== 0)) b[last + x] = 1;
  }
  return b;
}

/** Tolerance radius in pixels: `boundTh` itself when ≥ 1, else ceil(boundTh · image diagonal). */
export function boundaryRadius(width: number, height: number, boundTh = 0.008): number {
  return boundTh >= 1 ? boundTh : Math.ceil(boundTh * Math.sqrt(height * height + width * width));
}

// Hot loops avoid globals such as Math: global lookups are slow inside vm contexts (jest).

/**
 * For every pixel, the horizontal distance to the nearest boundary pixel in the same row,
 * capped at `cap` (so it fits 16 bits and rows without boundary cost one fill).
 */
function rowDistances(bmap: Uint8Array, width: number, height: number, cap: number): Uint16Array {
  const d = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let dist = cap;
    for (let x = 0; x < width; x++) {
      dist = bmap[row + x] ? 0 : dist < cap ? dist + 1 : cap;
      d[row + x] = dist;
    }
    dist = cap;
    for (let x = width - 1; x >= 0; x--) {
      dist = bmap[row + x] ? 0 : dist < cap ? dist + 1 : cap;
      if (dist < d[row + x]!) d[row + x] = dist;
    }
  }
  return d;
}

/**
 * Counts the boundary pixels of `a` that lie within Euclidean distance `r` of a boundary pixel
 * of `b` (given as row distances): the same as `sum(a_boundary * binary_dilation(b_boundary,
 * disk(r)))`, since disk(r) is {(dx, dy): dx² + dy² ≤ r²} and the dilation is zero-padded.
 */
function countMatched(
  a: Uint8Array,
  bRowDist: Uint16Array,
  width: number,
  height: number,
  r: number,
): number {
  const rr = r * r;
  const reach = Math.floor(r);
  let matched = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (!a[row + x]) continue;
      // Nearest rows first: most matches end at dy = 0.
      for (let k = 0; k <= 2 * reach; k++) {
        const dy = k & 1 ? (k + 1) >> 1 : -(k >> 1);
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        const dx = bRowDist[yy * width + x]!;
        if (dx * dx + dy * dy <= rr) {
          matched++;
          break;
        }
      }
    }
  }
  return matched;
}

function countOnes(a: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i]!;
  return n;
}

export interface BoundaryScore {
  /** Boundary F-measure 2PR/(P+R), 0 when P+R = 0. */
  f: number;
  /** Fraction of the prediction's boundary within the tolerance of the ground truth's. */
  precision: number;
  /** Fraction of the ground truth's boundary within the tolerance of the prediction's. */
  recall: number;
}

/**
 * Boundary precision, recall and F as db_eval_boundary. Empty boundaries: neither → P=R=1 (F=1);
 * only the ground truth has one → P=1, R=0; only the prediction → P=0, R=1 (F=0 both).
 * (The official loader passes (annotation, segmentation) in that order, which swaps its P and R
 * labels; F is symmetric, so it is unaffected.)
 */
export function boundaryScore(
  pred: Uint8Array,
  gt: Uint8Array,
  width: number,
  height: number,
  boundTh = 0.008,
): BoundaryScore {
  checkMask(pred, width, height, 'Predicted');
  checkMask(gt, width, height, 'Ground-truth');
  const r = boundaryRadius(width, height, boundTh);
  const predB = seg2bmap(pred, width, height);
  const gtB = seg2bmap(gt, width, height);
  const nPred = countOnes(predB);
  const nGt = countOnes(gtB);
  let precision: number;
  let recall: number;
  if (nPred === 0 && nGt > 0) {
    precision = 1;
    recall = 0;
  } else if (nPred > 0 && nGt === 0) {
    precision = 0;
    recall = 1;
  } else if (nPred === 0 && nGt === 0) {
    precision = 1;
    recall = 1;
  } else {
    const cap = Math.min(65535, Math.floor(r) + 1);
    precision = countMatched(predB, rowDistances(gtB, width, height, cap), width, height, r) / nPred;
    recall = countMatched(gtB, rowDistances(predB, width, height, cap), width, height, r) / nGt;
  }
  const f = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { f, precision, recall };
}

/** Boundary F-measure of `pred` against `gt` (db_eval_boundary, bound_th = 0.008 by default). */
export function boundaryF(
  pred: Uint8Array,
  gt: Uint8Array,
  width: number,
  height: number,
  boundTh = 0.008,
): number {
  return boundaryScore(pred, gt, width, height, boundTh).f;
}
