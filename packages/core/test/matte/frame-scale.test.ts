import { DEFAULT_BILATERAL_GRID } from '../../src/matte/bilateral-grid';
import { DEFAULT_DENSE_CRF, denseCrf } from '../../src/matte/dense-crf';
import { scaledSnapParams, snapScale } from '../../src/matte/frame-scale';
import { DEFAULT_GUIDED_FILTER } from '../../src/matte/guided-filter';
import { makeFloatMatte, type FloatMatte } from '../../src/matte/matte';
import { SNAP_PROTECT_AREA, snapSoftMap } from '../../src/matte/pipeline';
import { DEFAULT_SLIC } from '../../src/matte/slic';
import { makeRgbFrame, type RgbFrame } from '../../src/video/frame';

/**
 * A thin diagonal line (a kite's string) `width` px wide over a noisy background, drawn at 0.7 in
 * the soft map: at 854×480 with width 2 its area is under SNAP_PROTECT_AREA; the same scene at
 * 1080p is 2.25× wider and ~5× the area.
 */
function lineScene(
  W: number,
  H: number,
  width: number,
): { frame: RgbFrame; soft: FloatMatte; line: number[] } {
  const data = new Uint8Array(W * H * 3);
  const soft = new Float32Array(W * H);
  const line: number[] = [];
  let seed = 99;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 41) - 20;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      // Distance to the line from (0.2W, 0.2H) to (0.4W, 0.4H), in pixels.
      const t = Math.max(
        0,
        Math.min(1, ((x - 0.2 * W) * 0.2 * W + (y - 0.2 * H) * 0.2 * H) / ((0.2 * W) ** 2 + (0.2 * H) ** 2)),
      );
      const on = Math.hypot(x - 0.2 * W - t * 0.2 * W, y - 0.2 * H - t * 0.2 * H) < width / 2;
      if (on) {
        line.push(i);
        soft[i] = 0.7;
      }
      const c = on ? [120, 120, 120] : [110, 130, 110];
      for (let k = 0; k < 3; k++) data[i * 3 + k] = Math.max(0, Math.min(255, c[k]! + noise()));
    }
  return { frame: makeRgbFrame(data, W, H), soft: makeFloatMatte(soft, W, H), line };
}

describe('snapping scaled to the frame size', () => {
  it('scale is the diagonal over 854×480, never below 1', () => {
    expect(snapScale(854, 480)).toBe(1);
    expect(snapScale(1920, 1080)).toBeCloseTo(Math.hypot(1920, 1080) / Math.hypot(854, 480), 12);
    expect(snapScale(3840, 2160)).toBeCloseTo(2 * snapScale(1920, 1080), 12);
    expect(snapScale(160, 120)).toBe(1);
  });

  it('at DAVIS size (and smaller) the parameters are the tuned defaults, unchanged', () => {
    for (const [w, h] of [
      [854, 480],
      [320, 240],
    ] as const) {
      const p = scaledSnapParams(w, h, SNAP_PROTECT_AREA);
      expect(p.crf).toEqual(DEFAULT_DENSE_CRF);
      expect(p.guided).toEqual(DEFAULT_GUIDED_FILTER);
      expect(p.bilateral).toEqual(DEFAULT_BILATERAL_GRID);
      expect(p.slic).toEqual(DEFAULT_SLIC);
      expect(p.protectArea).toBe(SNAP_PROTECT_AREA);
    }
  });

  it('at 4K the windows are 4.5× and the protected area 20× the tuned ones', () => {
    const s = snapScale(3840, 2160);
    const p = scaledSnapParams(3840, 2160, 500);
    expect(p.crf.sigmaSpatial).toBeCloseTo(DEFAULT_DENSE_CRF.sigmaSpatial * s, 9);
    expect(p.crf.smoothnessRadius).toBe(Math.round(DEFAULT_DENSE_CRF.smoothnessRadius * s));
    expect(p.guided.radius).toBeCloseTo(DEFAULT_GUIDED_FILTER.radius * s, 9);
    expect(p.bilateral.sigmaSpatial).toBeCloseTo(DEFAULT_BILATERAL_GRID.sigmaSpatial * s, 9);
    expect(p.protectArea).toBe(Math.round(500 * s * s));
  });

  it('a thin part protected at 480p stays protected at 1080p (the unscaled area would let the CRF change it)', () => {
    const small = lineScene(854, 480, 2);
    expect(small.line.length).toBeLessThan(SNAP_PROTECT_AREA);
    const large = lineScene(1920, 1080, 2 * snapScale(1920, 1080));
    expect(large.line.length).toBeGreaterThan(SNAP_PROTECT_AREA);
    for (const { soft, frame, line } of [small, large]) {
      const snapped = snapSoftMap(soft, frame, 'crf');
      for (const i of line) expect(snapped.data[i]).toBe(soft.data[i]);
    }
    // Without the scaling the line is an ordinary component the CRF moves.
    const unscaled = denseCrf(large.soft, large.frame);
    expect(
      Math.max(...large.line.map((i) => Math.abs(unscaled.data[i]! - large.soft.data[i]!))),
    ).toBeGreaterThan(0.05);
  });
});
