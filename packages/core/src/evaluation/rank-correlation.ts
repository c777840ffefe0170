/** Spearman's rank correlation: how well one measure orders items as another does. */

/** Ranks 1..n, ties sharing their mean rank. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = mean;
    i = j + 1;
  }
  return out;
}

/**
 * Spearman's ρ of paired values (Pearson correlation of their ranks, ties averaged); undefined
 * when fewer than 3 pairs or when either side is constant (no order to compare).
 */
export function spearman(a: readonly number[], b: readonly number[]): number | undefined {
  if (a.length !== b.length)
    throw new RangeError(`spearman needs paired values, got ${a.length} and ${b.length}`);
  if (a.length < 3) return undefined;
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const x = ra[i]! - mean;
    const y = rb[i]! - mean;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? undefined : sab / Math.sqrt(saa * sbb);
}
