// The part of Premiere Pro's UXP API (`require("premierepro")`) this plugin uses, narrowed from
// the official typings in @adobe/premierepro. The real module is checked to be assignable to
// `PremiereApi` below, so a renamed or retyped method in a new typings release fails the build;
// the test fakes implement exactly this surface.
import type { Action, Constants, Keyframe, premierepro } from '@adobe/premierepro';

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

export interface PRect {
  width: number;
  height: number;
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
}

/** A filter component's parameter (Track Matte Key's "Matte", "Composite Using", "Reverse"). */
export interface PComponentParam {
  readonly displayName: string;
  createKeyframe(inValue: number | string | boolean): Keyframe;
  createSetValueAction(inKeyFrame: Keyframe, inSafeForPlayback?: boolean): Action;
}

/**
 * What `VideoFilterFactory.createComponent` returns at run time. The typings declare
 * `VideoFilterComponent` as `{}`; its parameters are only reachable when the object also
 * behaves as a `Component` (⚠ not confirmed in Premiere), which the adapter feature-detects.
 */
export interface PComponentWithParams {
  getParamCount(): number;
  getParam(paramIndex?: number): PComponentParam;
}

export type PVideoFilterComponent = object;

export interface PVideoComponentChain {
  getComponentCount(): number;
  createAppendComponentAction(component: PVideoFilterComponent): Action;
}

export interface PVideoClipTrackItem {
  getName(): Promise<string>;
  getSpeed(): Promise<number>;
  isSpeedReversed(): Promise<number>;
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
  getFrameSize(): Promise<PRect>;
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
  Exporter: {
    exportSequenceFrame(
      sequence: PSequence,
      time: PTickTime,
      filename: string,
      filepath: string,
      width: number,
      height: number,
    ): Promise<boolean>;
  };
  Constants: { readonly TrackItemType: { readonly CLIP: Constants.TrackItemType } };
}

/** Compile-time check: the official module type satisfies the narrowed surface. */
export function asPremiereApi(module: premierepro): PremiereApi {
  return module;
}
