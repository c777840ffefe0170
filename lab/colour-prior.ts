/**
 * A per-frame colour model of object and background (GrabCut's idea, with histograms): colour
 * histograms of the pixels the network is sure about — object where the soft map ≥ `confident`,
 * background where ≤ 1 − `confident` inside the object's box grown by `context` of its size — give
 * each pixel a log-likelihood ratio of object against background colour, which is added (times
 * `weight`, clamped to ±`clamp`) to the map's log-odds. Unlike the dense CRF's appearance kernel,
 * which only looks `sigmaSpatial` pixels around, this moves whole mis-labelled parts whose colour
 * belongs to the other side, however wide.
 *
 * An experiment for snapping.bench.ts `--colour`, not in the product: on the `best` maps it lowered
 * F by 2–6 points (pixel-wise colour evidence speckles the boundary; BENCHMARKS.md, "Snapping
 * experiments that lost").
 */
import { assertSameSize, makeFloatMatte, type FloatMatte, type RgbFrame } from '@oneshot-roto/core';

export interface ColourPriorParams {
  /** Log-odds units per unit of colour log-likelihood ratio. */
  weight: number;
  /** Bound on the added log-odds (either sign). */
  clamp: number;
  /** Soft-map level above which (or below 1 − it) a pixel teaches the colour model. */
  confident: number;
  /** Background samples come from the object's box grown by this fraction of its size each side. */
  context: number;
  /** Histogram bins per RGB channel. */
  bins: number;
}

export const DEFAULT_COLOUR_PRIOR: ColourPriorParams = {
  weight: 0.5,
  clamp: 3,
  confident: 0.9,
  context: 0.25,
  bins: 16,
};

/** The soft map with the colour model's evidence added to its log-odds; the map itself where there is no confident object. */
export function colourPrior(
  soft: FloatMatte,
  frame: RgbFrame,
  params: Partial<ColourPriorParams> = {},
): FloatMatte {
  const p = { ...DEFAULT_COLOUR_PRIOR, ...params };
  if (!(p.weight >= 0 && p.clamp >= 0)) throw new RangeError('colour prior weight and clamp must be >= 0');
  if (!(p.confident > 0.5 && p.confident < 1))
    throw new RangeError(`colour prior confident must be in (0.5, 1), got ${p.confident}`);
  if (!Number.isInteger(p.bins) || p.bins < 2 || p.bins > 64)
    throw new RangeError(`colour prior bins must be an integer in 2..64, got ${p.bins}`);
  assertSameSize(soft, frame, 'RGB frame');
  const { width: W, height: H, data: s } = soft;
  const N = W * H;
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (s[y * W + x]! >= p.confident) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return soft;
  const gx = Math.round((x1 - x0 + 1) * p.context);
  const gy = Math.round((y1 - y0 + 1) * p.context);
  const bx0 = Math.max(0, x0 - gx);
  const bx1 = Math.min(W - 1, x1 + gx);
  const by0 = Math.max(0, y0 - gy);
  const by1 = Math.min(H - 1, y1 + gy);

  const B = p.bins;
  const shift = 256 / B;
  const bin = (i: number) =>
    (Math.floor(frame.data[3 * i]! / shift) * B + Math.floor(frame.data[3 * i + 1]! / shift)) * B +
    Math.floor(frame.data[3 * i + 2]! / shift);
  const fg = new Float64Array(B * B * B);
  const bg = new Float64Array(B * B * B);
  let nf = 0;
  let nb = 0;
  for (let y = by0; y <= by1; y++)
    for (let x = bx0; x <= bx1; x++) {
      const i = y * W + x;
      const v = s[i]!;
      if (v >= p.confident) {
        fg[bin(i)]!++;
        nf++;
      } else if (v <= 1 - p.confident) {
        bg[bin(i)]!++;
        nb++;
      }
    }
  if (nb === 0) return soft;
  // Laplace-smoothed log-likelihood ratio per bin.
  const K = B * B * B;
  const llr = new Float32Array(K);
  for (let k = 0; k < K; k++) llr[k] = Math.log((fg[k]! + 1) / (nf + K)) - Math.log((bg[k]! + 1) / (nb + K));
  const out = new Float32Array(N);
  const eps = 1e-4;
  for (let i = 0; i < N; i++) {
    const v = Math.min(1 - eps, Math.max(eps, s[i]!));
    const add = Math.max(-p.clamp, Math.min(p.clamp, p.weight * llr[bin(i)]!));
    out[i] = 1 / (1 + Math.exp(-(Math.log(v / (1 - v)) + add)));
  }
  return makeFloatMatte(out, W, H);
}
