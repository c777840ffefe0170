/**
 * Idempotent requests: the answer to each request id is remembered (bounded, oldest evicted), so a
 * client retrying after a lost ack gets the same answer and starts nothing twice. The same id
 * with a different body is a conflict.
 */
import { createHash } from 'node:crypto';

/** Hash of a message body independent of key order. */
export function hashMessage(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex').slice(0, 32);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

interface Entry {
  hash: string;
  answer: Promise<string>;
}

export class RequestCache {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly capacity = 5000) {}

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  set(id: string, hash: string, answer: Promise<string>): void {
    this.entries.set(id, { hash, answer });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  size(): number {
    return this.entries.size;
  }
}
