/**
 * Segments the frames of a clip independently with the network (parent, fine-tuned or an ensemble), in any
 * order (the playhead's frame first), decoding ahead while the network runs so neither waits.
 */
import type { FrameEvidence } from '../confidence';
import type { FrameSegmenter } from '../model';
import type { FrameSource } from '../video/frame-source';
import type { RgbFrame } from '../video/frame';
import { OperationCancelledError } from './cancelled';
import { predictWithEvidence } from './frame-evidence';

export interface SegmentedFrame {
  /** Index within the opened clip range. */
  index: number;
  frame: RgbFrame;
  /** Foreground probability at frame size, 0..1. */
  probability: Float32Array;
  /** How sure the network is of this frame (confidence/evidence.ts). */
  evidence: FrameEvidence;
}

export interface SegmentClipOptions {
  /** Frames to segment first (e.g. the playhead); the rest follow in clip order. */
  first?: readonly number[];
  /** Only these frames (default: all). */
  only?: readonly number[];
  signal?: AbortSignal;
}

/** The order in which frames are produced: requested frames first, then the rest in clip order. */
export function frameOrder(
  frameCount: number,
  first: readonly number[] = [],
  only?: readonly number[],
): number[] {
  const wanted = only
    ? [...new Set(only)].filter((i) => i >= 0 && i < frameCount).sort((a, b) => a - b)
    : [...Array(frameCount).keys()];
  const wantedSet = new Set(wanted);
  const head = [...new Set(first)].filter((i) => wantedSet.has(i));
  const headSet = new Set(head);
  return [...head, ...wanted.filter((i) => !headSet.has(i))];
}

/**
 * Segments the frames of `order` in that order by random access, decoding the next frame while the
 * network runs on this one: the server's frame order (playhead first) and segmentClip's first frames.
 */
export async function* segmentFrames(
  readFrame: (index: number) => Promise<RgbFrame>,
  order: readonly number[],
  model: FrameSegmenter,
  signal?: AbortSignal,
): AsyncGenerator<SegmentedFrame> {
  const read = (k: number) => {
    if (k >= order.length) return undefined;
    const frame = readFrame(order[k]!);
    frame.catch(() => undefined); // a decode error surfaces at its await, not as unhandled
    return frame;
  };
  let next = read(0);
  for (let k = 0; k < order.length; k++) {
    if (signal?.aborted) throw new OperationCancelledError('segmentation');
    const frame = await next!;
    next = read(k + 1);
    yield { index: order[k]!, frame, ...(await predictWithEvidence(model, frame)) };
  }
}

/**
 * Yields one segmented frame at a time. Frames requested first are read by random access
 * (segmentFrames); the rest stream from the decoder in order, one frame decoded ahead of the network.
 */
export async function* segmentClip(
  source: FrameSource,
  model: FrameSegmenter,
  options: SegmentClipOptions = {},
): AsyncGenerator<SegmentedFrame> {
  const order = frameOrder(source.frameCount, options.first, options.only);
  const requested = new Set(options.first ?? []);
  const head = order.filter((i) => requested.has(i));
  const done = new Set<number>();
  for await (const f of segmentFrames((i) => source.readFrame(i), head, model, options.signal)) {
    yield f;
    done.add(f.index);
  }
  const rest = new Set(order.filter((i) => !done.has(i)));
  if (rest.size === 0) return;
  const iterator = source.frames()[Symbol.asyncIterator]();
  const nextWanted = async () => {
    for (;;) {
      const r = await iterator.next();
      if (r.done) return undefined;
      if (rest.has(r.value.index)) return r.value;
    }
  };
  try {
    let pending = nextWanted();
    for (;;) {
      const item = await pending;
      if (!item) break;
      if (options.signal?.aborted) throw new OperationCancelledError('segmentation');
      pending = nextWanted(); // decode the next frame while the network runs on this one
      pending.catch(() => undefined); // a decode error surfaces at the next await, not as unhandled
      yield { index: item.index, frame: item.frame, ...(await predictWithEvidence(model, item.frame)) };
    }
  } finally {
    await iterator.return?.();
  }
}
