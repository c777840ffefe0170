/**
 * Rasterises annotations on worker threads so that a large mask never blocks the event loop:
 * /health, other clients and other requests are answered while it is painted. Tasks queue for a
 * fixed number of threads; a thread that dies (out of memory, crash) or runs past the timeout is
 * replaced and its task fails alone.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Stroke } from '@oneshot-roto/protocol';
import { RasterizeError, type LabelCounts } from './rasterize';

export interface RasterRequest {
  id: number;
  strokes: readonly Stroke[];
  width: number;
  height: number;
  space?: { width: number; height: number };
  base?: Uint8Array;
}

export type RasterReply =
  | ({ id: number; ok: true; mask: Uint8Array } & LabelCounts)
  | { id: number; ok: false; invalid: boolean; message: string };

/** The mask (0 background, 1 object, DONT_CARE open) and its pixels by label. */
export interface RasterResult extends LabelCounts {
  mask: Uint8Array;
}

export interface RasterPoolOptions {
  /** Threads (default 1: the budget keeps one mask to about a second). */
  threads?: number;
  /** A task running longer is abandoned and its thread replaced (default 120 s). */
  timeoutMs?: number;
  /** Heap cap per thread, MiB (default 1024: two 8K masks and change). */
  maxHeapMb?: number;
}

interface Task {
  request: RasterRequest;
  resolve(r: RasterResult): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  timer?: NodeJS.Timeout;
}

/**
 * Compiled, the worker is dist/…/raster-worker.js. From sources (ts-jest, tsx) it is the .ts,
 * loaded through tsx's CommonJS hook (a worker's `--import tsx` does not reach its entry on Node 20).
 */
function spawnWorker(options: { resourceLimits: { maxOldGenerationSizeMb: number } }): Worker {
  if (!__filename.endsWith('.ts'))
    return new Worker(join(__dirname, 'raster-worker.js'), { ...options, stdout: false, stderr: false });
  const entry = join(__dirname, 'raster-worker.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`, {
    ...options,
    eval: true,
    stdout: false,
    stderr: false,
  });
}

export class RasterPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly threads: number;
  private readonly timeoutMs: number;
  private readonly maxHeapMb: number;

  constructor(options: RasterPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? 1);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxHeapMb = options.maxHeapMb ?? 1024;
  }

  /** Rasterises on a worker thread; rejects with RasterizeError for invalid strokes. */
  rasterize(request: Omit<RasterRequest, 'id'>): Promise<RasterResult> {
    if (this.closed) return Promise.reject(new Error('the raster pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { ...request, id: this.nextId++ }, resolve, reject });
      this.pump();
    });
  }

  /** Tasks waiting or running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.task).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('the server is shutting down'));
    await Promise.all(
      this.slots.splice(0).map((s) => this.retire(s, new Error('the server is shutting down'))),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.task);
      if (!slot) {
        if (this.slots.length >= this.threads) return;
        slot = this.spawn();
      }
      const task = this.queue.shift()!;
      slot.task = task;
      slot.timer = setTimeout(() => {
        void this.replace(slot, new Error(`rasterising took longer than ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      const { base } = task.request;
      slot.worker.postMessage(task.request, base ? [base.buffer as ArrayBuffer] : []);
    }
  }

  private spawn(): Slot {
    const worker = spawnWorker({ resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (reply: RasterReply) => {
      const task = slot.task;
      if (!task || task.request.id !== reply.id) return;
      clearTimeout(slot.timer);
      slot.task = undefined;
      if (reply.ok) {
        const { id: _id, ok: _ok, ...result } = reply;
        task.resolve(result);
      } else task.reject(reply.invalid ? new RasterizeError(reply.message) : new Error(reply.message));
      this.pump();
    });
    const onDeath = (err: Error) => {
      if (!this.slots.includes(slot)) return;
      void this.replace(slot, err);
    };
    worker.on('error', onDeath);
    worker.on('exit', (code) => onDeath(new Error(`the raster worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** Fails the slot's task, terminates its thread and lets the queue move on with a fresh one. */
  private async replace(slot: Slot, err: Error): Promise<void> {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    await this.retire(slot, err);
    if (!this.closed) this.pump();
  }

  private async retire(slot: Slot, err: Error): Promise<void> {
    clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = undefined;
    task?.reject(err);
    await slot.worker.terminate().catch(() => undefined);
  }
}
