/**
 * A sparse grid over (x, y, Y, U, V) for edge-aware filtering: each pixel belongs to its nearest
 * vertex (one hash look-up per pixel), only occupied vertices exist, and each vertex knows its ±1
 * neighbour along every axis. Pixels of similar colour close together share or neighbour a vertex;
 * pixels across a colour edge do not. Used by the bilateral solver and the dense CRF.
 */
import type { RgbFrame } from '../video/frame';

export interface ColorGridSteps {
  /** Grid step along x and y, in pixels. */
  sigmaSpatial: number;
  /** Grid step along luma Y, on the 0..255 scale. */
  sigmaLuma: number;
  /** Grid step along chroma U and V, on the 0..255 scale. */
  sigmaChroma: number;
}

export interface ColorGrid {
  vertexCount: number;
  /** Vertex of each pixel (row-major). */
  vertexOf: Int32Array;
  /** Pixels per vertex. */
  mass: Float64Array;
  /**
   * Neighbours: `neighbours[v * 10 + 2 * axis + (0 for −1, 1 for +1)]`, −1 where that vertex is
   * unoccupied; axes x, y, Y, U, V.
   */
  neighbours: Int32Array;
}

export const GRID_AXES = 5;

export function buildColorGrid(frame: RgbFrame, steps: ColorGridSteps): ColorGrid {
  for (const k of ['sigmaSpatial', 'sigmaLuma', 'sigmaChroma'] as const) {
    if (!(steps[k] >= 1)) throw new RangeError(`grid ${k} must be >= 1, got ${steps[k]}`);
  }
  const { width: W, height: H } = frame;
  const N = W * H;
  // Integer coordinates per axis and their strides in the key.
  const nx = Math.round((W - 1) / steps.sigmaSpatial) + 1;
  const ny = Math.round((H - 1) / steps.sigmaSpatial) + 1;
  const nl = Math.round(255 / steps.sigmaLuma) + 1;
  const nc = Math.round(255 / steps.sigmaChroma) + 1;
  const strides = [1, nx, nx * ny, nx * ny * nl, nx * ny * nl * nc];
  const sizes = [nx, ny, nl, nc, nc];

  const index = new Map<number, number>();
  const keys: number[] = [];
  const vertexOf = new Int32Array(N);
  const rgb = frame.data;
  const invS = 1 / steps.sigmaSpatial;
  const invL = 1 / steps.sigmaLuma;
  const invC = 1 / steps.sigmaChroma;
  for (let y = 0, i = 0; y < H; y++) {
    const ky = Math.round(y * invS) * strides[1]!;
    for (let x = 0; x < W; x++, i++) {
      const j = i * 3;
      const r = rgb[j]!;
      const g = rgb[j + 1]!;
      const b = rgb[j + 2]!;
      const Y = 0.299 * r + 0.587 * g + 0.114 * b;
      const U = -0.168736 * r - 0.331264 * g + 0.5 * b + 127.5;
      const V = 0.5 * r - 0.418688 * g - 0.081312 * b + 127.5;
      const key =
        Math.round(x * invS) +
        ky +
        Math.round(Y * invL) * strides[2]! +
        Math.round(U * invC) * strides[3]! +
        Math.round(V * invC) * strides[4]!;
      let v = index.get(key);
      if (v === undefined) {
        v = keys.length;
        index.set(key, v);
        keys.push(key);
      }
      vertexOf[i] = v;
    }
  }
  const vertexCount = keys.length;
  const mass = new Float64Array(vertexCount);
  for (let i = 0; i < N; i++) mass[vertexOf[i]!]!++;
  const neighbours = new Int32Array(vertexCount * 2 * GRID_AXES).fill(-1);
  for (let v = 0; v < vertexCount; v++) {
    for (let a = 0; a < GRID_AXES; a++) {
      // Coordinate along axis a, so that ±1 never wraps into the next row of the key space.
      const coord = Math.floor(keys[v]! / strides[a]!) % sizes[a]!;
      if (coord > 0) neighbours[v * 10 + 2 * a] = index.get(keys[v]! - strides[a]!) ?? -1;
      if (coord + 1 < sizes[a]!) neighbours[v * 10 + 2 * a + 1] = index.get(keys[v]! + strides[a]!) ?? -1;
    }
  }
  return { vertexCount, vertexOf, mass, neighbours };
}
