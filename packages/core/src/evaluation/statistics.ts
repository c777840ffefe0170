/**
 * Per-sequence statistics of a per-frame measure, as the official DAVIS 2016 `db_statistics`.
 *
 * `values` are the scores of the evaluated frames only: in the semi-supervised protocol the
 * first frame (given) and the last frame are excluded before calling this.
 */

export interface Statistics {
  /** M: mean of the per-frame values (NaN values skipped). */
  mean: number;
  /** O: fraction of frames scoring > 0.5. */
  recall: number;
  /** D: mean of the first quarter minus mean of the last quarter (positive = quality decays). */
  decay: number;
}

function nanmean(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

/**
 * Bin boundaries of the decay: round(linspace(1, n, 5)) − 1, with halves rounded up (the
 * official code adds 1e-10 before rounding). Bin k spans indices [ids[k], ids[k+1]] inclusive,
 * so neighbouring bins share their boundary frame.
 */
export function decayBinIndices(n: number): number[] {
  const ids: number[] = [];
  const step = (n - 1) / 4;
  for (let k = 0; k <= 4; k++) {
    const v = k === 4 ? n : 1 + k * step;
    ids.push(Math.round(v + 1e-10) - 1);
  }
  return ids;
}

/**
 * Mean, recall and decay of per-frame scores. Empty input gives NaN everywhere. (The official
 * code stores the bin indices as uint8, which wraps for sequences over 256 evaluated frames;
 * this implementation does not wrap.)
 */
export function sequenceStatistics(values: ArrayLike<number>): Statistics {
  const n = values.length;
  if (n === 0) return { mean: NaN, recall: NaN, decay: NaN };
  let above = 0;
  for (let i = 0; i < n; i++) if (values[i]! > 0.5) above++;
  const ids = decayBinIndices(n);
  const first = nanmean(values, ids[0], ids[1]! + 1);
  const last = nanmean(values, ids[3], ids[4]! + 1);
  return { mean: nanmean(values), recall: above / n, decay: first - last };
}

/** Mean of each statistic over sequences (NaN skipped), as the official summary row. */
export function meanStatistics(all: Statistics[]): Statistics {
  return {
    mean: nanmean(all.map((s) => s.mean)),
    recall: nanmean(all.map((s) => s.recall)),
    decay: nanmean(all.map((s) => s.decay)),
  };
}
