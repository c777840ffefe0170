// The part of After Effects' UXP API (`require("aftereffects")`, public beta, every member "since
// 27.0") this plugin uses. No typings package exists: these declarations follow Adobe's beta
// reference (AdobeDocs/uxp-after-effects, src/pages/after-effects-api/*.md, published at
// https://developer.adobe.com/after-effects/uxp/) and, where it is silent, the ExtendScript object
// model it mirrors (⚠ names may change while in beta; nothing here was run inside After Effects).

/** A footage file reference: UXP AE gives a path string or a file object with a native path (⚠). */
export type AeFileRef = string | { fsName?: string; nativePath?: string };

export interface AeFootageSource {
  readonly file: AeFileRef | null;
  /** Frame rate the footage is interpreted at; 0 = its native rate. */
  conformFrameRate: number;
  readonly displayFrameRate: number;
}

export interface AeFootageItem {
  name: string;
  readonly mainSource: AeFootageSource;
  readonly frameRate: number;
  readonly duration: number;
}

export interface AeAVLayer {
  readonly index: number;
  name: string;
  /** Comp time at which the layer's source time 0 sits. */
  startTime: number;
  inPoint: number;
  outPoint: number;
  /** Time stretch in percent: 100 normal, 50 twice as fast, negative reversed. */
  stretch: number;
  enabled: boolean;
  readonly source: AeFootageItem | null;
  /** AE 23+: makes `matte` this layer's track matte (the matte layer is turned off). */
  setTrackMatte?(matte: AeAVLayer, type: number): void;
  moveBefore(layer: AeAVLayer): void;
}

export interface AeLayerCollection {
  /** Adds a layer for `item` at the top of the comp, starting at time 0. */
  add(item: AeFootageItem): AeAVLayer;
}

export interface AeMarkerValue {
  comment: string;
}

export interface AeMarkerProperty {
  setValueAtTime(time: number, value: AeMarkerValue): void;
}

export interface AeCompItem {
  readonly name: string;
  time: number;
  readonly frameRate: number;
  readonly width: number;
  readonly height: number;
  readonly numLayers: number;
  readonly selectedLayers: AeAVLayer[];
  readonly layers: AeLayerCollection;
  readonly markerProperty: AeMarkerProperty;
  /** 1-based, top first. */
  layer(index: number): AeAVLayer;
}

/** importoptions.md: `file` is the path (a string) to import; `sequence` imports a numbered sequence. */
export interface AeImportOptions {
  file: string;
  sequence: boolean;
  forceAlphabetical: boolean;
}

export interface AeProject {
  readonly activeItem: AeCompItem | null;
  importFile(options: AeImportOptions): AeFootageItem;
}

/**
 * What `require("aftereffects")` returns: the Application itself. The reference's "Access the API"
 * example is `const app = require("aftereffects"); app.beginUndoGroup("…"); … app.endUndoGroup();`
 * (after-effects-api/index.md), and application.md lists `project`, `version`, `beginUndoGroup`
 * and `endUndoGroup` on it.
 */
export interface AfterEffectsApi {
  readonly project: AeProject;
  readonly version: string;
  beginUndoGroup(name: string): boolean | void;
  endUndoGroup(): boolean | void;
  /**
   * The reference documents ImportOptions' fields ("If a file is set in the constructor") and
   * MarkerValue, but not where their constructors or the TrackMatteType enum live (⚠): they are
   * optional here, and the adapter works without them (a plain options object; no marker; the
   * RGBA cutout instead of a track matte).
   */
  readonly ImportOptions?: new (file?: string) => AeImportOptions;
  readonly MarkerValue?: new (comment: string) => AeMarkerValue;
  readonly TrackMatteType?: { readonly LUMA: number; readonly ALPHA: number };
}

export function filePathOf(ref: AeFileRef | null): string | undefined {
  if (!ref) return undefined;
  return typeof ref === 'string' ? ref : (ref.fsName ?? ref.nativePath);
}
