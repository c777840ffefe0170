/**
 * The parent's maps of frames already segmented, kept for later segmentation runs in one process.
 * The parent never changes, so once a correction has been fine-tuned only the fine-tuned network
 * has to run again: the parent's 1024² pass is most of a guided frame's time (BENCHMARKS.md,
 * "Speed of the guided presets"). Maps are keyed by the frame's content (SHA-1 of its pixels), its
 * size and the parent's input size, so a frame decoded again from its file or video finds its
 * map and a changed frame never does. The least recently used maps go first once the byte budget
 * is spent, so a clip whose maps overflow the budget and is re-segmented from start to end finds
 * none of them (each is dropped before it is needed again): the default holds about 160 frames at
 * 854×480 and 32 at 1080p (Float32 maps at frame size, kept exact so results never depend on the
 * cache).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { RgbFrame } from '../video/frame';

/** The default budget: about 160 parent maps of an 854×480 frame, 32 of a 1080p one. */
export const DEFAULT_PARENT_MAP_CACHE_BYTES = 256 * 1024 * 1024;

export interface ParentMapCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class ParentMapCache {
  private readonly maps: LRUCache<string, Float32Array>;
  private hits = 0;
  private misses = 0;

  /** @param maxBytes the memory the maps may take; 0 keeps none. */
  constructor(readonly maxBytes = DEFAULT_PARENT_MAP_CACHE_BYTES) {
    if (!Number.isFinite(maxBytes) || maxBytes < 0)
      throw new RangeError(`the parent map cache needs a byte budget of 0 or more, got ${maxBytes}`);
    this.maps = new LRUCache<string, Float32Array>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (map) => Math.max(1, map.byteLength),
    });
  }

  /**
   * The parent's map of `frame` at input size `resolution`: the stored one, or `compute()`'s,
   * stored for next time. The map is shared: callers read it and must not write to it.
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
      return stored;
    }
    this.misses++;
    const map = await compute();
    if (map.byteLength <= this.maxBytes) this.maps.set(key, map);
    return map;
  }

  get stats(): ParentMapCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.maps.size, bytes: this.maps.calculatedSize };
  }

  clear(): void {
    this.maps.clear();
  }
}

function keyOf(frame: RgbFrame, resolution: number): string {
  const digest = createHash('sha1').update(frame.data).digest('hex');
  return `${resolution}:${frame.width}x${frame.height}:${digest}`;
}
