/**
 * Idempotent requests: the answer to each request id of a client is remembered (bounded, oldest
 * evicted), so a client retrying after a lost ack gets the same answer and starts nothing twice.
 * The same id with a different body from the same client is a conflict; other clients' ids are
 * theirs.
 */
import { createHash } from 'node:crypto';

/** Hash of a message body independent of key order. */
export function hashMessage(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 32);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

interface Entry {
  hash: string;
  answer: Promise<string>;
}

/**
 * Remembered answers by client scope, then by request id. A scope is one client: a named client
 * (`hello.clientId`, kept across reconnects) or one anonymous connection (forgotten when it
 * closes). Bounded per scope and in all; when full, the least recently used scope loses its
 * oldest answers first.
 */
export class RequestCache {
  /** In order of last use, least recent first. */
  private readonly scopes = new Map<string, Map<string, Entry>>();
  private total = 0;

  constructor(
    private readonly perScope = 1000,
    private readonly capacity = 5000,
  ) {}

  private use(scope: string): Map<string, Entry> | undefined {
    const entries = this.scopes.get(scope);
    if (entries) {
      this.scopes.delete(scope);
      this.scopes.set(scope, entries);
    }
    return entries;
  }

  get(scope: string, id: string): Entry | undefined {
    return this.use(scope)?.get(id);
  }

  set(scope: string, id: string, hash: string, answer: Promise<string>): void {
    let entries = this.use(scope);
    if (!entries) {
      entries = new Map();
      this.scopes.set(scope, entries);
    }
    if (entries.delete(id)) this.total--;
    entries.set(id, { hash, answer });
    this.total++;
    if (entries.size > this.perScope) this.dropOldest(scope, entries);
    while (this.total > this.capacity) {
      const [lru, lruEntries] = this.scopes.entries().next().value as [string, Map<string, Entry>];
      this.dropOldest(lru, lruEntries);
    }
  }

  private dropOldest(scope: string, entries: Map<string, Entry>): void {
    this.delete(scope, entries.keys().next().value as string);
  }

  delete(scope: string, id: string): void {
    const entries = this.scopes.get(scope);
    if (!entries?.delete(id)) return;
    this.total--;
    if (entries.size === 0) this.scopes.delete(scope);
  }

  /** Forgets a scope's answers (an anonymous connection that closed). */
  forget(scope: string): void {
    const entries = this.scopes.get(scope);
    if (!entries) return;
    this.total -= entries.size;
    this.scopes.delete(scope);
  }

  size(): number {
    return this.total;
  }
}
