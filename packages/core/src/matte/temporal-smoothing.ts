/**
 * Optional temporal smoothing (off by default: OSVOS segments each frame independently, which is
 * what keeps errors from drifting). Streaming: frames go in one at a time; frame i comes out once
 * frame i + radius has arrived (or at flush), as the unweighted mean of the frames i−radius..i+radius
 * that exist in the same run of consecutive frame indices (the window is truncated at clip ends and
 * at gaps). Each frame carries a payload (e.g. its RGB frame) that comes out with it.
 */
import { assertSameSize, makeFloatMatte, type FloatMatte } from './matte';

export interface SmoothedFrame<T> {
  frameIndex: number;
  matte: FloatMatte;
  payload: T;
}

export interface TemporalSmoother<T> {
  /** Adds one frame; returns the frames that became complete, in frame order. */
  push(frameIndex: number, matte: FloatMatte, payload: T): SmoothedFrame<T>[];
  /** Returns every frame still held back, in frame order. */
  flush(): SmoothedFrame<T>[];
}

export function createTemporalSmoother<T>(radius: number): TemporalSmoother<T> {
  if (!Number.isInteger(radius) || radius < 0) {
    throw new RangeError(`temporal smoothing radius must be an integer >= 0 frames, got ${radius}`);
  }
  // Frames of the current run; `run[k]` has frame index `firstIndex + k`. `next` is the run
  // position of the next frame to emit; frames before `next - radius` are no longer needed.
  let run: SmoothedFrame<T>[] = [];
  let firstIndex = 0;
  let next = 0;

  const average = (k: number): SmoothedFrame<T> => {
    const lo = Math.max(0, k - radius);
    const hi = Math.min(run.length - 1, k + radius);
    const { width, height } = run[k]!.matte;
    const sum = new Float32Array(width * height);
    for (let j = lo; j <= hi; j++) {
      const d = run[j]!.matte.data;
      for (let i = 0; i < sum.length; i++) sum[i]! += d[i]!;
    }
    const inv = 1 / (hi - lo + 1);
    for (let i = 0; i < sum.length; i++) sum[i]! *= inv;
    return {
      frameIndex: run[k]!.frameIndex,
      matte: makeFloatMatte(sum, width, height),
      payload: run[k]!.payload,
    };
  };

  const emitReady = (all: boolean): SmoothedFrame<T>[] => {
    const out: SmoothedFrame<T>[] = [];
    while (next < run.length && (all || next + radius < run.length)) out.push(average(next++));
    // Drop frames that no future output can reach.
    const keepFrom = Math.max(0, next - radius);
    if (keepFrom > 0) {
      run = run.slice(keepFrom);
      firstIndex += keepFrom;
      next -= keepFrom;
    }
    return out;
  };

  const flush = (): SmoothedFrame<T>[] => {
    const out = emitReady(true);
    run = [];
    next = 0;
    return out;
  };

  return {
    push(frameIndex, matte, payload) {
      if (!Number.isInteger(frameIndex))
        throw new RangeError(`frame index must be an integer, got ${frameIndex}`);
      const out: SmoothedFrame<T>[] = [];
      if (run.length > 0) {
        assertSameSize(run[0]!.matte, matte, `matte of frame ${frameIndex}`);
        if (frameIndex !== firstIndex + run.length) {
          if (frameIndex <= firstIndex + run.length - 1) {
            throw new RangeError(
              `temporal smoothing needs increasing frame indices; got ${frameIndex} after ${firstIndex + run.length - 1}`,
            );
          }
          out.push(...flush()); // a gap starts a new run
        }
      }
      if (run.length === 0) firstIndex = frameIndex;
      run.push({ frameIndex, matte, payload });
      out.push(...emitReady(false));
      return out;
    },
    flush,
  };
}
