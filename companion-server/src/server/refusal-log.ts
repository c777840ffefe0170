/**
 * Refusal logging that a flood of bad requests cannot turn into a flood of log lines: at most
 * `perWindow` refusals are logged per window; the rest are counted and reported in one line
 * when the window ends.
 */
import type { Logger } from 'pino';

export class RefusalLog {
  private windowStart = 0;
  private logged = 0;
  private suppressed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly perWindow = 20,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  refused(fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = t;
      this.logged = 0;
    }
    if (this.logged < this.perWindow) {
      this.logged++;
      this.log.warn(fields, msg);
      return;
    }
    this.suppressed++;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.windowStart + this.windowMs - t));
      this.timer.unref();
    }
  }

  /** Reports the refusals counted but not logged (also called on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    this.log.warn(
      { suppressed: this.suppressed, windowMs: this.windowMs },
      `${this.suppressed} more refusals not logged (at most ${this.perWindow} per ${this.windowMs / 1000} s)`,
    );
    this.suppressed = 0;
  }
}
