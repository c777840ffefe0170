// What the panel's server-and-host flows (start a segmentation, apply a correction, render and
// place a matte) need from the panel: the clip it has open, the object it works on, the server client and the ways to tell
// the editor. Panel hands them this and nothing more, so a flow reads without the whole panel.
import type { ClipInfo, JobInfo, PresetName, StrokesMask } from '@oneshot-roto/protocol';
import type { ServerClient } from '../client/server-client';
import type { ActiveClip, HostAdapter, MattePlacementMode } from '../host/host-adapter';
import type { Tone } from './message-line';
import type { SegmentedObject } from './object-list';

export type JobPurpose = 'segment' | 'correction' | 'render';

/** Where a rendered matte goes: onto the timeline in one of the host's modes, or nowhere. */
export type Placement = MattePlacementMode | 'none';

/** The clip "Segment object" took, as the host and the server each know it. */
export interface OpenClip {
  clip: ActiveClip;
  info: ClipInfo;
}

export interface PanelSession {
  readonly host: HostAdapter;
  /** The object picked in the panel (fixed while a job runs: the picker is locked). */
  currentObject(): SegmentedObject;
  /** Throws "Segment an object first." when no clip is open. */
  requireClip(): OpenClip;
  /** Throws when the panel is not connected. */
  requireClient(): ServerClient;
  say(text: string, tone?: Tone): void;
  /** Tells the editor what went wrong. */
  fail(err: unknown): void;
  /** Shows an empty progress bar with `text` while a job is being asked for. */
  resetProgress(text: string): void;
  /** Follows the job's progress until it ends; `note` is told again then. */
  follow(job: JobInfo, purpose: JobPurpose, placement?: Placement, note?: string): Promise<void>;
}

/** The frame the editor painted, and what to run on it. */
export interface PaintedFrame {
  /** Clip frame (0-based). */
  frame: number;
  preset: PresetName;
  /** The strokes as the server takes them; throws when nothing is painted. */
  mask(base: 'empty' | 'prediction'): StrokesMask;
}
