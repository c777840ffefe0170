import {
  keepNearPieces,
  planPieceTrack,
  PieceTrack,
  PieceTrackOptionsError,
  type PieceTrackSource,
} from '../../src/matte/piece-track';
import { makeFloatMatte } from '../../src/matte/matte';

// DAVIS's frame size: the reach is the option's pixels per frame as given (8 by default).
const W = 854;
const H = 480;

/** A 0/1 mask with the listed squares [x0, y0, side] set. */
function squares(...boxes: [number, number, number][]): Uint8Array {
  const m = new Uint8Array(W * H);
  for (const [x0, y0, s] of boxes)
    for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) m[y * W + x] = 1;
  return m;
}

const at = (m: ArrayLike<number>, x: number, y: number) => m[y * W + x]!;

describe('keepNearPieces', () => {
  it('keeps the piece that moved a little and drops one that appeared far away', () => {
    const before = squares([100, 100, 40]);
    const now = squares([105, 100, 40], [300, 300, 40]);
    const kept = keepNearPieces(now, before, W, H, 1);
    expect(at(kept, 120, 120)).toBe(1);
    expect(at(kept, 320, 320)).toBe(0);
  });

  it('reaches further across a gap of several frames', () => {
    const before = squares([100, 100, 40]);
    // 20 px beyond the object's edge: out of reach for one frame (8 px), in reach for three (24 px).
    const now = squares([100, 100, 40], [160, 100, 20]);
    expect(at(keepNearPieces(now, before, W, H, 1), 165, 105)).toBe(0);
    expect(at(keepNearPieces(now, before, W, H, 3), 165, 105)).toBe(1);
  });

  it("reaches a share of a large object's diameter per frame", () => {
    const before = squares([100, 50, 300]); // equivalent diameter ~339 px: 0.1 of it ~34 px
    const now = squares([100, 50, 300], [425, 100, 20]); // 25 px beyond its edge
    expect(at(keepNearPieces(now, before, W, H, 1), 430, 105)).toBe(1);
    expect(at(keepNearPieces(now, before, W, H, 1, { diameterShare: 0 }), 430, 105)).toBe(0);
  });

  it('keeps the whole mask when no piece comes near (the object came back elsewhere)', () => {
    const before = squares([100, 100, 40]);
    const now = squares([500, 300, 40]);
    expect(keepNearPieces(now, before, W, H, 1)).toBe(now);
    expect(keepNearPieces(now, new Uint8Array(W * H), W, H, 1)).toBe(now);
  });

  it('keeps the whole mask when the kept pieces collapse under minKeptShare of the neighbour', () => {
    // The object swung out of reach; only a 10×10 scrap of it stayed near its old place.
    const before = squares([100, 100, 40]);
    const now = squares([135, 100, 10], [300, 100, 40]);
    expect(at(keepNearPieces(now, before, W, H, 1, { minKeptShare: 0 }), 320, 120)).toBe(0);
    expect(keepNearPieces(now, before, W, H, 1, { minKeptShare: 0.5 })).toBe(now);
    // Measured against the largest kept mask of the walk when one is given: a scrap that follows
    // a scrap is still a collapse from the object it was.
    const scrap = squares([135, 100, 10]);
    expect(at(keepNearPieces(now, scrap, W, H, 1, { minKeptShare: 0.5 }), 320, 120)).toBe(0);
    expect(keepNearPieces(now, scrap, W, H, 1, { minKeptShare: 0.5 }, 1600)).toBe(now);
  });

  it('refuses a negative or non-numeric option, naming it', () => {
    const m = squares([0, 0, 4]);
    expect(() => keepNearPieces(m, m, W, H, 1, { pixelsPerFrame: -1 })).toThrow(PieceTrackOptionsError);
    expect(() => keepNearPieces(m, m, W, H, 1, { diameterShare: Number.NaN })).toThrow(/diameterShare/);
  });
});

/** A clip whose masks are given per frame; records the order they were read in. */
function clip(masks: Map<number, Uint8Array>, annotated: number[]): PieceTrackSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    frames: [...masks.keys()],
    annotated,
    width: W,
    height: H,
    reads,
    readMask: (f) => {
      reads.push(f);
      return Promise.resolve(masks.get(f)!);
    },
  };
}

describe('planPieceTrack', () => {
  // The object moves 4 px a frame to the right; a distractor sits at (600, 300) in some frames.
  const object = (f: number) => [100 + 4 * f, 100, 40] as [number, number, number];
  const distractor: [number, number, number] = [600, 300, 40];

  it('cuts a distractor before and after the annotated frame, never the annotated frame itself', async () => {
    const masks = new Map<number, Uint8Array>();
    for (let f = 0; f < 10; f++)
      masks.set(f, [0, 1, 5, 8, 9].includes(f) ? squares(object(f), distractor) : squares(object(f)));
    const source = clip(masks, [5]);
    const track = await planPieceTrack(source);
    expect(track.cutFrames).toEqual([0, 1, 8, 9]);
    expect(track.cutArea(8)).toBe(40 * 40);
    expect(source.reads.filter((f) => f !== 5).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
  });

  it('tracks each frame from its nearest annotated frame', async () => {
    // The object is at A until frame 5; from frame 6 a piece at B shows too, and the editor's
    // frame 10 says the object is B. Annotated on 0 only, frame 8 follows A; on 0 and 10, it
    // follows B (nearer to 10).
    const A: [number, number, number] = [100, 100, 40];
    const B: [number, number, number] = [500, 300, 40];
    const masks = new Map<number, Uint8Array>();
    for (let f = 0; f <= 10; f++) masks.set(f, f <= 5 ? squares(A) : f < 10 ? squares(A, B) : squares(B));
    const soft8 = makeFloatMatte(Float32Array.from(masks.get(8)!), W, H);
    const fromFirst = await planPieceTrack(clip(masks, [0]));
    const fromBoth = await planPieceTrack(clip(masks, [0, 10]));
    expect(at(fromFirst.apply(8, soft8).data, 520, 320)).toBe(0);
    expect(at(fromFirst.apply(8, soft8).data, 120, 120)).toBe(1);
    expect(at(fromBoth.apply(8, soft8).data, 520, 320)).toBe(1);
    expect(at(fromBoth.apply(8, soft8).data, 120, 120)).toBe(0);
  });

  it('scales the reach by the frames between the tracked ones (every 4th frame)', async () => {
    // 6 px a frame: 24 px between stored frames, within 4 × 8 px.
    const masks = new Map<number, Uint8Array>();
    for (const f of [0, 4, 8, 12])
      masks.set(f, squares([100 + 6 * f, 100, 40], ...(f === 12 ? [distractor] : [])));
    const track = await planPieceTrack(clip(masks, [0]));
    expect(track.cutFrames).toEqual([12]);
    expect(track.cutArea(12)).toBe(40 * 40);
  });

  it('leaves soft values outside the cut pieces as they were, and a range without annotation uncut', async () => {
    const masks = new Map([
      [0, squares(object(0))],
      [1, squares(object(1), distractor)],
    ]);
    const soft = new Float32Array(W * H).fill(0.3);
    masks.get(1)!.forEach((v, i) => (soft[i] = v ? 0.9 : soft[i]!));
    const track = await planPieceTrack(clip(masks, [0]));
    const out = track.apply(1, makeFloatMatte(soft, W, H)).data;
    expect(at(out, 620, 320)).toBe(0); // the distractor
    expect(at(out, 110, 110)).toBeCloseTo(0.9); // the object
    expect(at(out, 400, 50)).toBeCloseTo(0.3); // the background's soft value
    expect((await planPieceTrack(clip(masks, []))).cutFrames).toEqual([]);
  });
});

describe('PieceTrack saved and loaded', () => {
  const distractor: [number, number, number] = [600, 300, 40];

  it('comes back from JSON clearing the same pixels, in a float map or an 8-bit one', async () => {
    const masks = new Map<number, Uint8Array>();
    for (let f = 0; f < 4; f++)
      masks.set(f, f >= 2 ? squares([100 + 4 * f, 100, 40], distractor) : squares([100 + 4 * f, 100, 40]));
    const track = await planPieceTrack(clip(masks, [0]));
    const loaded = PieceTrack.fromJSON(JSON.parse(JSON.stringify(track)));
    expect(loaded.cutFrames).toEqual([2, 3]);
    expect(loaded.cutArea(3)).toBe(40 * 40);
    const eight = new Uint8Array(W * H).fill(200);
    loaded.clearIn(3, eight);
    expect(at(eight, 610, 310)).toBe(0);
    expect(at(eight, 120, 120)).toBe(200);
    expect(eight.reduce((n, v) => n + (v === 0 ? 1 : 0), 0)).toBe(40 * 40);
    const soft = makeFloatMatte(new Float32Array(W * H).fill(0.8), W, H);
    expect(loaded.apply(3, soft).data).toEqual(track.apply(3, soft).data);
    // A frame the track does not cut, and a map of another size, are told apart.
    loaded.clearIn(1, eight.fill(7));
    expect(eight.every((v) => v === 7)).toBe(true);
    expect(() => loaded.clearIn(3, new Uint8Array(10))).toThrow(/854x480/);
  });

  it('refuses damaged JSON, naming what is wrong', () => {
    expect(() => PieceTrack.fromJSON(null)).toThrow(/not an object/);
    expect(() => PieceTrack.fromJSON({ width: 0, height: 4, cuts: {} })).toThrow(/width and height/);
    expect(() => PieceTrack.fromJSON({ width: 4, height: 4, cuts: { x: '' } })).toThrow(/frame "x"/);
    expect(() => PieceTrack.fromJSON({ width: 4, height: 4, cuts: { 1: 'AAAA' } })).toThrow(/pairs/);
    // One run of 17 pixels from 0 in a 16-pixel frame.
    const past = Buffer.alloc(8);
    past.writeUInt32LE(17, 4);
    expect(() => PieceTrack.fromJSON({ width: 4, height: 4, cuts: { 1: past.toString('base64') } })).toThrow(
      /past its 16 pixels/,
    );
  });
});
