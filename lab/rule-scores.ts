/**
 * J and F of several rules' masks, accumulated frame by frame, per sequence and as the mean of the
 * sequences, printed as the rule studies on stored soft maps report them (`colour-gate.ts`,
 * `piece-tracking.ts`).
 */
import { boundaryF, jaccard } from '@oneshot-roto/core';

export class RuleScores {
  private readonly perSeq = new Map<string, { J: number; F: number }[]>();
  private totals: { J: number; F: number }[];
  private frames = 0;

  constructor(private readonly labels: readonly string[]) {
    this.totals = labels.map(() => ({ J: 0, F: 0 }));
  }

  /** One frame: each rule's mask, in the order of the labels. */
  add(masks: readonly Uint8Array[], gt: Uint8Array, width: number, height: number): void {
    masks.forEach((m, k) => {
      this.totals[k]!.J += jaccard(m, gt, width, height);
      this.totals[k]!.F += boundaryF(m, gt, width, height);
    });
    this.frames++;
  }

  /** Closes a sequence's frames and prints its line. */
  endSequence(seq: string): void {
    const means = this.totals.map((t) => ({ J: t.J / this.frames, F: t.F / this.frames }));
    this.perSeq.set(seq, means);
    this.totals = this.labels.map(() => ({ J: 0, F: 0 }));
    this.frames = 0;
    process.stdout.write(
      `${seq}: ${this.labels.map((l, k) => `${l} ${means[k]!.J.toFixed(3)}/${means[k]!.F.toFixed(3)}`).join(' | ')}\n`,
    );
  }

  /** The mean of the sequences per rule, as a markdown table; `note` describes the frames. */
  printSummary(note: string): void {
    const all = [...this.perSeq.values()];
    process.stdout.write(`\n| rule | J mean | F mean | (${all.length} sequences, ${note})\n|---|---|---|\n`);
    this.labels.forEach((l, k) => {
      const J = all.reduce((a, s) => a + s[k]!.J, 0) / all.length;
      const F = all.reduce((a, s) => a + s[k]!.F, 0) / all.length;
      process.stdout.write(`| ${l} | ${J.toFixed(3)} | ${F.toFixed(3)} |\n`);
    });
  }
}
