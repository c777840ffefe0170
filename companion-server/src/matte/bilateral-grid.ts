/**
 * Bilateral grid solver after the Fast Bilateral Solver (Barron & Poole, ECCV 2016), in its
 * "simplified bilateral grid" form: each pixel is splatted to the nearest vertex of a grid over
 * (x, y, Y, U, V) — only occupied vertices exist (hashed) — and a smooth solution is found in that
 * vertex space, minimising
 *   Σ_v W_v (y_v − t_v)² + λ·c̄ Σ_{u~v} √(m_u m_v) (y_u − y_v)²
 * where W_v is the splatted confidence, t_v the confidence-weighted mean of the map, m_v the pixel
 * count, c̄ the mean confidence, and u~v grid neighbours (±1 along one of the five axes); it is
 * solved by Gauss–Seidel sweeps started from t, and sliced back (each pixel takes its vertex's value).
 * Pixels where the map is uncertain (near 0.5) get low confidence, so they take the value of
 * confident pixels of similar colour nearby: the map snaps to colour edges. Nearest-vertex
 * splatting keeps it cheap (one hash look-up per pixel); its cost is blockiness at the grid step
 * where the object boundary is not a colour edge.
 */
import { assertSameSize, makeFloatMatte, type FloatMatte } from './matte';
import type { RgbFrame } from '../video/frame';

export interface BilateralGridParams {
  /** Grid step along x and y, in pixels. */
  sigmaSpatial: number;
  /** Grid step along luma Y, on the 0..255 scale. */
  sigmaLuma: number;
  /** Grid step along chroma U and V, on the 0..255 scale. */
  sigmaChroma: number;
  /** Smoothness weight relative to the data term. */
  lambda: number;
  /** Gauss–Seidel sweeps over the vertices. */
  iterations: number;
}

export const DEFAULT_BILATERAL_GRID: BilateralGridParams = {
  // Tuned on DAVIS soft maps (bench/snapping.bench.ts): finer colour bins and a weaker smoothness
  // term than 16/12/1 keep thin structures.
  sigmaSpatial: 8,
  sigmaLuma: 8,
  sigmaChroma: 6,
  lambda: 0.3,
  iterations: 25,
};

function checkParams(p: BilateralGridParams): void {
  for (const k of ['sigmaSpatial', 'sigmaLuma', 'sigmaChroma'] as const) {
    if (!(p[k] >= 1)) throw new RangeError(`bilateral ${k} must be >= 1, got ${p[k]}`);
  }
  if (!(p.lambda >= 0)) throw new RangeError(`bilateral lambda must be >= 0, got ${p.lambda}`);
  if (!Number.isInteger(p.iterations) || p.iterations < 0) {
    throw new RangeError(`bilateral iterations must be an integer >= 0, got ${p.iterations}`);
  }
}

/** Edge-aware snapping of `soft` to the frame's colour edges; output in 0..1. */
export function bilateralGridSolve(
  soft: FloatMatte,
  frame: RgbFrame,
  params: Partial<BilateralGridParams> = {},
): FloatMatte {
  const p = { ...DEFAULT_BILATERAL_GRID, ...params };
  checkParams(p);
  assertSameSize(soft, frame, 'RGB frame');
  const { width: W, height: H } = soft;
  const N = W * H;
  // Integer coordinates per axis and their strides in the (unbounded-size-safe) key.
  const nx = Math.round((W - 1) / p.sigmaSpatial) + 1;
  const ny = Math.round((H - 1) / p.sigmaSpatial) + 1;
  const nl = Math.round(255 / p.sigmaLuma) + 1;
  const nc = Math.round(255 / p.sigmaChroma) + 1;
  const strides = [1, nx, nx * ny, nx * ny * nl, nx * ny * nl * nc];

  // Splat: nearest vertex per pixel.
  const index = new Map<number, number>();
  const keys: number[] = [];
  const vertexOf = new Int32Array(N);
  const rgb = frame.data;
  const invS = 1 / p.sigmaSpatial;
  const invL = 1 / p.sigmaLuma;
  const invC = 1 / p.sigmaChroma;
  for (let y = 0, i = 0; y < H; y++) {
    const ky = Math.round(y * invS) * strides[1];
    for (let x = 0; x < W; x++, i++) {
      const j = i * 3;
      const r = rgb[j];
      const g = rgb[j + 1];
      const b = rgb[j + 2];
      const Y = 0.299 * r + 0.587 * g + 0.114 * b;
      const U = -0.168736 * r - 0.331264 * g + 0.5 * b + 127.5;
      const V = 0.5 * r - 0.418688 * g - 0.081312 * b + 127.5;
      const key =
        Math.round(x * invS) +
        ky +
        Math.round(Y * invL) * strides[2] +
        Math.round(U * invC) * strides[3] +
        Math.round(V * invC) * strides[4];
      let v = index.get(key);
      if (v === undefined) {
        v = keys.length;
        index.set(key, v);
        keys.push(key);
      }
      vertexOf[i] = v;
    }
  }
  const V = keys.length;
  const wsum = new Float64Array(V);
  const tsum = new Float64Array(V);
  const mass = new Float64Array(V);
  const m = soft.data;
  let csum = 0;
  for (let i = 0; i < N; i++) {
    const c = (2 * m[i] - 1) * (2 * m[i] - 1) + 0.01; // confidence: the map says little near 0.5
    const v = vertexOf[i];
    wsum[v] += c;
    tsum[v] += c * m[i];
    mass[v]++;
    csum += c;
  }

  // Neighbour lists (CSR): ±1 along each of the five axes, where that vertex exists.
  const start = new Int32Array(V + 1);
  const nbr: number[] = [];
  const nw: number[] = [];
  const sizes = [nx, ny, nl, nc, nc];
  for (let v = 0; v < V; v++) {
    start[v] = nbr.length;
    for (let a = 0; a < 5; a++) {
      // Coordinate along axis a, so that ±1 never wraps into the next row of the key space.
      const coord = Math.floor(keys[v] / strides[a]) % sizes[a];
      for (const d of [-1, 1]) {
        if (coord + d < 0 || coord + d >= sizes[a]) continue;
        const u = index.get(keys[v] + d * strides[a]);
        if (u !== undefined) {
          nbr.push(u);
          nw.push(Math.sqrt(mass[u] * mass[v]));
        }
      }
    }
  }
  start[V] = nbr.length;

  const lam = p.lambda * (csum / N);
  const sol = new Float64Array(V);
  for (let v = 0; v < V; v++) sol[v] = tsum[v] / wsum[v];
  for (let it = 0; lam > 0 && it < p.iterations; it++) {
    for (let v = 0; v < V; v++) {
      let num = tsum[v];
      let den = wsum[v];
      for (let k = start[v]; k < start[v + 1]; k++) {
        const w = lam * nw[k];
        num += w * sol[nbr[k]];
        den += w;
      }
      sol[v] = num / den;
    }
  }

  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const s = sol[vertexOf[i]];
    out[i] = s < 0 ? 0 : s > 1 ? 1 : s;
  }
  return makeFloatMatte(out, W, H);
}
