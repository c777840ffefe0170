/**
 * An async mutex per key: `run(key, fn)` calls `fn` once every earlier `run` of the same key has
 * settled, in call order; different keys run concurrently. Read-modify-write of a state file goes
 * through it so that two requests can't both read the old content and each write back only their
 * own change. A key's entry is dropped when its queue empties (no growth with the number of keys).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    // The tail never rejects: it settles when this holder releases, whatever `fn` did.
    const tail = previous ? previous.then(() => mine) : mine;
    this.tails.set(key, tail);
    if (previous) await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a holder or waiters (for tests and diagnostics). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
