/**
 * Piece tracking: a frame's mask keeps only the pieces (connected components) that come within
 * reach of the object's mask in the neighbouring frame, walking out from every annotated frame.
 * A piece that appears far from where the object was — a distractor of the object's colours
 * growing into view, which both the parent and the fine-tuned networks mark (BENCHMARKS.md,
 * "Motorbike") — is cleared from the soft map before the matte is finished.
 *
 * This is the one stage where a frame's matte depends on other frames: the networks still
 * segment every frame on its own, in any order, and the track runs over the finished soft maps
 * of a range (a render, `segment`, an evaluation). Each frame follows its nearest annotated frame
 * (forward from the one before it, backward from the one after it), so a correction re-anchors
 * the frames around it. Where a frame would keep nothing, it keeps its whole mask (the object
 * came back somewhere else) and the track goes on from there.
 */
import { labelComponents } from './components';
import { squaredDistanceTo } from './distance-transform';
import { SNAP_REFERENCE_SIZE } from './frame-scale';
import { assertSameSize, binarize, makeFloatMatte, type FloatMatte } from './matte';
import { pinSoftMap, type PinnedPixels } from './pinned';

export interface PieceTrackOptions {
  /**
   * How far a piece may be from the neighbouring frame's mask, in pixels per frame of an 854×480
   * frame (scaled with the frame's diagonal; times the frames between two tracked frames).
   * Default 8.
   */
  pixelsPerFrame: number;
  /**
   * Or this share of the neighbouring mask's equivalent diameter per frame, whichever is larger:
   * a large or close object moves more pixels. Default 0.1.
   */
  diameterShare: number;
  /**
   * Keep the whole mask where the kept pieces come to less than this share of the largest kept
   * mask since the annotated frame (in `planPieceTrack`; of the neighbour's in `keepNearPieces`
   * alone): an object that shrinks that much is more likely the track losing it (a fast swing
   * carries it out of reach piece by piece) than the object itself. 0: off.
   */
  minKeptShare: number;
}

/** Chosen on the training subset's every-frame maps (BENCHMARKS.md, "Piece tracking"). */
export const DEFAULT_PIECE_TRACK: Readonly<PieceTrackOptions> = {
  pixelsPerFrame: 8,
  diameterShare: 0.1,
  minKeptShare: 0.3,
};

export class PieceTrackOptionsError extends RangeError {
  override name = 'PieceTrackOptionsError';
}

function resolve(options: Partial<PieceTrackOptions>): PieceTrackOptions {
  const o = { ...DEFAULT_PIECE_TRACK, ...options };
  for (const [key, v] of Object.entries(o)) {
    if (!Number.isFinite(v) || v < 0)
      throw new PieceTrackOptionsError(`piece tracking ${key} must be a number >= 0, got ${String(v)}`);
  }
  return o;
}

function areaOf(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return n;
}

/**
 * The pieces of `mask` (0/1) that come within reach of `neighbour`, the object's kept mask `gap`
 * frames away; the whole `mask` when none does, when they are under `minKeptShare` of
 * `referenceArea` (default: the neighbour's area), or when `neighbour` is empty.
 */
export function keepNearPieces(
  mask: Uint8Array,
  neighbour: Uint8Array,
  width: number,
  height: number,
  gap: number,
  options: Partial<PieceTrackOptions> = {},
  referenceArea?: number,
): Uint8Array {
  const area = areaOf(neighbour);
  return keepNear(mask, neighbour, area, width, height, gap, resolve(options), referenceArea ?? area).kept;
}

/** `keepNearPieces` given the neighbour's area; also returns the kept area, which the walk carries on. */
function keepNear(
  mask: Uint8Array,
  neighbour: Uint8Array,
  area: number,
  width: number,
  height: number,
  gap: number,
  o: PieceTrackOptions,
  referenceArea: number,
): { kept: Uint8Array; keptArea: number } {
  if (area === 0) return { kept: mask, keptArea: areaOf(mask) };
  const scale = Math.hypot(width, height) / Math.hypot(SNAP_REFERENCE_SIZE.width, SNAP_REFERENCE_SIZE.height);
  const perFrame = Math.max(o.pixelsPerFrame * scale, o.diameterShare * Math.sqrt((4 * area) / Math.PI));
  const reach2 = (Math.max(1, gap) * perFrame) ** 2;
  const d2 = squaredDistanceTo(neighbour, width, height, 1);
  const pieces = labelComponents(mask, width, height, 1, 8);
  const near = new Uint8Array(pieces.areas.length);
  for (let i = 0; i < mask.length; i++) {
    const l = pieces.labels[i]!;
    if (l >= 0 && d2[i]! <= reach2) near[l] = 1;
  }
  const kept = new Uint8Array(mask.length);
  let keptArea = 0;
  for (let i = 0; i < mask.length; i++) {
    const l = pieces.labels[i]!;
    if (l >= 0 && near[l]) {
      kept[i] = 1;
      keptArea++;
    }
  }
  return keptArea === 0 || keptArea < o.minKeptShare * referenceArea
    ? { kept: mask, keptArea: areaOf(mask) }
    : { kept, keptArea };
}

export interface PieceTrackSource {
  /** The frames of the range, in any order (each is tracked from its neighbours in the range). */
  frames: readonly number[];
  /** Frames whose masks are the editor's: the tracks start there and never cut them. */
  annotated: Iterable<number>;
  width: number;
  height: number;
  /** A frame's mask (0/1, `width`×`height`) as the matte thresholds it, painted pixels applied. */
  readMask(frame: number): Promise<Uint8Array>;
}

/** A PieceTrack as JSON: each cut frame's runs as base64 of little-endian uint32 (start, length) pairs. */
export interface PieceTrackJson {
  width: number;
  height: number;
  cuts: Record<string, string>;
}

/**
 * Which pixels of each frame the track clears, kept as runs (start, length) of pixel indices:
 * a few kilobytes for a frame with a cut piece and nothing for most frames, so a long clip's
 * plan holds in memory where its masks would not.
 */
export class PieceTrack {
  readonly #cuts: Map<number, Uint32Array>;

  constructor(
    cuts: Map<number, Uint32Array>,
    readonly width: number,
    readonly height: number,
  ) {
    this.#cuts = cuts;
  }

  /** A track saved with `toJSON`; throws a TypeError naming what is wrong with a damaged one. */
  static fromJSON(json: unknown): PieceTrack {
    const bad = (what: string): never => {
      throw new TypeError(`not a saved piece track: ${what}`);
    };
    const j = (
      typeof json === 'object' && json !== null ? json : bad('not an object')
    ) as Partial<PieceTrackJson>;
    const { width, height, cuts } = j;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width! <= 0 || height! <= 0)
      bad(`width and height must be positive integers, got ${String(width)} and ${String(height)}`);
    if (typeof cuts !== 'object' || cuts === null) bad('no cuts');
    const pixels = width! * height!;
    const map = new Map<number, Uint32Array>();
    for (const [key, value] of Object.entries(cuts!)) {
      const frame = Number(key);
      if (!Number.isInteger(frame) || frame < 0) bad(`frame "${key}" is not a frame index`);
      if (typeof value !== 'string') bad(`frame ${key}'s runs are not a string`);
      const bytes = Buffer.from(value, 'base64');
      if (bytes.length % 8 !== 0) bad(`frame ${key}'s runs are not (start, length) pairs`);
      const runs = new Uint32Array(bytes.length / 4);
      for (let k = 0; k < runs.length; k++) runs[k] = bytes.readUInt32LE(4 * k);
      for (let k = 0; k < runs.length; k += 2)
        if (runs[k]! + runs[k + 1]! > pixels) bad(`frame ${key}'s runs reach past its ${pixels} pixels`);
      map.set(frame, runs);
    }
    return new PieceTrack(map, width!, height!);
  }

  toJSON(): PieceTrackJson {
    const cuts: Record<string, string> = {};
    for (const [frame, runs] of this.#cuts) {
      const bytes = Buffer.alloc(runs.length * 4);
      runs.forEach((v, k) => bytes.writeUInt32LE(v, 4 * k));
      cuts[String(frame)] = bytes.toString('base64');
    }
    return { width: this.width, height: this.height, cuts };
  }

  /** Frames where the track clears a piece, ascending. */
  get cutFrames(): number[] {
    return [...this.#cuts.keys()].sort((a, b) => a - b);
  }

  /** Pixels the track clears in `frame`. */
  cutArea(frame: number): number {
    const runs = this.#cuts.get(frame);
    let n = 0;
    for (let k = 1; runs && k < runs.length; k += 2) n += runs[k]!;
    return n;
  }

  /** Sets the pixels the track clears in `frame` to 0, in place (any map of the frame's size). */
  clearIn(frame: number, pixels: Uint8Array | Float32Array): void {
    const runs = this.#cuts.get(frame);
    if (!runs) return;
    if (pixels.length !== this.width * this.height)
      throw new RangeError(
        `piece track: frame ${frame} has ${pixels.length} pixels, the track was planned at ${this.width}x${this.height}`,
      );
    for (let k = 0; k < runs.length; k += 2) pixels.fill(0, runs[k], runs[k]! + runs[k + 1]!);
  }

  /** The frame's soft map with the cut pieces at 0 (the same map where nothing is cut). */
  apply(frame: number, soft: FloatMatte): FloatMatte {
    if (!this.#cuts.has(frame)) return soft;
    assertSameSize(soft, { width: this.width, height: this.height }, 'piece track');
    const out = soft.data.slice();
    this.clearIn(frame, out);
    return makeFloatMatte(out, soft.width, soft.height);
  }
}

function cutRuns(mask: Uint8Array, kept: Uint8Array): Uint32Array | undefined {
  const runs: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || kept[i]) continue;
    const start = i;
    while (i + 1 < mask.length && mask[i + 1] && !kept[i + 1]) i++;
    runs.push(start, i - start + 1);
  }
  return runs.length > 0 ? Uint32Array.from(runs) : undefined;
}

/**
 * Tracks the pieces of every frame of `source.frames` from its nearest annotated frame in the
 * range (ties go forward, from the earlier one). A range without an annotated frame is left as it
 * is. Each mask is read once; two are held at a time.
 */
export async function planPieceTrack(
  source: PieceTrackSource,
  options: Partial<PieceTrackOptions> = {},
): Promise<PieceTrack> {
  const o = resolve(options);
  const { width, height } = source;
  const frames = [...new Set(source.frames)].sort((a, b) => a - b);
  const annotatedSet = new Set(source.annotated);
  const anchors = frames.map((f, k) => (annotatedSet.has(f) ? k : -1)).filter((k) => k >= 0);
  const cuts = new Map<number, Uint32Array>();
  // Walks from position `from` (an anchor) over positions `to`, each tracked from the one before.
  const walk = async (from: number, to: number[]): Promise<void> => {
    if (to.length === 0) return;
    let neighbour = await source.readMask(frames[from]!);
    let at = frames[from]!;
    let area = areaOf(neighbour);
    let largest = area;
    for (const k of to) {
      const mask = await source.readMask(frames[k]!);
      const gap = Math.abs(frames[k]! - at);
      const { kept, keptArea } = keepNear(mask, neighbour, area, width, height, gap, o, largest);
      largest = Math.max(largest, keptArea);
      const runs = kept === mask ? undefined : cutRuns(mask, kept);
      if (runs) cuts.set(frames[k]!, runs);
      neighbour = kept;
      area = keptArea;
      at = frames[k]!;
    }
  };
  const range = (a: number, b: number): number[] =>
    a <= b
      ? Array.from({ length: b - a + 1 }, (_, i) => a + i)
      : Array.from({ length: a - b + 1 }, (_, i) => a - i);
  for (let j = 0; j < anchors.length; j++) {
    const a = anchors[j]!;
    const prev = anchors[j - 1];
    const next = anchors[j + 1];
    // Backward from `a` to the middle of the gap before it (the whole start before the first).
    let lo = 0;
    if (prev !== undefined) {
      lo = a;
      while (lo - 1 > prev && frames[a]! - frames[lo - 1]! < frames[lo - 1]! - frames[prev]!) lo--;
    }
    // Forward from `a` up to and including the middle of the gap after it.
    let hi = frames.length - 1;
    if (next !== undefined) {
      hi = a;
      while (hi + 1 < next && frames[hi + 1]! - frames[a]! <= frames[next]! - frames[hi + 1]!) hi++;
    }
    await walk(a, lo < a ? range(a - 1, lo) : []);
    await walk(a, hi > a ? range(a + 1, hi) : []);
  }
  return new PieceTrack(cuts, width, height);
}

export interface SoftMapTrackSource {
  /** The frames of the range, in any order. */
  frames: readonly number[];
  /** The editor's masks by frame (0/1, other values open): the tracks start from these frames. */
  annotations: ReadonlyMap<number, PinnedPixels>;
  width: number;
  height: number;
  /** The matte's threshold: a frame's mask is its soft map at it, painted pixels applied. */
  threshold: number;
  readSoft(frame: number): Promise<FloatMatte>;
}

/** `planPieceTrack` over a range's soft maps, as the matte's consumers (render, segment, eval) have them. */
export function planSoftMapTrack(
  source: SoftMapTrackSource,
  options: Partial<PieceTrackOptions> = {},
): Promise<PieceTrack> {
  const { annotations, threshold } = source;
  return planPieceTrack(
    {
      frames: source.frames,
      annotated: annotations.keys(),
      width: source.width,
      height: source.height,
      readMask: async (frame) => {
        const soft = await source.readSoft(frame);
        const painted = annotations.get(frame);
        return binarize(painted ? pinSoftMap(soft, painted) : soft, threshold);
      },
    },
    options,
  );
}
