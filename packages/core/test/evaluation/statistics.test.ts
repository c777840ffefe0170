import { decayBinIndices, meanStatistics, sequenceStatistics } from '../../src/evaluation/statistics';

describe('sequenceStatistics (DAVIS mean / recall / decay)', () => {
  it('constant perfect scores: M = 1, O = 1, D = 0', () => {
    expect(sequenceStatistics([1, 1, 1, 1, 1])).toEqual({ mean: 1, recall: 1, decay: 0 });
  });

  it('decay bins at round(linspace(1, n, 5)) − 1 with halves rounded up, overlapping at their ends', () => {
    // linspace(1, 8, 5) = 1, 2.75, 4.5, 6.25, 8 → 1, 3, 5, 6, 8 → minus 1
    expect(decayBinIndices(8)).toEqual([0, 2, 4, 5, 7]);
    expect(decayBinIndices(22)).toEqual([0, 5, 11, 16, 21]);
    expect(decayBinIndices(1)).toEqual([0, 0, 0, 0, 0]);
    expect(decayBinIndices(2)).toEqual([0, 0, 1, 1, 1]);
  });

  it('a falling sequence: first bin [0..2] minus last bin [5..7]; recall counts > 0.5 only', () => {
    const s = sequenceStatistics([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]);
    expect(s.mean).toBeCloseTo(0.55, 15);
    expect(s.recall).toBe(0.5); // 0.5 itself is not a success
    expect(s.decay).toBeCloseTo(0.8 - 0.3, 15);
  });

  it('short sequences: one frame → no decay; two frames → first minus second', () => {
    expect(sequenceStatistics([0.7])).toEqual({ mean: 0.7, recall: 1, decay: 0 });
    const two = sequenceStatistics([0.9, 0.4]);
    expect(two.decay).toBeCloseTo(0.5, 15);
    expect(two.recall).toBe(0.5);
  });

  it('improving quality gives a negative decay', () => {
    expect(sequenceStatistics([0, 0, 0, 0, 1, 1, 1, 1]).decay).toBeCloseTo(-1, 15);
  });

  it('NaN values are skipped by the means but count as failures in the recall (as numpy nanmean)', () => {
    const s = sequenceStatistics([1, NaN, 1, 0]);
    expect(s.mean).toBeCloseTo(2 / 3, 15);
    expect(s.recall).toBe(0.5);
  });

  it('no evaluated frames: NaN everywhere', () => {
    const s = sequenceStatistics([]);
    expect([s.mean, s.recall, s.decay].every(Number.isNaN)).toBe(true);
  });
});

describe('meanStatistics', () => {
  it('averages each statistic over sequences, skipping NaN', () => {
    expect(
      meanStatistics([
        { mean: 0.8, recall: 1, decay: 0.1 },
        { mean: 0.6, recall: 0.5, decay: NaN },
      ]),
    ).toEqual({ mean: 0.7, recall: 0.75, decay: 0.1 });
  });
});
