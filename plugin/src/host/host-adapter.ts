// The one interface the panel uses to talk to the editing application (Premiere Pro, After Effects,
// or the standalone browser host). Everything the panel needs from a timeline goes through here.

/** Name prefix of matte items and layers the panel creates; they are never "the clip to segment". */
export const MATTE_ITEM_PREFIX = 'OneShot Roto';

export type HostKind = 'premierepro' | 'aftereffects' | 'standalone';

/** A clip on the timeline, described in the terms the server needs (source media frames). */
export interface ActiveClip {
  /** Opaque id the adapter uses to find the same clip again when it edits the timeline. */
  readonly id: string;
  readonly name: string;
  /** Media file (video) or folder of numbered frames the server decodes. */
  readonly mediaPath: string;
  /** First source frame used by the clip (media frame index at mediaFps). */
  readonly sourceInFrame: number;
  /** One past the last source frame used by the clip. */
  readonly sourceOutFrame: number;
  /** Frame rate of the media (source frames). */
  readonly mediaFps: number;
  /** Frame rate of the sequence / composition the clip sits in. */
  readonly timelineFps: number;
  /** Playback speed: 1 is normal, 2 twice as fast; negative when the clip plays reversed. */
  readonly speed: number;
  /** Start and end of the clip on the timeline, in seconds. */
  readonly timelineStart: number;
  readonly timelineEnd: number;
  /** Zero-based video track (Premiere) or layer index (After Effects, 1 = top). */
  readonly trackIndex: number;
}

/** Where the playhead is, on the timeline and in the clip's source frames. */
export interface PlayheadPosition {
  readonly timelineSeconds: number;
  /** Source frame of the clip under the playhead (clamped into the clip). */
  readonly sourceFrame: number;
}

/** A numbered still sequence written by the server (frame_000000.png ...). */
export interface StillSequence {
  /** Path of the first frame; hosts import the sequence from it. */
  readonly firstFramePath: string;
  readonly frameCount: number;
  /** The source frame the first still corresponds to. */
  readonly firstSourceFrame: number;
}

/**
 * How the matte reaches the picture:
 * - `track-matte`: a grayscale matte placed above the clip, and the clip keyed with it.
 * - `cutout`: an RGBA cutout (source pixels, matte as alpha) placed above the clip, which is
 *   then disabled; used where the key can't be set.
 */
export type MattePlacementMode = 'track-matte' | 'cutout';

export interface MattePlacement {
  readonly clip: ActiveClip;
  readonly sequence: StillSequence;
  readonly mode: MattePlacementMode;
  /** Name of the undo step and of the imported item. */
  readonly label: string;
}

export interface MattePlacementResult {
  /** Track (Premiere, zero-based) or layer index (After Effects) the sequence was placed on. */
  readonly trackIndex: number;
  /** Timeline time of the placed item's start, in seconds (the clip's start). */
  readonly startSeconds: number;
  readonly mode: MattePlacementMode;
  /** Edit > Undo presses that take the whole edit back. */
  readonly undoSteps: number;
  /** What the editor should know or check by hand (undocumented host behaviour relied on). */
  readonly notes: readonly string[];
}

export interface MarkerRequest {
  readonly clip: ActiveClip;
  readonly sourceFrame: number;
  readonly name: string;
  readonly comment: string;
}

export interface HostAdapter {
  readonly kind: HostKind;
  /** Human name of the host, for the status line ("Premiere Pro 26.3"). */
  readonly displayName: string;
  /** The clip under the playhead (or the selected one); throws HostError when there is none. */
  getActiveClip(): Promise<ActiveClip>;
  /** The playhead, mapped into the clip's source frames. */
  getPlayhead(clip: ActiveClip): Promise<PlayheadPosition>;
  /** Whether `track-matte` placement is possible for this clip (else use `cutout`). */
  canApplyTrackMatte(clip: ActiveClip): Promise<boolean>;
  /** Imports the sequence, places it above the clip at the clip's start and keys: one undo step. */
  placeMatte(request: MattePlacement): Promise<MattePlacementResult>;
  /** Adds a marker at the timeline time of `sourceFrame` (one undo step). */
  addMarker(request: MarkerRequest): Promise<void>;
}

/** An error from the host, worded for the editor. */
export class HostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostError';
  }
}
