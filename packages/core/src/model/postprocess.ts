/**
 * Network output → frame-sized soft matte: bilinear resampling with half-pixel centres (the same
 * convention as the network's own Resize and PyTorch's align_corners=False), optional sigmoid for
 * models that output logits, and conversion to 8-bit.
 */

/**
 * Resizes a single-channel float map (row-major, srcW×srcH, read from `src` at `offset`) to
 * dstW×dstH with bilinear interpolation. Upscaling is exact bilinear; strong downscaling samples
 * without prefiltering, which is fine for smooth probability maps.
 */
export function resizeBilinear(
  src: Float32Array,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  offset = 0,
): Float32Array {
  const out = new Float32Array(dstW * dstH);
  if (srcW === dstW && srcH === dstH) {
    out.set(src.subarray(offset, offset + srcW * srcH));
    return out;
  }
  const sx = srcW / dstW;
  const sy = srcH / dstH;
  // Column weights are the same for every row: compute once.
  const x0s = new Int32Array(dstW);
  const x1s = new Int32Array(dstW);
  const fxs = new Float32Array(dstW);
  for (let x = 0; x < dstW; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), srcW - 1);
    const x0 = Math.floor(fx);
    x0s[x] = x0;
    x1s[x] = Math.min(x0 + 1, srcW - 1);
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < dstH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), srcH - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, srcH - 1);
    const wy = fy - y0;
    const r0 = offset + y0 * srcW;
    const r1 = offset + y1 * srcW;
    const o = y * dstW;
    for (let x = 0; x < dstW; x++) {
      const a = x0s[x]!;
      const b = x1s[x]!;
      const wx = fxs[x]!;
      const top = src[r0 + a]! + (src[r0 + b]! - src[r0 + a]!) * wx;
      const bottom = src[r1 + a]! + (src[r1 + b]! - src[r1 + a]!) * wx;
      out[o + x] = top + (bottom - top) * wy;
    }
  }
  return out;
}

export function sigmoidInPlace(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = 1 / (1 + Math.exp(-values[i]!));
  return values;
}

/** Probability [0,1] → 0..255 (rounded, clamped). */
export function probabilityToUint8(prob: Float32Array): Uint8Array {
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) {
    const v = Math.round(prob[i]! * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}
