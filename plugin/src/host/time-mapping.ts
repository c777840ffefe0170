// Maps between timeline time and the clip's source frames, taking the clip's in point, speed and
// direction into account (the server works in source frames of the media file).
import type { ActiveClip } from './host-adapter';

// Guards floor() against 0.9999999 from float seconds (e.g. 1001/30000 frame durations).
const EPS = 1e-6;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** The source frame shown at `timelineSeconds` (clamped into the clip). */
export function sourceFrameAt(clip: ActiveClip, timelineSeconds: number): number {
  const last = clip.sourceOutFrame - 1;
  const offset = Math.max(0, timelineSeconds - clip.timelineStart);
  const advanced = Math.floor(offset * Math.abs(clip.speed) * clip.mediaFps + EPS);
  const frame = clip.speed >= 0 ? clip.sourceInFrame + advanced : last - advanced;
  return clamp(frame, clip.sourceInFrame, last);
}

/** Timeline time (seconds) at which `sourceFrame` starts being shown. */
export function timelineSecondsOf(clip: ActiveClip, sourceFrame: number): number {
  const frame = clamp(Math.round(sourceFrame), clip.sourceInFrame, clip.sourceOutFrame - 1);
  const advanced = clip.speed >= 0 ? frame - clip.sourceInFrame : clip.sourceOutFrame - 1 - frame;
  return clip.timelineStart + advanced / (clip.mediaFps * Math.abs(clip.speed));
}

/** Rate a still sequence of source frames must play at to stay in sync with the clip. */
export function sequencePlaybackFps(clip: ActiveClip): number {
  return clip.mediaFps * Math.abs(clip.speed);
}

/** Number of source frames the clip uses. */
export function sourceFrameCount(clip: ActiveClip): number {
  return clip.sourceOutFrame - clip.sourceInFrame;
}

/** Source frame index from a media time in seconds (in/out points), robust to float error. */
export function frameOfMediaSeconds(seconds: number, mediaFps: number): number {
  return Math.round(seconds * mediaFps);
}
