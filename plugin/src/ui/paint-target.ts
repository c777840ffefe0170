// Where the editor paints: the clip "Segment object" opened, the clip frame on show, and whether
// the strokes there will be the object's first annotation or a correction. Panel moves it around;
// this file keeps its rules (a frame stays inside the clip; a frame picked on the confidence strip
// is remembered until the next job or object).
import type { OpenClip } from './panel-session';
import type { ShownFrame } from './frame-info';

export type PaintPurpose = 'initial' | 'correction';

export class PaintTarget {
  private opened: OpenClip | undefined;
  private shown = 0;
  private purpose: PaintPurpose = 'initial';
  private pickedFrame: number | undefined;

  get clip(): OpenClip | undefined {
    return this.opened;
  }

  /** Clip frame on show (0-based). */
  get frame(): number {
    return this.shown;
  }

  get correcting(): boolean {
    return this.purpose === 'correction';
  }

  /** A frame the editor picked on the confidence strip since the last job: corrections go there. */
  get picked(): number | undefined {
    return this.pickedFrame;
  }

  require(): OpenClip {
    if (!this.opened) throw new Error('Segment an object first.');
    return this.opened;
  }

  /** Takes `clip` as the clip painted on; says whether it is another clip than the one before. */
  open(clip: OpenClip): boolean {
    const other = this.opened?.info.clipId !== clip.info.clipId;
    this.opened = clip;
    return other;
  }

  /**
   * Moves to clip frame `frame` (kept inside the clip, which must be open) for `purpose`; `picked`
   * when it was chosen on the confidence strip. Says whether it is another frame than before.
   */
  moveTo(frame: number, purpose: PaintPurpose, picked: boolean): boolean {
    const target = Math.min(Math.max(frame, 0), this.require().info.frameCount - 1);
    const other = target !== this.shown;
    this.shown = target;
    this.pickedFrame = picked ? target : undefined;
    this.purpose = purpose;
    return other;
  }

  /** Back to a first annotation with nothing picked: after a job, or for another object. */
  restart(): void {
    this.purpose = 'initial';
    this.pickedFrame = undefined;
  }

  /** What the frame info line shows; undefined while no clip is open. */
  describe(objectName: string): ShownFrame | undefined {
    if (!this.opened) return undefined;
    const { clip, info } = this.opened;
    return { clip, info, frame: this.shown, objectName, correcting: this.correcting };
  }
}
