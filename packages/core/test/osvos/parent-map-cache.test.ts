/**
 * The parent map cache (osvos/parent-map-cache.ts): maps found again by a frame's content, never
 * for a changed frame or another parent size, the byte budget kept without losing a long clip's
 * maps to its own re-render; and with the real networks, a second segmentation run (a correction
 * round loads its segmenter afresh) reads the parent's map from the cache, without loading the
 * parent, and returns exactly what running the parent again would; the guide's measurement on an
 * annotated frame reads it too.
 */
import { readMask } from '../../src/video/mask-io';
import { createOneShotMethod } from '../../src/osvos/one-shot';
import { ParentMapCache } from '../../src/osvos/parent-map-cache';
import { measureParentGuide, ParentGuidedSegmenter } from '../../src/osvos/parent-guide';
import { resolveSettings } from '../../src/osvos/presets';
import { openFrameSource } from '../../src/video/open-frame-source';
import { sampleClip } from '../../src/video/sample-clip';
import { makeRgbFrame, type RgbFrame } from '../../src/video/frame';
import { silenceLogs } from '../model/fixtures';
import path from 'node:path';

silenceLogs();

function frame(seed: number, width = 8, height = 4): RgbFrame {
  return makeRgbFrame(
    Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7 + seed) & 255),
    width,
    height,
  );
}

/** A stand-in for the parent's pass that counts its runs; its map is the frame's first bytes. */
function countingParent() {
  const calls: number[] = [];
  const run = (f: RgbFrame, tag: number) => async () => {
    calls.push(tag);
    return Float32Array.from({ length: f.width * f.height }, (_, i) => f.data[i]! / 255);
  };
  return { calls, run };
}

describe('ParentMapCache', () => {
  it('finds a map again by the frame content, in a new buffer, and not for a changed frame or another size', async () => {
    const cache = new ParentMapCache();
    const parent = countingParent();
    const a = frame(1);
    const first = await cache.mapOf(a, 1024, parent.run(a, 1));
    // The same pixels decoded again: a new buffer, the same content.
    const again = makeRgbFrame(Uint8Array.from(a.data), a.width, a.height);
    expect(await cache.mapOf(again, 1024, parent.run(again, 2))).toBe(first);
    // One pixel changed, or the parent at another input size: run again.
    const changed = makeRgbFrame(Uint8Array.from(a.data), a.width, a.height);
    changed.data[5] = changed.data[5]! ^ 1;
    await cache.mapOf(changed, 1024, parent.run(changed, 3));
    await cache.mapOf(a, 768, parent.run(a, 4));
    expect(parent.calls).toEqual([1, 3, 4]);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 3, notKept: 0, entries: 3, bytes: 3 * 32 * 4 });
  });

  it('keeps the frames that fit when a clip overflows the budget, so a re-render finds them', async () => {
    // Room for two 32-value maps; a clip of four frames segmented twice, start to end.
    const cache = new ParentMapCache({ maxBytes: 2 * 32 * 4, now: () => 0 });
    const parent = countingParent();
    const clip = [frame(1), frame(2), frame(3), frame(4)];
    for (const round of [1, 2])
      for (const [k, f] of clip.entries()) await cache.mapOf(f, 1024, parent.run(f, 10 * round + k));
    // A plain LRU would have dropped frames 0 and 1 for 2 and 3, and 2 and 3 for 0 and 1 again.
    expect(parent.calls).toEqual([10, 11, 12, 13, 22, 23]);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 6, notKept: 4, entries: 2 });
    expect(cache.stats.bytes).toBeLessThanOrEqual(2 * 32 * 4);
  });

  it('makes room from maps unused for a while (another clip), least recently used first', async () => {
    let clock = 0;
    const cache = new ParentMapCache({ maxBytes: 2 * 32 * 4, staleAfterMs: 1000, now: () => clock });
    const parent = countingParent();
    const [a, b, c, d] = [frame(1), frame(2), frame(3), frame(4)];
    await cache.mapOf(a, 1024, parent.run(a, 1));
    await cache.mapOf(b, 1024, parent.run(b, 2));
    clock = 500;
    await cache.mapOf(a, 1024, parent.run(a, 0)); // a used again: b is the least recent
    clock = 1600; // b unused for 1600 ms, a for 1100: both stale
    await cache.mapOf(c, 1024, parent.run(c, 3)); // b goes, a stays
    await cache.mapOf(a, 1024, parent.run(a, 0));
    await cache.mapOf(b, 1024, parent.run(b, 4)); // no stale map left (a, c just used): not kept
    await cache.mapOf(d, 1024, parent.run(d, 5));
    expect(parent.calls).toEqual([1, 2, 3, 4, 5]);
    expect(cache.stats).toMatchObject({ hits: 2, entries: 2, notKept: 2 });
  });

  it('keeps nothing at a budget of 0', async () => {
    const none = new ParentMapCache({ maxBytes: 0 });
    const parent = countingParent();
    const a = frame(1);
    await none.mapOf(a, 1024, parent.run(a, 5));
    await none.mapOf(a, 1024, parent.run(a, 6));
    expect(parent.calls).toEqual([5, 6]);
    expect(none.stats).toMatchObject({ hits: 0, misses: 2, entries: 0 });
  });

  it('refuses a budget that is not a number of bytes', () => {
    expect(() => new ParentMapCache({ maxBytes: -1 })).toThrow(/byte budget of 0 or more, got -1/);
    expect(() => new ParentMapCache({ maxBytes: Number.NaN })).toThrow(/byte budget/);
    expect(() => new ParentMapCache({ staleAfterMs: -5 })).toThrow(/staleAfterMs must be 0 or more/);
  });
});

describe('a correction round with the parent map cache (real networks)', () => {
  it('segments a frame seen before without loading the parent, exactly as with it, and measures the guide from it', async () => {
    const sample = sampleClip();
    // `fast` as it is (guided by the parent at 1024²), fine-tuned briefly at 128² for speed.
    const settings = resolveSettings('fast', {
      resolution: 128,
      iterations: 10,
      timeBudgetSeconds: 1e6,
      augmentationsPerAnnotation: 2,
    });
    const cache = new ParentMapCache();
    const cached = createOneShotMethod({ parentMaps: cache });
    const uncached = createOneShotMethod({ parentMaps: new ParentMapCache({ maxBytes: 0 }) });
    const source = await openFrameSource(sample.framesDir);
    try {
      const m = await readMask(path.join(sample.annotationsDir, '00000.png'));
      const annotations = [{ frameIndex: 0, mask: m.data, width: m.width, height: m.height }];
      const { weights } = await cached.fineTune(source, annotations, settings);
      // Measuring the guide ran the parent on the annotated frame 0 and kept its map.
      expect(cache.stats).toMatchObject({ hits: 0, misses: 1, entries: 1 });
      const segmentOnce = async (method: typeof cached) => {
        const segmenter = await method.segmenter(weights);
        try {
          const map = await segmenter.predict(await source.readFrame(4));
          return { map, parentLoaded: (segmenter as ParentGuidedSegmenter).parentLoaded };
        } finally {
          await segmenter.dispose();
        }
      };
      const first = await segmentOnce(cached);
      expect(cache.stats).toMatchObject({ hits: 0, misses: 2, entries: 2 });
      expect(first.parentLoaded).toBe(true);
      // The next round loads its segmenter afresh and decodes the frame again: the parent
      // network is not even loaded.
      const second = await segmentOnce(cached);
      expect(cache.stats).toMatchObject({ hits: 1, misses: 2 });
      expect(second.parentLoaded).toBe(false);
      const direct = await segmentOnce(uncached);
      expect(direct.parentLoaded).toBe(true);
      expect(Array.from(second.map)).toEqual(Array.from(first.map));
      expect(Array.from(second.map)).toEqual(Array.from(direct.map));
      // A correction's guide is measured from the cache on frames seen before, as without it.
      const frames = new Map([[0, await source.readFrame(0)]]);
      const options = { resolution: 1024, share: settings.parentGuideShare };
      const fromCache = await measureParentGuide(frames, annotations, { ...options, parentMaps: cache });
      expect(cache.stats).toMatchObject({ hits: 2, misses: 2 });
      expect(fromCache).toEqual(await measureParentGuide(frames, annotations, options));
      expect(fromCache).toEqual(weights.parentGuide);
    } finally {
      await source.close();
    }
  }, 600_000);
});
