// HostAdapter for Premiere Pro (UXP, `require("premierepro")`). Reads the clip under the playhead,
// imports the server's matte as a numbered still sequence, places it on a free track above the
// clip at the clip's start and keys the clip with Track Matte Key.
//
// Premiere's rules this follows (shared/UXP-NOTES.md, and Adobe's uxp-premiere-pro-samples):
// - every create*Action is called inside project.lockedAccess (26.3+);
// - executeTransaction's callback is synchronous: async look-ups happen before or after the lock;
// - importFiles returns only a boolean: the new item is found afterwards by its media path
//   (premiere-timeline.ts, with the other look-ups on the sequence);
// - an effect's parameters are reached through the clip's chain after it is appended
//   (premiere-track-matte.ts), and a track is created only the way the typings document it:
//   createInsertProjectItemAction with an index past the last track.
import type {
  HostAdapter,
  ActiveClip,
  PlayheadPosition,
  MattePlacement,
  MattePlacementResult,
  MarkerRequest,
} from './host-adapter';
import { HostError } from './host-adapter';
import type {
  Action,
  PComponent,
  PParamValue,
  PProject,
  PSequence,
  PVideoClipTrackItem,
  PremiereApi,
} from './premiere-api';
import { frameOfMediaSeconds, sequencePlaybackFps, sourceFrameAt, timelineSecondsOf } from './time-mapping';
import { PremiereTimeline } from './premiere-timeline';
import {
  createTrackMatteKey,
  trackMatteKeyActions,
  COMPOSITE_USING_MATTE_LUMA,
} from './premiere-track-matte';
import {
  AnimatedMotionError,
  copyMotionActions,
  differingParams,
  findComponent,
  findComponentIndex,
  MOTION_MATCH_NAME,
  staticValues,
} from './premiere-motion';

interface LocatedClip {
  sequence: PSequence;
  item: PVideoClipTrackItem;
  trackIndex: number;
}

/** A host error as text. Premiere's errors need not be Error instances; String() uses their own toString. */
function hostErrorText(err: unknown): string {
  return String(err);
}

/** Runs `edit` inside lockedAccess; true when its transaction committed, the error otherwise. */
function locked(project: PProject, edit: () => boolean): { committed: boolean; error?: unknown } {
  let committed = false;
  let error: unknown;
  project.lockedAccess(() => {
    try {
      committed = edit();
    } catch (err) {
      error = err;
    }
  });
  return { committed, error };
}

function actionsOf(actions: Action[]) {
  return (compound: { addAction(a: Action): boolean }) => {
    for (const a of actions) compound.addAction(a);
  };
}

export class PremiereHostAdapter implements HostAdapter {
  readonly kind = 'premierepro' as const;
  readonly displayName = 'Premiere Pro';

  private readonly timeline: PremiereTimeline;

  constructor(private readonly api: PremiereApi) {
    this.timeline = new PremiereTimeline(api);
  }

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
   * topmost clip there. Mattes, adjustment layers and graphics are passed over, so the clip
   * below them is found.
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
        if (seconds < start.seconds || seconds >= end || !(await this.timeline.isSegmentable(item))) continue;
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

  async canApplyTrackMatte(_clip: ActiveClip): Promise<boolean> {
    return (await createTrackMatteKey(this.api)) !== undefined;
  }

  /** The clip's Motion values, or undefined when its Motion can't be found by match name. */
  private async clipMotion(clip: ActiveClip, item: PVideoClipTrackItem): Promise<PParamValue[] | undefined> {
    const motion = await findComponent(await item.getComponentChain(), MOTION_MATCH_NAME);
    if (!motion) return undefined;
    try {
      return await staticValues(motion);
    } catch (err) {
      if (!(err instanceof AnimatedMotionError)) throw err;
      throw new HostError(
        `"${clip.name}" has keyframes on Motion (${err.paramName}); a matte can't follow an animated clip yet. ` +
          'Nest the clip (right-click > Nest) and segment the nest, or remove the Motion keyframes.',
        { cause: err },
      );
    }
  }

  /**
   * Copies the clip's Motion onto the placed matte (one more undo step, only when a value
   * differs). Returns the undo steps taken and what the editor should know.
   */
  private async copyMotion(
    project: PProject,
    matte: PVideoClipTrackItem | undefined,
    clipValues: PParamValue[] | undefined,
    label: string,
  ): Promise<{ steps: number; notes: string[] }> {
    const byHand =
      'if the clip is scaled, moved or rotated, copy its Motion onto the matte by hand (Edit > Copy on the clip, Edit > Paste Attributes on the matte).';
    if (!clipValues) {
      return {
        steps: 0,
        notes: [
          `The clip's Motion effect wasn't found by its match name (${MOTION_MATCH_NAME}, not documented by Adobe): ${byHand}`,
        ],
      };
    }
    const matteMotion = matte && (await findComponent(await matte.getComponentChain(), MOTION_MATCH_NAME));
    if (!matteMotion) return { steps: 0, notes: [`The matte's Motion effect wasn't found: ${byHand}`] };
    const differing = differingParams(clipValues, await staticValues(matteMotion));
    if (differing.length === 0) return { steps: 0, notes: [] };
    const { committed, error } = locked(project, () =>
      project.executeTransaction(
        actionsOf(copyMotionActions(matteMotion, clipValues, differing)),
        `${label}: Motion`,
      ),
    );
    if (!committed) {
      return {
        steps: 0,
        notes: [
          `Premiere refused to copy the clip's Motion onto the matte (${error === undefined || error === null ? 'no reason given' : hostErrorText(error)}): ${byHand}`,
        ],
      };
    }
    return { steps: 1, notes: [] };
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

    // Everything async happens here, before the lock: the transaction callbacks are synchronous.
    const clipMotion = await this.clipMotion(clip, target.item); // refuses an animated clip before any edit
    const key = mode === 'track-matte' ? await createTrackMatteKey(this.api) : undefined;
    if (mode === 'track-matte' && !key) {
      throw new HostError('Track Matte Key is not available here; render an RGBA cutout instead.');
    }
    const chain = await target.item.getComponentChain();
    // A clip keyed before (an earlier render) keeps its one key, pointed at the new matte: two keys
    // would show only where both mattes overlap.
    const existingKey = key ? await findComponentIndex(chain, key.matchName) : -1;
    const bin = await project.getInsertionBin();
    await this.timeline.refuseMediaInUse(sequence, bin, stills.firstFramePath);
    const imported = await project.importFiles([stills.firstFramePath], true, bin, true);
    if (!imported) {
      throw new HostError(
        `Premiere could not import "${stills.firstFramePath}" as an image sequence. Check the file exists and is a PNG.`,
      );
    }
    const matte = await this.timeline.findImported(bin, stills.firstFramePath);
    const fps = sequencePlaybackFps(clip);
    const start = await target.item.getStartTime();
    const length = stills.frameCount / fps;
    const track = await this.timeline.trackFor(
      sequence,
      clip.trackIndex,
      start.seconds,
      start.seconds + length,
    );
    const keyIndex = existingKey >= 0 ? existingKey : chain.getComponentCount(); // append puts it last
    const editor = this.api.SequenceEditor.getEditor(sequence);
    const mediaIn = this.api.TickTime.createWithSeconds(0);
    const mediaOut = this.api.TickTime.createWithSeconds(length);

    let keyed = false;
    let keyFailure: unknown;
    let keyInChain: PComponent | undefined;
    const placed = locked(project, () => {
      const committed = project.executeTransaction(
        actionsOf([
          matte.clipItem.createSetOverrideFrameRateAction(fps),
          // Exactly the clip's frames: numbered files beyond them in the folder are left out.
          matte.clipItem.createSetInOutPointsAction(mediaIn, mediaOut),
          track.create
            ? editor.createInsertProjectItemAction(matte.item, start, track.index, 0, true)
            : editor.createOverwriteItemAction(matte.item, start, track.index, 0),
          ...(!key
            ? // The cutout carries the picture; the original below would show through its holes.
              [target.item.createSetDisabledAction(true)]
            : existingKey < 0
              ? [chain.createAppendComponentAction(key.component)]
              : []),
        ]),
        label,
      );
      if (!committed || !key) return committed;
      // Second transaction, same lock: the key as it now sits in the clip's chain.
      try {
        keyInChain = chain.getComponentAtIndex(keyIndex);
        keyed = project.executeTransaction(
          actionsOf(trackMatteKeyActions(keyInChain, track.index)),
          `${label}: Track Matte Key settings`,
        );
      } catch (err) {
        keyFailure = err;
      }
      return committed;
    });
    if (!placed.committed) {
      throw new HostError(
        `Premiere refused the edit "${label}"; the timeline is unchanged. The imported sequence stays in the bin.`,
        { cause: placed.error },
      );
    }
    const where = `V${track.index + 1}`;
    // Confirmed by match name after the lock (getMatchName is async, the lock's callback is not).
    if (key && (!keyed || !keyInChain || (await keyInChain.getMatchName()) !== key.matchName)) {
      throw new HostError(
        `The matte is on ${where} and Track Matte Key is on "${clip.name}", but its settings could not be set or confirmed` +
          `${keyFailure ? ` (${hostErrorText(keyFailure)})` : ''}. In Effect Controls set Matte to "Video ${track.index + 1}" and ` +
          'Composite Using to "Matte Luma", or undo (Edit > Undo) and render an RGBA cutout.',
        { cause: keyFailure },
      );
    }
    const placedMatte = await this.timeline.placedMatte(
      sequence,
      track.index,
      start.ticks,
      stills.firstFramePath,
    );
    const motion = await this.copyMotion(project, placedMatte, clipMotion, label);
    const notes = [
      ...(key
        ? [
            `Track Matte Key set to Matte "Video ${track.index + 1}", Composite Using "Matte Luma" (menu values ${track.index + 1} and ${COMPOSITE_USING_MATTE_LUMA}; Adobe doesn't document them): check them in Effect Controls.`,
          ]
        : []),
      ...(existingKey >= 0
        ? [
            `The clip already had a Track Matte Key: it now uses this matte; earlier mattes stay on their tracks, unused. For two objects on one clip, duplicate the clip onto a free track and key each copy.`,
          ]
        : []),
      ...motion.notes,
      "Speed is followed; Time Remapping can't be read through Premiere's UXP API, so a time-remapped clip's matte won't follow it.",
    ];
    return {
      trackIndex: track.index,
      startSeconds: start.seconds,
      mode,
      undoSteps: (key ? 2 : 1) + motion.steps,
      notes,
    };
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
