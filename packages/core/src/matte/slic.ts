/**
 * SLIC superpixels (Achanta et al., TPAMI 2012) on the frame in CIELAB, with the connectivity
 * post-pass of the reference implementation, and superpixel snapping (OSVOS §3.3, second option):
 * every superpixel takes the majority label of the binarised mask, so the mask boundary moves
 * onto superpixel boundaries, which follow colour contours.
 */
import { assertSameSize, makeFloatMatte, type FloatMatte } from './matte';
import type { RgbFrame } from '../video/frame';

export interface SlicParams {
  /** Grid step S between initial centres, in pixels (≈ superpixel side). */
  regionSize: number;
  /** Compactness m: weight of spatial distance against Lab colour distance. */
  compactness: number;
  /** k-means iterations. */
  iterations: number;
}

export const DEFAULT_SLIC: SlicParams = { regionSize: 12, compactness: 10, iterations: 6 };

export interface Superpixels {
  /** Superpixel id per pixel, 0..count−1. */
  labels: Int32Array;
  count: number;
}

const SRGB_TO_LINEAR = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

/** CIELAB (D65) planes of an RGB frame. */
export function rgbToLab(frame: RgbFrame): [Float32Array, Float32Array, Float32Array] {
  const n = frame.width * frame.height;
  const L = new Float32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  const d = frame.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const r = SRGB_TO_LINEAR[d[j]!]!;
    const g = SRGB_TO_LINEAR[d[j + 1]!]!;
    const b = SRGB_TO_LINEAR[d[j + 2]!]!;
    const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
    const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
    L[i] = 116 * fy - 16;
    A[i] = 500 * (fx - fy);
    B[i] = 200 * (fy - fz);
  }
  return [L, A, B];
}

function checkParams(p: SlicParams): void {
  if (!(p.regionSize >= 2)) throw new RangeError(`SLIC regionSize must be >= 2 px, got ${p.regionSize}`);
  if (!(p.compactness > 0)) throw new RangeError(`SLIC compactness must be > 0, got ${p.compactness}`);
  if (!Number.isInteger(p.iterations) || p.iterations < 1) {
    throw new RangeError(`SLIC iterations must be an integer >= 1, got ${p.iterations}`);
  }
}

export function slicSuperpixels(frame: RgbFrame, params: Partial<SlicParams> = {}): Superpixels {
  const p = { ...DEFAULT_SLIC, ...params };
  checkParams(p);
  const { width: W, height: H } = frame;
  const N = W * H;
  const [L, A, B] = rgbToLab(frame);
  const S = Math.max(2, Math.round(p.regionSize));

  // Initial centres on a regular grid, moved to the lowest-gradient pixel of their 3×3 window.
  const nx = Math.max(1, Math.round(W / S));
  const ny = Math.max(1, Math.round(H / S));
  const K = nx * ny;
  const cL = new Float64Array(K);
  const cA = new Float64Array(K);
  const cB = new Float64Array(K);
  const cX = new Float64Array(K);
  const cY = new Float64Array(K);
  const grad = (x: number, y: number): number => {
    const i = y * W + x;
    const r = x + 1 < W ? i + 1 : i;
    const l = x > 0 ? i - 1 : i;
    const dn = y + 1 < H ? i + W : i;
    const up = y > 0 ? i - W : i;
    return (
      (L[r]! - L[l]!) ** 2 +
      (A[r]! - A[l]!) ** 2 +
      (B[r]! - B[l]!) ** 2 +
      (L[dn]! - L[up]!) ** 2 +
      (A[dn]! - A[up]!) ** 2 +
      (B[dn]! - B[up]!) ** 2
    );
  };
  for (let j = 0, k = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++, k++) {
      let bx = Math.min(W - 1, Math.floor(((i + 0.5) * W) / nx));
      let by = Math.min(H - 1, Math.floor(((j + 0.5) * H) / ny));
      let best = Infinity;
      const x0 = bx;
      const y0 = by;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = x0 + dx;
          const y = y0 + dy;
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const g = grad(x, y);
          if (g < best) {
            best = g;
            bx = x;
            by = y;
          }
        }
      }
      const c = by * W + bx;
      cL[k] = L[c]!;
      cA[k] = A[c]!;
      cB[k] = B[c]!;
      cX[k] = bx;
      cY[k] = by;
    }
  }

  const labels = new Int32Array(N).fill(-1);
  const dist = new Float32Array(N);
  const spatial = (p.compactness * p.compactness) / (S * S);
  const sL = new Float64Array(K);
  const sA = new Float64Array(K);
  const sB = new Float64Array(K);
  const sX = new Float64Array(K);
  const sY = new Float64Array(K);
  const cnt = new Int32Array(K);
  for (let it = 0; it < p.iterations; it++) {
    dist.fill(Infinity);
    for (let k = 0; k < K; k++) {
      const xlo = Math.max(0, Math.floor(cX[k]! - S));
      const xhi = Math.min(W - 1, Math.ceil(cX[k]! + S));
      const ylo = Math.max(0, Math.floor(cY[k]! - S));
      const yhi = Math.min(H - 1, Math.ceil(cY[k]! + S));
      const l = cL[k]!;
      const a = cA[k]!;
      const b = cB[k]!;
      const cx = cX[k]!;
      const cy = cY[k]!;
      for (let y = ylo; y <= yhi; y++) {
        const dy2 = (y - cy) * (y - cy);
        let i = y * W + xlo;
        for (let x = xlo; x <= xhi; x++, i++) {
          const dl = L[i]! - l;
          const da = A[i]! - a;
          const db = B[i]! - b;
          const dx = x - cx;
          const d = dl * dl + da * da + db * db + (dx * dx + dy2) * spatial;
          if (d < dist[i]!) {
            dist[i] = d;
            labels[i] = k;
          }
        }
      }
    }
    sL.fill(0);
    sA.fill(0);
    sB.fill(0);
    sX.fill(0);
    sY.fill(0);
    cnt.fill(0);
    for (let y = 0, i = 0; y < H; y++) {
      for (let x = 0; x < W; x++, i++) {
        const k = labels[i]!;
        if (k < 0) continue;
        sL[k]! += L[i]!;
        sA[k]! += A[i]!;
        sB[k]! += B[i]!;
        sX[k]! += x;
        sY[k]! += y;
        cnt[k]!++;
      }
    }
    for (let k = 0; k < K; k++) {
      if (cnt[k] === 0) continue;
      const inv = 1 / cnt[k]!;
      cL[k] = sL[k]! * inv;
      cA[k] = sA[k]! * inv;
      cB[k] = sB[k]! * inv;
      cX[k] = sX[k]! * inv;
      cY[k] = sY[k]! * inv;
    }
  }
  return enforceConnectivity(labels, W, H, Math.max(1, Math.floor((S * S) / 4)));
}

/**
 * Relabels so that every superpixel is one 4-connected region: fragments smaller than `minSize`
 * join the superpixel of a neighbour found earlier in scan order (as in the reference code).
 */
function enforceConnectivity(labels: Int32Array, W: number, H: number, minSize: number): Superpixels {
  const N = W * H;
  const out = new Int32Array(N).fill(-1);
  const queue = new Int32Array(N);
  let count = 0;
  for (let seed = 0; seed < N; seed++) {
    if (out[seed]! >= 0) continue;
    const sx = seed % W;
    const sy = (seed - sx) / W;
    // A neighbour that already has a final label: where an undersized fragment goes.
    let adjacent = count > 0 ? count - 1 : 0;
    if (sx > 0 && out[seed - 1]! >= 0) adjacent = out[seed - 1]!;
    else if (sy > 0 && out[seed - W]! >= 0) adjacent = out[seed - W]!;
    const lab = labels[seed];
    let head = 0;
    let tail = 0;
    out[seed] = count;
    queue[tail++] = seed;
    while (head < tail) {
      const q = queue[head++]!;
      const x = q % W;
      if (x > 0 && out[q - 1]! < 0 && labels[q - 1] === lab) {
        out[q - 1] = count;
        queue[tail++] = q - 1;
      }
      if (x < W - 1 && out[q + 1]! < 0 && labels[q + 1] === lab) {
        out[q + 1] = count;
        queue[tail++] = q + 1;
      }
      if (q >= W && out[q - W]! < 0 && labels[q - W] === lab) {
        out[q - W] = count;
        queue[tail++] = q - W;
      }
      if (q + W < N && out[q + W]! < 0 && labels[q + W] === lab) {
        out[q + W] = count;
        queue[tail++] = q + W;
      }
    }
    if (tail < minSize && count > 0) {
      for (let t = 0; t < tail; t++) out[queue[t]!] = adjacent;
    } else count++;
  }
  return { labels: out, count };
}

/**
 * Each superpixel takes the majority label of `soft >= threshold` (ties go to background);
 * the result is a 0/1 matte.
 */
export function majorityVote(soft: FloatMatte, superpixels: Superpixels, threshold = 0.5): FloatMatte {
  const { labels, count } = superpixels;
  if (labels.length !== soft.data.length) {
    throw new RangeError(`superpixel map has ${labels.length} pixels, the matte ${soft.data.length}`);
  }
  const fg = new Int32Array(count);
  const total = new Int32Array(count);
  for (let i = 0; i < labels.length; i++) {
    total[labels[i]!]!++;
    if (soft.data[i]! >= threshold) fg[labels[i]!]!++;
  }
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = 2 * fg[labels[i]!]! > total[labels[i]!]! ? 1 : 0;
  return makeFloatMatte(out, soft.width, soft.height);
}

/** Superpixel snapping: SLIC on the frame, then majority vote of the binarised soft map. */
export function superpixelSnap(
  soft: FloatMatte,
  frame: RgbFrame,
  params: Partial<SlicParams> = {},
  threshold = 0.5,
): FloatMatte {
  assertSameSize(soft, frame, 'RGB frame');
  return majorityVote(soft, slicSuperpixels(frame, params), threshold);
}
