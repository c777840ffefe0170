/** Order statistics for the lab's timings, one definition for every bench. */

function sorted(xs: readonly number[], what: string): number[] {
  if (xs.length === 0) throw new RangeError(`the ${what} of no values is undefined: the run timed nothing`);
  return [...xs].sort((a, b) => a - b);
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = sorted(xs, 'median');
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The value below which a share `p` (0–1) of the values lie (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  const s = sorted(xs, `${Math.round(p * 100)}th percentile`);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
