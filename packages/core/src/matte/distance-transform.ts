/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher, "Distance Transforms of Sampled
 * Functions", 2012): squared distance from every pixel centre to the nearest pixel centre where
 * `isSite` is set, computed as two separable passes of the 1-D lower envelope of parabolas. O(N).
 */

const INF = 1e20;

/** 1-D squared-distance transform of f (length n) into d, using scratch v (Int32) and z (Float64). */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const dq = q - v[k]!;
    d[q] = dq * dq + f[v[k]!]!;
  }
}

/**
 * Squared Euclidean distance (in pixels²) from each pixel to the nearest pixel with
 * `mask[i] === siteValue`. When there is no such pixel every distance is Infinity.
 */
export function squaredDistanceTo(
  mask: Uint8Array,
  width: number,
  height: number,
  siteValue: 0 | 1,
): Float64Array {
  const n = width * height;
  const out = new Float64Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    const site = (mask[i] !== 0 ? 1 : 0) === siteValue;
    out[i] = site ? 0 : INF;
    if (site) any = true;
  }
  if (!any) return out.fill(Infinity);
  const len = Math.max(width, height);
  const f = new Float64Array(len);
  const d = new Float64Array(len);
  const v = new Int32Array(len);
  const z = new Float64Array(len + 1);
  // Columns first, then rows: the transform is separable.
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) f[y] = out[y * width + x]!;
    edt1d(f, height, d, v, z);
    for (let y = 0; y < height; y++) out[y * width + x] = d[y]!;
  }
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) f[x] = out[row + x]!;
    edt1d(f, width, d, v, z);
    for (let x = 0; x < width; x++) out[row + x] = d[x]!;
  }
  return out;
}
