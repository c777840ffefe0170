// HostAdapter for running the panel outside Adobe apps (a browser, the headless end-to-end test):
// the "clip" is a media file or a folder of frames typed by the user, the playhead a frame number,
// and timeline edits are recorded in a visible list instead of a real timeline.
import type {
  ActiveClip,
  HostAdapter,
  MarkerRequest,
  MattePlacement,
  MattePlacementResult,
  PlayheadPosition,
} from './host-adapter';
import { HostError } from './host-adapter';

export interface StandaloneClipInput {
  /** Media file, or folder of numbered frames (a path without a file extension). */
  path: string;
  fps: number;
  /** Source frames [inFrame, outFrame); outFrame is required for a media file. */
  inFrame: number;
  outFrame?: number;
}

/** One recorded "timeline" edit, for display. */
export interface StandaloneEdit {
  kind: 'matte' | 'marker';
  description: string;
}

export function isFramesFolder(path: string): boolean {
  return !/\.[A-Za-z0-9]{2,5}$/.test(path.replace(/[\\/]+$/, ''));
}

export class StandaloneHostAdapter implements HostAdapter {
  readonly kind = 'standalone' as const;
  readonly displayName = 'Standalone (browser)';
  private input: StandaloneClipInput | undefined;
  /** Frames in the clip once known (the server reports it for a frames folder). */
  private knownFrameCount: number | undefined;
  private playheadFrame = 0;
  readonly edits: StandaloneEdit[] = [];
  onChange: (() => void) | undefined;

  setClip(input: StandaloneClipInput): void {
    this.input = input;
    this.knownFrameCount = undefined;
    this.onChange?.();
  }

  /** The server knows the frame count of a frames folder once the clip is open. */
  setFrameCount(count: number): void {
    this.knownFrameCount = count;
  }

  /** Sets the playhead as a source frame number. */
  setPlayheadFrame(frame: number): void {
    this.playheadFrame = Math.max(0, Math.floor(frame));
    this.onChange?.();
  }

  get playhead(): number {
    return this.playheadFrame;
  }

  async getActiveClip(): Promise<ActiveClip> {
    const input = this.input;
    if (!input || !input.path.trim()) {
      throw new HostError('Type the path of a media file or of a folder of frames in "Clip" first.');
    }
    const frames = isFramesFolder(input.path);
    const outFrame = input.outFrame ?? (frames ? (this.knownFrameCount ?? 0) : undefined);
    if (outFrame === undefined) {
      throw new HostError(
        `"${input.path}" is a media file: give its out frame (the clip's length in frames).`,
      );
    }
    const name = input.path.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, '');
    return {
      id: `standalone:${input.path}`,
      name,
      mediaPath: input.path,
      sourceInFrame: input.inFrame,
      sourceOutFrame: outFrame,
      mediaFps: input.fps,
      timelineFps: input.fps,
      speed: 1,
      timelineStart: 0,
      timelineEnd: outFrame > input.inFrame ? (outFrame - input.inFrame) / input.fps : 0,
      trackIndex: 0,
    };
  }

  async getPlayhead(clip: ActiveClip): Promise<PlayheadPosition> {
    const last = clip.sourceOutFrame > clip.sourceInFrame ? clip.sourceOutFrame - 1 : Number.MAX_SAFE_INTEGER;
    const frame = Math.min(Math.max(this.playheadFrame, clip.sourceInFrame), last);
    return { timelineSeconds: (frame - clip.sourceInFrame) / clip.mediaFps, sourceFrame: frame };
  }

  async canApplyTrackMatte(): Promise<boolean> {
    return true;
  }

  async placeMatte(request: MattePlacement): Promise<MattePlacementResult> {
    const { clip, sequence, mode } = request;
    const trackIndex = clip.trackIndex + 1;
    const what =
      mode === 'track-matte' ? 'luma matte, clip keyed with Track Matte Key' : 'RGBA cutout, clip disabled';
    this.edits.push({
      kind: 'matte',
      description: `V${trackIndex + 1} @ ${clip.timelineStart.toFixed(2)} s: ${sequence.frameCount} frames from ${sequence.firstFramePath} (${what})`,
    });
    this.onChange?.();
    return { trackIndex, startSeconds: clip.timelineStart, mode, undoSteps: 1, notes: [] };
  }

  async addMarker(request: MarkerRequest): Promise<void> {
    const t = (request.sourceFrame - request.clip.sourceInFrame) / request.clip.mediaFps;
    this.edits.push({
      kind: 'marker',
      description: `Marker "${request.name}" @ ${t.toFixed(2)} s (${request.comment})`,
    });
    this.onChange?.();
  }
}
