/**
 * Fully connected CRF over the frame's pixels (Krähenbühl & Koltun, NIPS 2011), the usual
 * boundary refinement of segmentation networks, for one object (two labels, Potts model):
 *   E(l) = Σ_i −log P(l_i) + Σ_{i<j} [l_i ≠ l_j] (w_a k_a(i, j) + w_s k_s(i, j))
 * with the soft map as P, an appearance kernel k_a (pixels near each other and of similar colour
 * want the same label) and a smoothness kernel k_s (a small spatial window). Mean-field inference:
 * each iteration, every pixel's foreground log-odds is the unary's plus, per kernel,
 * w · (2 · kernel-weighted mean of Q − 1), where Q is the current foreground probability.
 *
 * Unlike a smoothing filter of the soft map (guided filter, bilateral solver), the unary is kept in
 * every iteration, so confident pixels stay as the network drew them and only the uncertain band
 * moves, towards the side its colour belongs to. Pixels too confident to change label are not
 * iterated at all (below): on a 4K frame the band is a few percent of the pixels.
 *
 * The appearance kernel is filtered on the sparse colour grid (color-grid.ts): splat Q to each
 * pixel's vertex, blur with [1 2 1] along each of the five axes, normalise by the blurred pixel
 * count, slice. The smoothness kernel is a box mean at full resolution.
 */
import { boxMean } from './box-filter';
import { buildColorGrid, GRID_AXES, type ColorGridSteps } from './color-grid';
import { assertSameSize, makeFloatMatte, type FloatMatte } from './matte';
import type { RgbFrame } from '../video/frame';

export interface DenseCrfParams extends ColorGridSteps {
  /** Weight of the appearance kernel, in log-odds units. */
  appearanceWeight: number;
  /** Half-width in pixels of the smoothness kernel's window. */
  smoothnessRadius: number;
  /** Weight of the smoothness kernel, in log-odds units (0: off). */
  smoothnessWeight: number;
  /** Mean-field iterations. */
  iterations: number;
  /** The soft map is clamped to [ε, 1 − ε] before its log-odds are taken (a 0 or 1 is not certain). */
  unaryEpsilon: number;
  /**
   * Iterate every pixel, as the textbook mean field does. Off: pixels too confident to change label
   * keep the network's value and only the band that can change iterates (same labels up to the
   * messages of those pixels' small moves; BENCHMARKS.md, "Dense CRF on the uncertain band").
   */
  everyPixel: boolean;
}

export const DEFAULT_DENSE_CRF: DenseCrfParams = {
  // Chosen on `best` soft maps of bear, boat and bus (lab/snapping.bench.ts --crf): weight 4 beat
  // 2 and 8; a finer grid (16 / 8 / 6) gained 0.1 J for 4× the time.
  sigmaSpatial: 24,
  sigmaLuma: 12,
  sigmaChroma: 8,
  appearanceWeight: 4,
  smoothnessRadius: 2,
  smoothnessWeight: 1,
  iterations: 5,
  unaryEpsilon: 1e-3,
  everyPixel: false,
};

function checkParams(p: DenseCrfParams): void {
  for (const k of ['appearanceWeight', 'smoothnessWeight'] as const) {
    if (!(p[k] >= 0)) throw new RangeError(`dense CRF ${k} must be >= 0, got ${p[k]}`);
  }
  if (!Number.isInteger(p.smoothnessRadius) || p.smoothnessRadius < 1) {
    throw new RangeError(`dense CRF smoothnessRadius must be an integer >= 1, got ${p.smoothnessRadius}`);
  }
  if (!Number.isInteger(p.iterations) || p.iterations < 0) {
    throw new RangeError(`dense CRF iterations must be an integer >= 0, got ${p.iterations}`);
  }
  if (!(p.unaryEpsilon > 0 && p.unaryEpsilon < 0.5)) {
    throw new RangeError(`dense CRF unaryEpsilon must be in (0, 0.5), got ${p.unaryEpsilon}`);
  }
}

/** Mean-field solution of the CRF: the foreground probability of every pixel, 0..1. */
export function denseCrf(
  soft: FloatMatte,
  frame: RgbFrame,
  params: Partial<DenseCrfParams> = {},
): FloatMatte {
  const p = { ...DEFAULT_DENSE_CRF, ...params };
  checkParams(p);
  assertSameSize(soft, frame, 'RGB frame');
  const { width: W, height: H } = soft;
  const N = W * H;
  const grid = buildColorGrid(frame, p);
  const { vertexCount: V, vertexOf, neighbours } = grid;

  const unary = new Float32Array(N);
  const q = new Float32Array(N);
  const lo = p.unaryEpsilon;
  for (let i = 0; i < N; i++) {
    const v = Math.min(1 - lo, Math.max(lo, soft.data[i]!));
    unary[i] = Math.log(v / (1 - v));
    q[i] = v;
  }

  // The appearance kernel's normaliser: the blurred pixel count of each vertex.
  const blurVertices = (values: Float64Array, scratch: Float64Array): Float64Array => {
    let src = values;
    let dst = scratch;
    for (let a = 0; a < GRID_AXES; a++) {
      for (let v = 0; v < V; v++) {
        const l = neighbours[v * 2 * GRID_AXES + 2 * a]!;
        const r = neighbours[v * 2 * GRID_AXES + 2 * a + 1]!;
        dst[v] = 2 * src[v]! + (l >= 0 ? src[l]! : 0) + (r >= 0 ? src[r]! : 0);
      }
      [src, dst] = [dst, src];
    }
    return src;
  };
  const norm = blurVertices(Float64Array.from(grid.mass), new Float64Array(V));

  // A pixel whose unary outweighs both kernels at their strongest cannot change label: it keeps the
  // network's value, its share of the appearance kernel is splatted once, and only the uncertain
  // band iterates (a few percent of a large frame; the exact mean field moves such a pixel's value
  // a little but never across 0.5).
  const reach = p.appearanceWeight + p.smoothnessWeight;
  const inBand = (i: number) => p.everyPixel || Math.abs(unary[i]!) <= reach;
  // Counted first so that the band's index list is its own size, not the frame's (33 MB at 4K).
  let bandSize = 0;
  for (let i = 0; i < N; i++) if (inBand(i)) bandSize++;
  const band = new Int32Array(bandSize);
  const fixedSplat = new Float64Array(V);
  for (let i = 0, k = 0; i < N; i++) {
    if (inBand(i)) band[k++] = i;
    else fixedSplat[vertexOf[i]!]! += q[i]!;
  }

  const splat = new Float64Array(V);
  const scratch = new Float64Array(V);
  const smooth = new Float32Array(N);
  for (let it = 0; it < p.iterations && bandSize > 0; it++) {
    splat.set(fixedSplat);
    for (let k = 0; k < bandSize; k++) splat[vertexOf[band[k]!]!]! += q[band[k]!]!;
    const blurred = blurVertices(splat, scratch);
    if (p.smoothnessWeight > 0) boxMean(q, W, H, p.smoothnessRadius, smooth);
    for (let k = 0; k < bandSize; k++) {
      const i = band[k]!;
      const v = vertexOf[i]!;
      const appearance = blurred[v]! / norm[v]!;
      let logit = unary[i]! + p.appearanceWeight * (2 * appearance - 1);
      if (p.smoothnessWeight > 0) logit += p.smoothnessWeight * (2 * smooth[i]! - 1);
      q[i] = 1 / (1 + Math.exp(-logit));
    }
  }
  return makeFloatMatte(q, W, H);
}
