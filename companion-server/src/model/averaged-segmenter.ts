/**
 * Segmenting a frame with several networks at once: the foreground probability is the mean of
 * theirs. Fine-tunes of one object that differ only in their training views err partly
 * independently, so their mean is steadier than either (BENCHMARKS.md, "Two fine-tunes averaged").
 */
import type { RgbFrame } from '../video/frame';
import { ModelError } from './errors';
import type { DeviceChoice } from './execution-provider';
import type { SegmentationModel } from './segmentation-model';

/** What the clip segmentation loop needs: one network or several averaged. */
export interface FrameSegmenter {
  readonly executionProvider: Exclude<DeviceChoice, 'auto'>;
  /** Whether each network also runs on the mirrored frame. */
  readonly testTimeFlip: boolean;
  /** Foreground probability of every pixel of `frame` (row-major, frame size, 0..1). */
  predict(frame: RgbFrame): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export class AveragedSegmenter implements FrameSegmenter {
  readonly executionProvider: Exclude<DeviceChoice, 'auto'>;
  readonly testTimeFlip: boolean;

  /** Takes ownership of `members`: dispose() releases them. */
  constructor(readonly members: readonly SegmentationModel[]) {
    if (members.length === 0)
      throw new ModelError('BAD_INPUT', 'an averaged segmenter needs at least one network');
    this.executionProvider = members[0]!.executionProvider;
    this.testTimeFlip = members[0]!.testTimeFlip;
  }

  async predict(frame: RgbFrame): Promise<Float32Array> {
    // One network after the other: each session already uses every thread it was given.
    const sum = await this.members[0]!.predict(frame);
    for (const m of this.members.slice(1)) {
      const p = await m.predict(frame);
      for (let i = 0; i < sum.length; i++) sum[i]! += p[i]!;
    }
    const scale = 1 / this.members.length;
    for (let i = 0; i < sum.length; i++) sum[i]! *= scale;
    return sum;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.members.map((m) => m.dispose()));
  }
}
