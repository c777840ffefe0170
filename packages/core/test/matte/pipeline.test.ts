import { makeFloatMatte, type FloatMatte } from '../../src/matte/matte';
import { guidedFilter } from '../../src/matte/guided-filter';
import {
  createMatteProcessor,
  dropStrayIslands,
  processFrame,
  SNAP_PROTECT_AREA,
  snapSoftMap,
} from '../../src/matte/pipeline';
import { createTemporalSmoother } from '../../src/matte/temporal-smoothing';
import { makeRgbFrame } from '../../src/video/frame';

const W = 30;
const H = 20;
const frame = makeRgbFrame(new Uint8Array(W * H * 3).fill(128), W, H);
const constant = (v: number): FloatMatte => makeFloatMatte(new Float32Array(W * H).fill(v), W, H);

/** A 10x10 square of value `v` with a 2x2 hole and a lone pixel elsewhere. */
function squareWithDefects(v = 0.9): FloatMatte {
  const m = constant(0.1);
  for (let y = 5; y < 15; y++) for (let x = 5; x < 15; x++) m.data[y * W + x] = v;
  for (const i of [9 * W + 9, 9 * W + 10, 10 * W + 9, 10 * W + 10]) m.data[i] = 0.2;
  m.data[2 * W + 25] = 0.95;
  return m;
}
const area = (m: FloatMatte) => m.data.reduce((s, v) => s + v, 0);

describe('matte pipeline', () => {
  it('threshold, fill holes, drop islands, choke, expand and invert compose in the documented order', () => {
    const base = { edgeSnap: 'none' as const, dropIslandsRelative: 0 };
    expect(area(processFrame(squareWithDefects(), frame, base))).toBe(100 - 4 + 1);
    // By default islands under 5 % of the largest go: the lone pixel (1 < 0.05 × 96).
    expect(area(processFrame(squareWithDefects(), frame, { edgeSnap: 'none' }))).toBe(100 - 4);
    expect(
      area(processFrame(squareWithDefects(), frame, { ...base, fillHoles: 'all', dropIslands: 2 })),
    ).toBe(100);
    // Choke 1 after filling: 8x8; then expand 1: 10x10 minus the 4 corners.
    expect(
      area(processFrame(squareWithDefects(), frame, { ...base, fillHoles: 'all', dropIslands: 2, choke: 1 })),
    ).toBe(64);
    expect(
      area(
        processFrame(squareWithDefects(), frame, {
          ...base,
          fillHoles: 'all',
          dropIslands: 2,
          choke: 1,
          expand: 1,
        }),
      ),
    ).toBe(96);
    expect(
      area(
        processFrame(squareWithDefects(), frame, { ...base, fillHoles: 'all', dropIslands: 2, invert: true }),
      ),
    ).toBe(W * H - 100);
    expect(area(processFrame(squareWithDefects(0.6), frame, { ...base, threshold: 0.7 }))).toBe(1);
  });

  it('drops stray islands from the soft map before snapping, and in soft output too', () => {
    const soft = squareWithDefects(0.8);
    const cleaned = dropStrayIslands(soft, 0.5, 0.05);
    for (let i = 0; i < W * H; i++) expect(cleaned.data[i]).toBe(i === 2 * W + 25 ? 0 : soft.data[i]);
    expect(dropStrayIslands(soft, 0.5, 0)).toBe(soft);
    // Soft output keeps the network's values but not the stray island.
    const out = processFrame(soft, frame, { edgeSnap: 'none', soft: true });
    expect(out.data[2 * W + 25]).toBe(0);
    expect(out.data[7 * W + 7]).toBeCloseTo(0.8, 6);
    // With a snap: the CRF starts from the cleaned map, so the island cannot come back.
    const crf = processFrame(soft, frame, { edgeSnap: 'crf', dropIslandsRelative: 0.05 });
    expect(crf.data[2 * W + 25]).toBe(0);
  });

  it('soft output keeps the soft values, with filled holes at 1 and dropped islands at 0', () => {
    const soft = squareWithDefects(0.8);
    const out = processFrame(soft, frame, { edgeSnap: 'none', soft: true, fillHoles: 'all', dropIslands: 2 });
    expect(out.data[5 * W + 5]).toBeCloseTo(0.8, 6); // square: its own soft value
    expect(out.data[0]).toBeCloseTo(0.1, 6); // background: its own soft value
    expect(out.data[9 * W + 9]).toBe(1); // filled hole
    expect(out.data[2 * W + 25]).toBe(0); // dropped island
    const inv = processFrame(soft, frame, { edgeSnap: 'none', soft: true, invert: true });
    expect(inv.data[0]).toBeCloseTo(0.9, 6);
  });

  it('edge snapping leaves foreground components smaller than SNAP_PROTECT_AREA as drawn', () => {
    const soft = constant(0);
    for (let y = 8; y < 11; y++) for (let x = 8; x < 11; x++) soft.data[y * W + x] = 0.7; // 9 px blob
    expect(SNAP_PROTECT_AREA).toBeGreaterThan(9);
    // The filter alone averages the blob away on a flat frame…
    expect(guidedFilter(soft, frame).data[9 * W + 9]).toBeLessThan(0.5);
    // …the pipeline's snap keeps it, for every method.
    for (const method of ['guided', 'bilateral', 'crf'] as const) {
      expect(snapSoftMap(soft, frame, method).data[9 * W + 9]).toBeCloseTo(0.7, 6);
    }
  });

  it('rejects invalid options before touching pixels', () => {
    expect(() => processFrame(constant(0.5), frame, { choke: -1 })).toThrow(/choke/);
  });

  it('streams frames through temporal smoothing with the RGB frame attached', () => {
    const p = createMatteProcessor({ edgeSnap: 'none', temporalRadius: 1 });
    // Frames 0..2 with soft maps 1, 0, 0: frame 0 averages {1,0} = 0.5 → foreground at threshold 0.5.
    expect(p.push(0, constant(1), frame)).toEqual([]);
    const out1 = p.push(1, constant(0), frame);
    expect(out1.map((f) => f.frameIndex)).toEqual([0]);
    expect(area(out1[0]!.matte)).toBe(W * H);
    expect(out1[0]!.frame).toBe(frame);
    const out2 = p.push(2, constant(0), frame);
    expect(out2.map((f) => f.frameIndex)).toEqual([1]);
    expect(area(out2[0]!.matte)).toBe(0); // (1+0+0)/3 < 0.5
    expect(p.flush().map((f) => f.frameIndex)).toEqual([2]);
  });
});

describe('temporal smoother', () => {
  const value = (v: number) => makeFloatMatte(new Float32Array([v]), 1, 1);

  it('is the identity at radius 0 and averages the truncated window otherwise', () => {
    const id = createTemporalSmoother<null>(0);
    expect(id.push(5, value(0.3), null).map((f) => f.matte.data[0])).toEqual([Math.fround(0.3)]);
    const s = createTemporalSmoother<number>(2);
    const got: [number, number][] = [];
    for (let k = 0; k < 5; k++)
      for (const f of s.push(k, value(k), k)) got.push([f.frameIndex, f.matte.data[0]!]);
    for (const f of s.flush()) got.push([f.frameIndex, f.matte.data[0]!]);
    // Means of 0..4 over windows [0,2], [0,3], [0,4], [1,4], [2,4].
    expect(got.map((g) => g[0])).toEqual([0, 1, 2, 3, 4]);
    expect(got.map((g) => g[1])).toEqual([1, 1.5, 2, 2.5, 3]);
  });

  it('a gap in frame indices starts a new window; going backwards is an error', () => {
    const s = createTemporalSmoother<null>(1);
    s.push(0, value(1), null);
    const out = s.push(10, value(0), null);
    expect(out.map((f) => [f.frameIndex, f.matte.data[0]])).toEqual([[0, 1]]);
    expect(() => s.push(3, value(0), null)).toThrow(/increasing/);
  });
});
