// HostAdapter for Premiere Pro (UXP, `require("premierepro")`). Reads the clip under the playhead,
// imports the server's matte as a numbered still sequence, places it on a free track above the
// clip at the clip's start and keys the clip with Track Matte Key, all in one undoable transaction.
//
// Premiere's rules this follows (see shared/UXP-NOTES.md):
// - every create*Action must be called inside project.lockedAccess (26.3+);
// - executeTransaction's callback is synchronous: all async look-ups happen before the lock;
// - importFiles returns only a boolean: the new item is found afterwards by its media path;
// - exportSequenceFrame writes "name.png.png" for "name.png": both names are checked.
import type {
  HostAdapter,
  ActiveClip,
  PlayheadPosition,
  MattePlacement,
  MattePlacementResult,
  MarkerRequest,
} from './host-adapter';
import { HostError, MATTE_ITEM_PREFIX } from './host-adapter';
import type {
  Action,
  PClipProjectItem,
  PComponentParam,
  PComponentWithParams,
  PProject,
  PProjectItem,
  PSequence,
  PVideoClipTrackItem,
  PVideoFilterComponent,
  PremiereApi,
} from './premiere-api';
import { frameOfMediaSeconds, sequencePlaybackFps, sourceFrameAt, timelineSecondsOf } from './time-mapping';
import { joinPath, samePath, type FileProbe } from './file-probe';

/** Track Matte Key's match name as seen in third-party code (⚠ confirmed at run time by lookup). */
const TRACK_MATTE_MATCH_NAME = 'AE.ADBE Track Matte Key';
/** "Composite Using" popup: 0 = Matte Alpha, 1 = Matte Luma (⚠ popup order from the effect UI). */
const COMPOSITE_USING_LUMA = 1;

interface LocatedClip {
  sequence: PSequence;
  item: PVideoClipTrackItem;
  trackIndex: number;
}

function isComponentWithParams(component: PVideoFilterComponent): component is PComponentWithParams {
  const c = component as Partial<PComponentWithParams>;
  return typeof c.getParam === 'function' && typeof c.getParamCount === 'function';
}

function findParam(component: PComponentWithParams, pattern: RegExp): PComponentParam | undefined {
  for (let i = 0; i < component.getParamCount(); i++) {
    const param = component.getParam(i);
    if (pattern.test(param.displayName)) return param;
  }
  return undefined;
}

export class PremiereHostAdapter implements HostAdapter {
  readonly kind = 'premierepro' as const;
  readonly displayName = 'Premiere Pro';

  constructor(
    private readonly api: PremiereApi,
    private readonly files: FileProbe,
  ) {}

  private async project(): Promise<PProject> {
    const project = await this.api.Project.getActiveProject();
    if (!project)
      throw new HostError('No project is open in Premiere Pro. Open a project and a sequence first.');
    return project;
  }

  private async sequence(project: PProject): Promise<PSequence> {
    const sequence = await project.getActiveSequence();
    if (!sequence)
      throw new HostError('No sequence is active. Open the sequence that holds the clip to segment.');
    return sequence;
  }

  private async isMatteItem(item: PVideoClipTrackItem): Promise<boolean> {
    return (await item.getName()).startsWith(MATTE_ITEM_PREFIX);
  }

  /** Track index and start of every selected track item (video or linked audio). */
  private async selectionKeys(sequence: PSequence): Promise<Set<string>> {
    const keys = new Set<string>();
    try {
      for (const item of await (await sequence.getSelection()).getTrackItems()) {
        keys.add(`${await item.getTrackIndex()}@${(await item.getStartTime()).ticks}`);
      }
    } catch {
      // No selection API or nothing selected: the playhead decides alone.
    }
    return keys;
  }

  /**
   * The clip to segment at `seconds`: a selected clip under the playhead if there is one, else the
   * topmost clip there (never one of our mattes).
   */
  private async clipAt(sequence: PSequence, seconds: number): Promise<LocatedClip | undefined> {
    const selected = await this.selectionKeys(sequence);
    let topmost: LocatedClip | undefined;
    const count = await sequence.getVideoTrackCount();
    for (let trackIndex = count - 1; trackIndex >= 0; trackIndex--) {
      const track = await sequence.getVideoTrack(trackIndex);
      for (const item of track.getTrackItems(this.api.Constants.TrackItemType.CLIP, false)) {
        const start = await item.getStartTime();
        const end = (await item.getEndTime()).seconds;
        if (seconds < start.seconds || seconds >= end || (await this.isMatteItem(item))) continue;
        const here = { sequence, item, trackIndex };
        if (selected.has(`${trackIndex}@${start.ticks}`)) return here;
        topmost ??= here;
      }
    }
    return topmost;
  }

  /** Finds the clip an ActiveClip describes (same track, same start). */
  private async locate(sequence: PSequence, clip: ActiveClip): Promise<LocatedClip> {
    const count = await sequence.getVideoTrackCount();
    if (clip.trackIndex < count) {
      const track = await sequence.getVideoTrack(clip.trackIndex);
      for (const item of track.getTrackItems(this.api.Constants.TrackItemType.CLIP, false)) {
        if ((await item.getStartTime()).ticks === clip.id.split('@')[1]) {
          return { sequence, item, trackIndex: clip.trackIndex };
        }
      }
    }
    throw new HostError(
      `The clip "${clip.name}" is no longer at V${clip.trackIndex + 1}, ${clip.timelineStart.toFixed(2)} s. ` +
        'Select it again with "Segment object".',
    );
  }

  async getActiveClip(): Promise<ActiveClip> {
    const project = await this.project();
    const sequence = await this.sequence(project);
    const playhead = await sequence.getPlayerPosition();
    const located = await this.clipAt(sequence, playhead.seconds);
    if (!located) {
      throw new HostError(
        `No video clip under the playhead in "${sequence.name}". Move the playhead over the clip to segment.`,
      );
    }
    const { item, trackIndex } = located;
    const projectItem = this.api.ClipProjectItem.cast(await item.getProjectItem());
    const mediaPath = await projectItem.getMediaFilePath();
    if (!mediaPath) {
      throw new HostError(
        `The clip "${projectItem.name}" has no media file (a nested sequence or a title?).`,
      );
    }
    const mediaFps = (await projectItem.getFootageInterpretation()).getFrameRate();
    const timelineFps = (await sequence.getSettings()).getVideoFrameRate().value;
    const reversed = (await item.isSpeedReversed()) !== 0;
    const speed = Math.abs(await item.getSpeed()) * (reversed ? -1 : 1);
    const start = await item.getStartTime();
    return {
      id: `${sequence.name}#V${trackIndex + 1}@${start.ticks}`,
      name: await item.getName(),
      mediaPath,
      sourceInFrame: frameOfMediaSeconds((await item.getInPoint()).seconds, mediaFps),
      sourceOutFrame: frameOfMediaSeconds((await item.getOutPoint()).seconds, mediaFps),
      mediaFps,
      timelineFps,
      speed,
      timelineStart: start.seconds,
      timelineEnd: (await item.getEndTime()).seconds,
      trackIndex,
    };
  }

  async getPlayhead(clip: ActiveClip): Promise<PlayheadPosition> {
    const sequence = await this.sequence(await this.project());
    const seconds = (await sequence.getPlayerPosition()).seconds;
    return { timelineSeconds: seconds, sourceFrame: sourceFrameAt(clip, seconds) };
  }

  async exportFrame(clip: ActiveClip, sourceFrame: number, folder: string): Promise<string | null> {
    const sequence = await this.sequence(await this.project());
    const size = await sequence.getFrameSize();
    const time = this.api.TickTime.createWithSeconds(timelineSecondsOf(clip, sourceFrame));
    const filename = `frame_${sourceFrame}.png`;
    const ok = await this.api.Exporter.exportSequenceFrame(
      sequence,
      time,
      filename,
      folder,
      size.width,
      size.height,
    );
    if (!ok) return null;
    // Premiere appends the extension again ("frame_1.png.png"); accept either name.
    for (const candidate of [joinPath(folder, filename), joinPath(folder, `${filename}.png`)]) {
      if (await this.files.exists(candidate)) return candidate;
    }
    return null;
  }

  private async trackMatteKeyComponent(): Promise<PComponentWithParams | undefined> {
    const factory = this.api.VideoFilterFactory;
    const matchNames = await factory.getMatchNames();
    const displayNames = await factory.getDisplayNames();
    let matchName: string | undefined = matchNames.find((n) => n === TRACK_MATTE_MATCH_NAME);
    if (!matchName) {
      const i = displayNames.findIndex((n) => /track matte key/i.test(n));
      matchName = i >= 0 ? matchNames[i] : undefined;
    }
    if (!matchName) return undefined;
    const component = await factory.createComponent(matchName);
    if (!isComponentWithParams(component)) return undefined;
    if (!findParam(component, /^matte$/i) || !findParam(component, /composite/i)) return undefined;
    return component;
  }

  async canApplyTrackMatte(_clip: ActiveClip): Promise<boolean> {
    return (await this.trackMatteKeyComponent()) !== undefined;
  }

  /** First video track above the clip that is empty over the clip's time range, or a new one. */
  private async freeTrackAbove(sequence: PSequence, clip: ActiveClip): Promise<number> {
    const count = await sequence.getVideoTrackCount();
    for (let index = clip.trackIndex + 1; index < count; index++) {
      const track = await sequence.getVideoTrack(index);
      let free = true;
      for (const item of track.getTrackItems(this.api.Constants.TrackItemType.CLIP, false)) {
        const start = (await item.getStartTime()).seconds;
        const end = (await item.getEndTime()).seconds;
        if (start < clip.timelineEnd && end > clip.timelineStart) free = false;
      }
      if (free) return index;
    }
    // An index one past the last track makes Premiere create the track.
    return count;
  }

  /** importFiles only says true/false: find the imported item in the bin by its media path. */
  private async findImported(
    bin: PProjectItem,
    mediaPath: string,
  ): Promise<{ item: PProjectItem; clipItem: PClipProjectItem }> {
    const folder = this.api.FolderItem.cast(bin);
    const items = await folder.getItems();
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      let path: string;
      try {
        path = await this.api.ClipProjectItem.cast(item).getMediaFilePath();
      } catch {
        continue; // bins and sequences have no media path
      }
      if (samePath(path, mediaPath)) return { item, clipItem: this.api.ClipProjectItem.cast(item) };
    }
    throw new HostError(
      `Premiere reported importing "${mediaPath}" but no item with that media is in the bin "${folder.name}". ` +
        'Check the Project panel and import the sequence by hand (File > Import, "Image Sequence").',
    );
  }

  async placeMatte(request: MattePlacement): Promise<MattePlacementResult> {
    const { clip, sequence: stills, mode, label } = request;
    if (clip.speed < 0) {
      throw new HostError(
        `"${clip.name}" plays reversed; a matte sequence can't follow it. Nest the clip (right-click > Nest) and segment the nest's media.`,
      );
    }
    const project = await this.project();
    const sequence = await this.sequence(project);
    const target = await this.locate(sequence, clip);

    // Everything async happens here, before the lock: the transaction callback must be synchronous.
    const bin = await project.getInsertionBin();
    const imported = await project.importFiles([stills.firstFramePath], true, bin, true);
    if (!imported) {
      throw new HostError(
        `Premiere could not import "${stills.firstFramePath}" as an image sequence. Check the file exists and is a PNG.`,
      );
    }
    const matte = await this.findImported(bin, stills.firstFramePath);
    const trackIndex = await this.freeTrackAbove(sequence, clip);
    const key = mode === 'track-matte' ? await this.trackMatteKeyComponent() : undefined;
    if (mode === 'track-matte' && !key) {
      throw new HostError('Track Matte Key is not available here; render an RGBA cutout instead.');
    }
    const chain = await target.item.getComponentChain();
    const start = await target.item.getStartTime();
    const editor = this.api.SequenceEditor.getEditor(sequence);
    const fps = sequencePlaybackFps(clip);

    let committed = false;
    let failure: unknown;
    project.lockedAccess(() => {
      try {
        committed = project.executeTransaction((compound) => {
          const actions: Action[] = [
            matte.clipItem.createSetOverrideFrameRateAction(fps),
            editor.createOverwriteItemAction(matte.item, start, trackIndex, 0),
          ];
          if (key) {
            const matteParam = findParam(key, /^matte$/i) as PComponentParam;
            const composite = findParam(key, /composite/i) as PComponentParam;
            actions.push(
              chain.createAppendComponentAction(key),
              // The "Matte" popup lists None, Video 1, Video 2...: track index + 1 (⚠).
              matteParam.createSetValueAction(matteParam.createKeyframe(trackIndex + 1)),
              composite.createSetValueAction(composite.createKeyframe(COMPOSITE_USING_LUMA)),
            );
          } else {
            // The cutout carries the picture; the original below would show through its holes.
            actions.push(target.item.createSetDisabledAction(true));
          }
          for (const action of actions) compound.addAction(action);
        }, label);
      } catch (err) {
        failure = err;
      }
    });
    if (failure !== undefined || !committed) {
      throw new HostError(
        `Premiere refused the edit "${label}"; the timeline is unchanged. The imported sequence stays in the bin.`,
        { cause: failure },
      );
    }
    return { trackIndex, startSeconds: start.seconds, mode, undoSteps: 1 };
  }

  async addMarker(request: MarkerRequest): Promise<void> {
    const project = await this.project();
    const sequence = await this.sequence(project);
    const markers = await this.api.Markers.getMarkers(sequence);
    const time = this.api.TickTime.createWithSeconds(timelineSecondsOf(request.clip, request.sourceFrame));
    const zero = this.api.TickTime.createWithSeconds(0);
    const type = this.api.Marker.MARKER_TYPE_COMMENT;
    let committed = false;
    let failure: unknown;
    project.lockedAccess(() => {
      try {
        committed = project.executeTransaction((compound) => {
          compound.addAction(markers.createAddMarkerAction(request.name, type, time, zero, request.comment));
        }, `Add marker "${request.name}"`);
      } catch (err) {
        failure = err;
      }
    });
    if (failure !== undefined || !committed) {
      throw new HostError(`Premiere refused to add the marker "${request.name}".`, { cause: failure });
    }
  }
}
