/**
 * Bilateral grid solver, in the spirit of the Fast Bilateral Solver (Barron & Poole, ECCV 2016):
 * the soft map is splatted (trilinearly) into a coarse grid over (x, y, luma) with per-pixel
 * confidence, a smooth solution is found *in grid space* — minimising
 *   Σ_cells W_c (y_c − t_c)² + λ·m̄ Σ_neighbouring cells (y_c − y_n)²
 * (W_c: splatted confidence, t_c: confidence-weighted mean of the map in the cell, m̄: mean
 * splatted weight of the occupied cells, so λ does not depend on the grid size) by Gauss–Seidel
 * sweeps — and sliced back trilinearly at each pixel's (x, y, luma). Pixels whose map value is
 * uncertain (near 0.5) get low confidence, so their value comes from confident pixels of similar
 * luma nearby: the map snaps to luma edges. The grid is tiny (≈ W/σs × H/σs × 1/σr cells), so the
 * solve costs little next to splatting and slicing.
 */
import { assertSameSize, makeFloatMatte, type FloatMatte } from './matte';
import type { RgbFrame } from '../video/frame';

export interface BilateralGridParams {
  /** Cell size in pixels along x and y. */
  sigmaSpatial: number;
  /** Cell size in luma (0..1). */
  sigmaRange: number;
  /** Smoothness weight (relative to the mean data weight of a cell). */
  lambda: number;
  /** Gauss–Seidel sweeps over the grid. */
  iterations: number;
}

export const DEFAULT_BILATERAL_GRID: BilateralGridParams = {
  sigmaSpatial: 8,
  sigmaRange: 0.08,
  lambda: 0.5,
  iterations: 20,
};

function checkParams(p: BilateralGridParams): void {
  if (!(p.sigmaSpatial >= 1)) throw new RangeError(`bilateral sigmaSpatial must be >= 1 px, got ${p.sigmaSpatial}`);
  if (!(p.sigmaRange > 0 && p.sigmaRange <= 1)) {
    throw new RangeError(`bilateral sigmaRange must be within (0, 1], got ${p.sigmaRange}`);
  }
  if (!(p.lambda >= 0)) throw new RangeError(`bilateral lambda must be >= 0, got ${p.lambda}`);
  if (!Number.isInteger(p.iterations) || p.iterations < 0) {
    throw new RangeError(`bilateral iterations must be an integer >= 0, got ${p.iterations}`);
  }
}

/** Edge-aware snapping of `soft` with a bilateral grid over the frame's luma; output in 0..1. */
export function bilateralGridSolve(soft: FloatMatte, frame: RgbFrame, params: Partial<BilateralGridParams> = {}): FloatMatte {
  const p = { ...DEFAULT_BILATERAL_GRID, ...params };
  checkParams(p);
  assertSameSize(soft, frame, 'RGB frame');
  const { width: W, height: H } = soft;
  const N = W * H;
  const gx = Math.ceil((W - 1) / p.sigmaSpatial) + 2;
  const gy = Math.ceil((H - 1) / p.sigmaSpatial) + 2;
  const gz = Math.ceil(1 / p.sigmaRange) + 2;
  const sxy = gx * gy;
  const cells = sxy * gz;

  // Per-pixel grid coordinates (base cell and fractions), reused for splat and slice.
  const base = new Int32Array(N);
  const fx = new Float32Array(N);
  const fy = new Float32Array(N);
  const fz = new Float32Array(N);
  const rgb = frame.data;
  for (let y = 0, i = 0; y < H; y++) {
    const v = y / p.sigmaSpatial;
    const y0 = Math.floor(v);
    for (let x = 0; x < W; x++, i++) {
      const u = x / p.sigmaSpatial;
      const x0 = Math.floor(u);
      const j = i * 3;
      const luma = (0.299 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2]) / 255;
      const w = luma / p.sigmaRange;
      const z0 = Math.floor(w);
      base[i] = z0 * sxy + y0 * gx + x0;
      fx[i] = u - x0;
      fy[i] = v - y0;
      fz[i] = w - z0;
    }
  }

  // Splat confidence-weighted values. Confidence (2p−1)² + 0.01: near 0.5 the map says little.
  const wsum = new Float64Array(cells);
  const tsum = new Float64Array(cells);
  const m = soft.data;
  for (let i = 0; i < N; i++) {
    const c = (2 * m[i] - 1) * (2 * m[i] - 1) + 0.01;
    const ct = c * m[i];
    const b0 = base[i];
    const ax = fx[i];
    const ay = fy[i];
    const az = fz[i];
    for (let k = 0; k < 8; k++) {
      const wk = (k & 1 ? ax : 1 - ax) * (k & 2 ? ay : 1 - ay) * (k & 4 ? az : 1 - az);
      const idx = b0 + (k & 1 ? 1 : 0) + (k & 2 ? gx : 0) + (k & 4 ? sxy : 0);
      wsum[idx] += wk * c;
      tsum[idx] += wk * ct;
    }
  }

  let occupied = 0;
  let wTotal = 0;
  const grid = new Float64Array(cells);
  for (let c = 0; c < cells; c++) {
    if (wsum[c] > 0) {
      occupied++;
      wTotal += wsum[c];
      grid[c] = tsum[c] / wsum[c];
    } else grid[c] = 0.5;
  }
  const lam = p.lambda * (occupied > 0 ? wTotal / occupied : 1);

  // Gauss–Seidel sweeps on the 6-neighbour grid graph (in place).
  for (let it = 0; lam > 0 && it < p.iterations; it++) {
    for (let z = 0; z < gz; z++) {
      for (let y = 0; y < gy; y++) {
        for (let x = 0; x < gx; x++) {
          const c = z * sxy + y * gx + x;
          let nsum = 0;
          let ncount = 0;
          if (x > 0) (nsum += grid[c - 1]), ncount++;
          if (x < gx - 1) (nsum += grid[c + 1]), ncount++;
          if (y > 0) (nsum += grid[c - gx]), ncount++;
          if (y < gy - 1) (nsum += grid[c + gx]), ncount++;
          if (z > 0) (nsum += grid[c - sxy]), ncount++;
          if (z < gz - 1) (nsum += grid[c + sxy]), ncount++;
          grid[c] = (tsum[c] + lam * nsum) / (wsum[c] + lam * ncount);
        }
      }
    }
  }

  // Slice.
  const out = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const b0 = base[i];
    const ax = fx[i];
    const ay = fy[i];
    const az = fz[i];
    let v = 0;
    for (let k = 0; k < 8; k++) {
      const wk = (k & 1 ? ax : 1 - ax) * (k & 2 ? ay : 1 - ay) * (k & 4 ? az : 1 - az);
      v += wk * grid[b0 + (k & 1 ? 1 : 0) + (k & 2 ? gx : 0) + (k & 4 ? sxy : 0)];
    }
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return makeFloatMatte(out, W, H);
}
