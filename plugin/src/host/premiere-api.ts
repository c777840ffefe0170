// The part of Premiere Pro's UXP API (`require("premierepro")`) this plugin uses, narrowed from
// the official typings in @adobe/premierepro. The real module is checked to be assignable to
// `PremiereApi` below, so a renamed or retyped method in a new typings release fails the build;
// the test fakes implement exactly this surface.
import type { Action, Constants, Keyframe, premierepro, VideoFilterComponent } from '@adobe/premierepro';

export type { Action, Keyframe };

export interface PTickTime {
  readonly seconds: number;
  readonly ticks: string;
}

export interface PTickTimeStatic {
  createWithSeconds(seconds: number): PTickTime;
  createWithTicks(ticks: string): PTickTime;
}

export interface PFrameRate {
  readonly value: number;
}

export interface PSequenceSettings {
  getVideoFrameRate(): PFrameRate;
}

export interface PProjectItem {
  readonly name: string;
  readonly type: number;
}

export interface PFolderItem {
  readonly name: string;
  getItems(): Promise<PProjectItem[]>;
}

export interface PFootageInterpretation {
  getFrameRate(): number;
}

export interface PClipProjectItem {
  readonly name: string;
  getMediaFilePath(): Promise<string>;
  getFootageInterpretation(): Promise<PFootageInterpretation>;
  createSetOverrideFrameRateAction(inOverriddenFrameRateValue: number): Action;
  /** Limits what an edit of this item places to [inPoint, outPoint) of its media. */
  createSetInOutPointsAction(inPoint: PTickTime, outPoint: PTickTime): Action;
}

/** What a parameter holds: a number, string, boolean, PointF (Position) or Color. */
export type PParamValue = Keyframe['value']['value'];

/**
 * A parameter of a component in a clip's chain (Track Matte Key's "Matte", Motion's "Scale").
 * The typings give it a localised `displayName` and no match name, so code finds parameters by
 * index, never by name.
 */
export interface PComponentParam {
  readonly displayName: string;
  createKeyframe(inValue: PParamValue): Keyframe;
  createSetValueAction(inKeyFrame: Keyframe, inSafeForPlayback?: boolean): Action;
  /** The parameter's value as a keyframe (its `value.value`); used when it isn't time varying. */
  getStartValue(): Promise<Keyframe>;
  isTimeVarying(): boolean;
}

/** A component read from a clip's chain: the only object the typings give parameters to. */
export interface PComponent {
  getMatchName(): Promise<string>;
  getDisplayName(): Promise<string>;
  getParamCount(): number;
  getParam(paramIndex?: number): PComponentParam;
}

/**
 * What `VideoFilterFactory.createComponent` returns. The typings declare `VideoFilterComponent`
 * as `{}`: it can be appended to a chain and nothing else. Its parameters are reached through
 * the chain afterwards (`getComponentAtIndex`), as Adobe's samples do.
 */
export type PVideoFilterComponent = VideoFilterComponent;

export interface PVideoComponentChain {
  getComponentCount(): number;
  getComponentAtIndex(componentIndex: number): PComponent;
  createAppendComponentAction(component: PComponent | PVideoFilterComponent): Action;
  createRemoveComponentAction(component: PComponent | PVideoFilterComponent): Action;
}

export interface PVideoClipTrackItem {
  getName(): Promise<string>;
  getSpeed(): Promise<number>;
  isSpeedReversed(): Promise<number>;
  isAdjustmentLayer(): Promise<boolean>;
  getInPoint(): Promise<PTickTime>;
  getOutPoint(): Promise<PTickTime>;
  getStartTime(): Promise<PTickTime>;
  getEndTime(): Promise<PTickTime>;
  getTrackIndex(): Promise<number>;
  getProjectItem(): Promise<PProjectItem>;
  getComponentChain(): Promise<PVideoComponentChain>;
  createSetDisabledAction(disabled: boolean): Action;
}

/** What a selection item must answer (video and audio track items both do). */
export interface PSelectedTrackItem {
  getTrackIndex(): Promise<number>;
  getStartTime(): Promise<PTickTime>;
}

export interface PTrackItemSelection {
  getTrackItems(): Promise<PSelectedTrackItem[]>;
}

export interface PVideoTrack {
  getTrackItems(
    trackItemType: Constants.TrackItemType,
    includeEmptyTrackItems: boolean,
  ): PVideoClipTrackItem[];
}

export interface PSequence {
  readonly name: string;
  getPlayerPosition(): Promise<PTickTime>;
  getVideoTrackCount(): Promise<number>;
  getVideoTrack(trackIndex: number): Promise<PVideoTrack>;
  getSettings(): Promise<PSequenceSettings>;
  getSelection(): Promise<PTrackItemSelection>;
}

export interface PCompoundAction {
  addAction(action: Action): boolean;
}

export interface PProject {
  readonly name: string;
  getActiveSequence(): Promise<PSequence>;
  getInsertionBin(): Promise<PProjectItem>;
  importFiles(
    filePaths: string[],
    suppressUI?: boolean,
    targetBin?: PProjectItem,
    asNumberedStills?: boolean,
  ): Promise<boolean>;
  executeTransaction(callback: (compoundAction: PCompoundAction) => void, undoString?: string): boolean;
  lockedAccess(callback: () => void): void;
}

export interface PSequenceEditor {
  /** A video track index past the last track creates a track (the typings' note on this call). */
  createInsertProjectItemAction(
    projectItem: PProjectItem,
    time: PTickTime,
    videoTrackIndex: number,
    audioTrackIndex: number,
    limitShift: boolean,
  ): Action;
  createOverwriteItemAction(
    projectItem: PProjectItem,
    time: PTickTime,
    videoTrackIndex: number,
    audioTrackIndex: number,
  ): Action;
}

export interface PMarkers {
  createAddMarkerAction(
    Name: string,
    markerType?: string,
    startTime?: PTickTime,
    duration?: PTickTime,
    comments?: string,
  ): Action;
}

export interface PremiereApi {
  Project: { getActiveProject(): Promise<PProject> };
  ClipProjectItem: { cast(projectItem: PProjectItem): PClipProjectItem };
  FolderItem: { cast(projectItem: PProjectItem): PFolderItem };
  SequenceEditor: { getEditor(sequenceObject: PSequence): PSequenceEditor };
  VideoFilterFactory: {
    createComponent(matchName: string): Promise<PVideoFilterComponent>;
    getMatchNames(): Promise<string[]>;
    getDisplayNames(): Promise<string[]>;
  };
  Markers: { getMarkers(markerOwnerObject: PSequence | PClipProjectItem): Promise<PMarkers> };
  Marker: { readonly MARKER_TYPE_COMMENT: string };
  TickTime: PTickTimeStatic;
  Constants: { readonly TrackItemType: { readonly CLIP: Constants.TrackItemType } };
}

/** Compile-time check: the official module type satisfies the narrowed surface. */
export function asPremiereApi(module: premierepro): PremiereApi {
  return module;
}
