/**
 * The parent's maps of frames already segmented, kept for later segmentation runs in one process.
 * The parent never changes, so once a correction has been fine-tuned only the fine-tuned network
 * has to run again: the parent's 1024² pass is most of a guided frame's time (BENCHMARKS.md,
 * "Speed of the guided presets"). Maps are keyed by the frame's content (SHA-1 of its pixels), its
 * size and the parent's input size, so a frame decoded again from its file or video finds its
 * map and a changed frame never does. They are the parent's Float32 values at frame size, so a
 * result never depends on the cache.
 *
 * When the budget is spent, room is made only from maps unused for `staleAfterMs` (another clip,
 * an earlier session), least recently used first; otherwise a new map is not kept. A plain LRU
 * would drop every map of a clip longer than the budget just before its re-render needs it; this
 * way the re-render finds the frames that fit (about 160 at 854×480, 32 at 1080p by default).
 */
import { createHash } from 'node:crypto';
import type { RgbFrame } from '../video/frame';

export const DEFAULT_PARENT_MAP_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_PARENT_MAP_STALE_MS = 10 * 60 * 1000;

export interface ParentMapCacheOptions {
  /** The memory the maps may take (default DEFAULT_PARENT_MAP_CACHE_BYTES); 0 keeps none. */
  maxBytes?: number;
  /** A map unused this long may make room for a new one (default 10 minutes). */
  staleAfterMs?: number;
  /** The clock, in milliseconds (tests). */
  now?: () => number;
}

export interface ParentMapCacheStats {
  hits: number;
  misses: number;
  /** Maps computed but not kept: the budget was full of maps in use. */
  notKept: number;
  entries: number;
  bytes: number;
}

interface Entry {
  map: Float32Array;
  usedAt: number;
}

export class ParentMapCache {
  readonly maxBytes: number;
  readonly staleAfterMs: number;
  private readonly now: () => number;
  /** In order of last use, least recent first (a hit moves its entry to the end). */
  private readonly maps = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private notKept = 0;

  constructor(options: ParentMapCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_PARENT_MAP_CACHE_BYTES;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_PARENT_MAP_STALE_MS;
    this.now = options.now ?? Date.now;
    if (!Number.isFinite(this.maxBytes) || this.maxBytes < 0)
      throw new RangeError(`the parent map cache needs a byte budget of 0 or more, got ${this.maxBytes}`);
    if (!(this.staleAfterMs >= 0))
      throw new RangeError(`staleAfterMs must be 0 or more milliseconds, got ${this.staleAfterMs}`);
  }

  /**
   * The parent's map of `frame` at input size `resolution`: the stored one, or `compute()`'s,
   * stored for next time when there is room. The map is shared: read it, do not write to it.
   */
  async mapOf(
    frame: RgbFrame,
    resolution: number,
    compute: () => Promise<Float32Array>,
  ): Promise<Float32Array> {
    if (this.maxBytes === 0) {
      this.misses++;
      return compute();
    }
    const key = keyOf(frame, resolution);
    const stored = this.maps.get(key);
    if (stored) {
      this.hits++;
      this.maps.delete(key);
      stored.usedAt = this.now();
      this.maps.set(key, stored);
      return stored.map;
    }
    this.misses++;
    const map = await compute();
    this.keep(key, map);
    return map;
  }

  get stats(): ParentMapCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      notKept: this.notKept,
      entries: this.maps.size,
      bytes: this.bytes,
    };
  }

  clear(): void {
    this.maps.clear();
    this.bytes = 0;
  }

  private keep(key: string, map: Float32Array): void {
    const size = map.byteLength;
    const now = this.now();
    for (const [k, e] of this.maps) {
      if (this.bytes + size <= this.maxBytes) break;
      // Entries are in order of last use: once one is recent, all after it are.
      if (now - e.usedAt < this.staleAfterMs) break;
      this.maps.delete(k);
      this.bytes -= e.map.byteLength;
    }
    if (this.bytes + size > this.maxBytes) {
      this.notKept++;
      return;
    }
    this.maps.set(key, { map, usedAt: now });
    this.bytes += size;
  }
}

function keyOf(frame: RgbFrame, resolution: number): string {
  const digest = createHash('sha1').update(frame.data).digest('hex');
  return `${resolution}:${frame.width}x${frame.height}:${digest}`;
}
