import { probabilityToUint8, resizeBilinear } from '../../src/model';

describe('resizing probability maps back to the frame', () => {
  it('interpolates with half-pixel centres, like the network and PyTorch (align_corners=False)', () => {
    // 2×1 → 4×1: output centres at source x = -0.25, 0.25, 0.75, 1.25 (clamped at the borders).
    expect(Array.from(resizeBilinear(Float32Array.from([0, 1]), 2, 1, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
    // 1×2 → 1×4 vertically.
    expect(Array.from(resizeBilinear(Float32Array.from([1, 0]), 1, 2, 1, 4))).toEqual([1, 0.75, 0.25, 0]);
  });

  it('reads the map of one batch item at an offset and keeps a constant map constant', () => {
    const batch = new Float32Array(2 * 9);
    batch.fill(0.3, 0, 9);
    batch.fill(0.7, 9);
    const second = resizeBilinear(batch, 3, 3, 5, 4, 9);
    expect(second).toHaveLength(20);
    second.forEach((v) => expect(v).toBeCloseTo(0.7, 6));
  });

  it('averages a 2× downscale of a checkerboard to one half', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => ((i % 4) + Math.floor(i / 4)) % 2);
    resizeBilinear(src, 4, 4, 2, 2).forEach((v) => expect(v).toBeCloseTo(0.5, 6));
  });

  it('converts to 8-bit with rounding and clamping', () => {
    expect(Array.from(probabilityToUint8(Float32Array.from([-0.1, 0, 0.5, 0.999, 1.2])))).toEqual([
      0, 0, 128, 255, 255,
    ]);
  });
});
