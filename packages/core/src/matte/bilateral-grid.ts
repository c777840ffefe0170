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
import { buildColorGrid, GRID_AXES, type ColorGridSteps } from './color-grid';

export interface BilateralGridParams extends ColorGridSteps {
  /** Smoothness weight relative to the data term. */
  lambda: number;
  /** Gauss–Seidel sweeps over the vertices. */
  iterations: number;
}

export const DEFAULT_BILATERAL_GRID: BilateralGridParams = {
  // Tuned on DAVIS soft maps (lab/snapping.bench.ts): finer colour bins and a weaker smoothness
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
  const grid = buildColorGrid(frame, p);
  const { vertexCount: V, vertexOf, mass } = grid;
  const wsum = new Float64Array(V);
  const tsum = new Float64Array(V);
  const m = soft.data;
  let csum = 0;
  for (let i = 0; i < N; i++) {
    const c = (2 * m[i]! - 1) * (2 * m[i]! - 1) + 0.01; // confidence: the map says little near 0.5
    const v = vertexOf[i]!;
    wsum[v]! += c;
    tsum[v]! += c * m[i]!;
    csum += c;
  }

  // Neighbour lists (CSR) with their smoothness weights.
  const start = new Int32Array(V + 1);
  const nbr: number[] = [];
  const nw: number[] = [];
  for (let v = 0; v < V; v++) {
    start[v] = nbr.length;
    for (let k = 0; k < 2 * GRID_AXES; k++) {
      const u = grid.neighbours[v * 2 * GRID_AXES + k]!;
      if (u >= 0) {
        nbr.push(u);
        nw.push(Math.sqrt(mass[u]! * mass[v]!));
      }
    }
  }
  start[V] = nbr.length;

  const lam = p.lambda * (csum / N);
  const sol = new Float64Array(V);
  for (let v = 0; v < V; v++) sol[v] = tsum[v]! / wsum[v]!;
  for (let it = 0; lam > 0 && it < p.iterations; it++) {
    for (let v = 0; v < V; v++) {
      let num = tsum[v]!;
      let den = wsum[v]!;
      for (let k = start[v]!; k < start[v + 1]!; k++) {
        const w = lam * nw[k]!;
        num += w * sol[nbr[k]!]!;
        den += w;
      }
      sol[v] = num / den;
    }
  }

  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const s = sol[vertexOf[i]!]!;
    out[i] = s < 0 ? 0 : s > 1 ? 1 : s;
  }
  return makeFloatMatte(out, W, H);
}
