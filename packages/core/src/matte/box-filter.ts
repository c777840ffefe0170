/**
 * Mean over a (2r+1)×(2r+1) window, clipped at the image border (divided by the number of pixels
 * actually inside), by running sums: O(N) whatever r.
 */
export function boxMean(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out?: Float32Array,
): Float32Array {
  const dst = out ?? new Float32Array(width * height);
  const tmp = new Float32Array(width * height);
  // Horizontal pass: running sum along each row.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x <= Math.min(r, width - 1); x++) sum += src[row + x]!;
    for (let x = 0; x < width; x++) {
      const lo = x - r;
      const hi = x + r;
      tmp[row + x] = sum / (Math.min(hi, width - 1) - Math.max(lo, 0) + 1);
      if (hi + 1 < width) sum += src[row + hi + 1]!;
      if (lo >= 0) sum -= src[row + lo]!;
    }
  }
  // Vertical pass, row-at-a-time so memory is walked in order.
  const colSum = new Float64Array(width);
  for (let y = 0; y <= Math.min(r, height - 1); y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) colSum[x]! += tmp[row + x]!;
  }
  for (let y = 0; y < height; y++) {
    const lo = y - r;
    const hi = y + r;
    const inv = 1 / (Math.min(hi, height - 1) - Math.max(lo, 0) + 1);
    const row = y * width;
    for (let x = 0; x < width; x++) dst[row + x] = colSum[x]! * inv;
    if (hi + 1 < height) {
      const add = (hi + 1) * width;
      for (let x = 0; x < width; x++) colSum[x]! += tmp[add + x]!;
    }
    if (lo >= 0) {
      const sub = lo * width;
      for (let x = 0; x < width; x++) colSum[x]! -= tmp[sub + x]!;
    }
  }
  return dst;
}
