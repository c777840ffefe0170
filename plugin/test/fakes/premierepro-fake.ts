// A typed fake of Premiere Pro's `premierepro` module (the `PremiereApi` surface the plugin uses)
// holding a small timeline model, and enforcing Premiere's rules so that code breaking them fails:
// - create*Action outside project.lockedAccess throws (Premiere 26.3+);
// - executeTransaction outside lockedAccess throws;
// - a transaction or lockedAccess callback that returns a Promise (an `async` callback, i.e. an
//   await inside) throws, and any action added after the callback returned is refused;
// - importFiles resolves to a bare boolean;
// - each call returns only what @adobe/premierepro declares: the object createComponent returns
//   has no members (VideoFilterComponent is `{}`), parameters exist only on components read from
//   a clip's chain, an overwrite past the last track is refused (only insert documents creating a
//   track), createKeyframe throws on a value of the wrong type (documented), and an imported
//   numbered sequence holds every file on disk that continues its numbering.
// Actions run only when the transaction commits; each committed transaction is one undo step.
import type { Action, Keyframe } from '@adobe/premierepro';
import type {
  PClipProjectItem,
  PComponent,
  PComponentParam,
  PParamValue,
  PCompoundAction,
  PFolderItem,
  PMarkers,
  PProject,
  PProjectItem,
  PSequence,
  PSequenceEditor,
  PTickTime,
  PVideoClipTrackItem,
  PVideoComponentChain,
  PVideoTrack,
  PremiereApi,
} from '../../src/host/premiere-api';

export const TICKS_PER_SECOND = 254016000000;

export class FakeTickTime implements PTickTime {
  constructor(readonly ticksNumber: number) {}
  get seconds(): number {
    return this.ticksNumber / TICKS_PER_SECOND;
  }
  get ticks(): string {
    return String(Math.round(this.ticksNumber));
  }
  static seconds(s: number): FakeTickTime {
    return new FakeTickTime(Math.round(s * TICKS_PER_SECOND));
  }
}

/** What an action does to the model when its transaction commits. */
interface FakeAction {
  readonly description: string;
  apply(): void;
}

export interface FakeMediaItem {
  name: string;
  mediaPath: string;
  fps: number;
  /** Frame rate override set by createSetOverrideFrameRateAction. */
  overrideFps?: number;
  asNumberedStills?: boolean;
  /** Frames of a numbered still sequence. */
  frameCount?: number;
  /** In/out points set with createSetInOutPointsAction (seconds of the item's media). */
  inOut?: [number, number];
}

/** A plain {x, y} stands in for PointF, as the fake never builds host objects. */
export type FakeValue = number | string | boolean | { x: number; y: number };

export interface FakeParam {
  displayName: string;
  value: FakeValue;
  timeVarying?: boolean;
}

export interface FakeComponent {
  matchName: string;
  displayName: string;
  params: FakeParam[];
}

export type FakeLocale = 'en' | 'de';

export interface FakeTrackItem {
  name: string;
  adjustmentLayer?: boolean;
  media: FakeMediaItem;
  start: number; // seconds
  end: number;
  inPoint: number; // media seconds
  outPoint: number;
  speed: number;
  reversed: boolean;
  disabled: boolean;
  components: FakeComponent[];
  /** Selected in the timeline. */
  selected?: boolean;
}

export interface FakeMarker {
  name: string;
  type: string;
  start: number;
  duration: number;
  comments: string;
}

export interface FakeTimeline {
  sequenceName: string;
  fps: number;
  width: number;
  height: number;
  playhead: number;
  tracks: FakeTrackItem[][];
  bin: FakeMediaItem[];
  markers: FakeMarker[];
}

export interface FakeOptions {
  /** Language of display names (effects and parameters); match names never change. */
  locale?: FakeLocale;
  /** Whether Track Matte Key is in the effect list at all. */
  hasTrackMatteKey?: boolean;
  /** Make importFiles fail (resolve false). */
  importFails?: boolean;
}

type NameKey =
  | 'AE.ADBE Track Matte Key'
  | 'AE.ADBE Gamma'
  | 'AE.ADBE Motion'
  | 'AE.ADBE Opacity'
  | 'Matte'
  | 'Composite'
  | 'Reverse'
  | 'Position'
  | 'Scale'
  | 'ScaleWidth'
  | 'Uniform'
  | 'Rotation'
  | 'Anchor'
  | 'Flicker'
  | 'Opacity'
  | 'Blend';

const NAMES: Record<FakeLocale, Record<NameKey, string>> = {
  en: {
    'AE.ADBE Track Matte Key': 'Track Matte Key',
    'AE.ADBE Gamma': 'Gamma Correction',
    'AE.ADBE Motion': 'Motion',
    'AE.ADBE Opacity': 'Opacity',
    Matte: 'Matte',
    Composite: 'Composite Using',
    Reverse: 'Reverse',
    Position: 'Position',
    Scale: 'Scale',
    ScaleWidth: 'Scale Width',
    Uniform: 'Uniform Scale',
    Rotation: 'Rotation',
    Anchor: 'Anchor Point',
    Flicker: 'Anti-flicker Filter',
    Opacity: 'Opacity',
    Blend: 'Blend Mode',
  },
  de: {
    'AE.ADBE Track Matte Key': 'Spurmaske-Key',
    'AE.ADBE Gamma': 'Gammakorrektur',
    'AE.ADBE Motion': 'Bewegung',
    'AE.ADBE Opacity': 'Deckkraft',
    Matte: 'Maske',
    Composite: 'Compositing mit',
    Reverse: 'Umkehren',
    Position: 'Position',
    Scale: 'Skalierung',
    ScaleWidth: 'Skalierungsbreite',
    Uniform: 'Gleichmäßige Skalierung',
    Rotation: 'Drehung',
    Anchor: 'Ankerpunkt',
    Flicker: 'Flimmerfilter',
    Opacity: 'Deckkraft',
    Blend: 'Füllmethode',
  },
};

const TRACK_MATTE_MATCH_NAME = 'AE.ADBE Track Matte Key';

/** Parameters by index: Track Matte Key as the Premiere user guide lists it in Effect Controls. */
function trackMatteKey(locale: FakeLocale): FakeComponent {
  const n = NAMES[locale];
  return {
    matchName: TRACK_MATTE_MATCH_NAME,
    displayName: n[TRACK_MATTE_MATCH_NAME],
    params: [
      { displayName: n.Matte, value: 0 },
      { displayName: n.Composite, value: 0 },
      { displayName: n.Reverse, value: false },
    ],
  };
}

/** The two components every video clip's chain starts with (Adobe's sample inserts at index 2). */
export function intrinsicComponents(
  locale: FakeLocale = 'en',
  motion: Partial<Record<string, FakeValue>> = {},
): FakeComponent[] {
  const n = NAMES[locale];
  const p = (key: NameKey, value: FakeValue): FakeParam => ({
    displayName: n[key],
    value: motion[key] ?? value,
  });
  return [
    {
      matchName: 'AE.ADBE Opacity',
      displayName: n['AE.ADBE Opacity'],
      params: [
        { displayName: n.Opacity, value: 100 },
        { displayName: n.Blend, value: 0 },
      ],
    },
    {
      matchName: 'AE.ADBE Motion',
      displayName: n['AE.ADBE Motion'],
      params: [
        p('Position', { x: 0.5, y: 0.5 }),
        p('Scale', 100),
        p('ScaleWidth', 100),
        p('Uniform', true),
        p('Rotation', 0),
        p('Anchor', { x: 0.5, y: 0.5 }),
        p('Flicker', 0),
      ],
    },
  ];
}

function sameType(a: FakeValue, b: unknown): boolean {
  if (typeof a !== 'object') return typeof a === typeof b;
  return typeof b === 'object' && b !== null && typeof (b as { x?: unknown }).x === 'number';
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export class PremiereFake {
  readonly timeline: FakeTimeline;
  /** Committed transactions, newest last: one entry per undo step. */
  readonly undoStack: { label: string; actions: string[]; before: FakeTimeline }[] = [];
  /** Numbered still sequences on the fake disk: first frame path -> frame count. */
  readonly stillSequences = new Map<string, number>();
  /** Folders where any numbered sequence holds this many files (for names chosen at run time). */
  readonly stillFolders = new Map<string, number>();
  readonly options: Required<FakeOptions>;
  private lockDepth = 0;
  private inTransaction = false;

  /** What each opaque host object stands for; the objects themselves carry only typed members. */
  private readonly projectItems = new WeakMap<object, FakeMediaItem>();
  private readonly filters = new WeakMap<object, FakeComponent>();
  private readonly bins = new WeakSet<object>();

  constructor(timeline: FakeTimeline, options: FakeOptions = {}) {
    this.timeline = timeline;
    this.options = { locale: 'en', hasTrackMatteKey: true, importFails: false, ...options };
  }

  /** Reverts the newest transaction, like Edit > Undo. */
  undo(): string {
    const step = this.undoStack.pop();
    if (!step) throw new Error('nothing to undo');
    Object.assign(this.timeline, clone(step.before));
    return step.label;
  }

  private requireLock(what: string): void {
    if (this.lockDepth === 0) {
      throw new Error(`${what} called outside project.lockedAccess(): Premiere 26.3+ refuses this`);
    }
  }

  /** Builds an opaque Action; refuses creation outside the lock. */
  private action(description: string, apply: () => void): Action {
    this.requireLock(description);
    const a: FakeAction = { description, apply };
    return a;
  }

  private mediaItem(media: FakeMediaItem): PProjectItem & PClipProjectItem {
    const fake = this;
    const item: PProjectItem & PClipProjectItem = {
      get name() {
        return media.name;
      },
      type: 1,
      getMediaFilePath: async () => media.mediaPath,
      getFootageInterpretation: async () => ({ getFrameRate: () => media.overrideFps ?? media.fps }),
      createSetOverrideFrameRateAction: (fps: number) =>
        fake.action(`createSetOverrideFrameRateAction(${fps})`, () => {
          media.overrideFps = fps;
        }),
      createSetInOutPointsAction: (inPoint, outPoint) =>
        fake.action(`createSetInOutPointsAction(${inPoint.seconds}, ${outPoint.seconds})`, () => {
          media.inOut = [inPoint.seconds, outPoint.seconds];
        }),
    };
    this.projectItems.set(item, media);
    return item;
  }

  private mediaOf(item: PProjectItem): FakeMediaItem {
    const media = this.projectItems.get(item);
    if (!media) throw new Error('not a project item of this fake');
    return media;
  }

  /** A parameter of a component in a chain: reads and writes the timeline model. */
  private param(param: FakeParam): PComponentParam {
    const fake = this;
    return {
      displayName: param.displayName,
      createKeyframe: (value: PParamValue) => {
        // Documented: "This throws if the passed in value is not compatible with the component param type".
        if (!sameType(param.value, value))
          throw new Error(`createKeyframe: ${String(value)} does not fit ${param.displayName}`);
        const plain =
          typeof value === 'object'
            ? { x: (value as { x: number }).x, y: (value as { y: number }).y }
            : value;
        return { value: { value: plain } } as unknown as Keyframe;
      },
      createSetValueAction: (kf: Keyframe) =>
        fake.action(`setValue(${param.displayName})`, () => {
          if (param.timeVarying)
            throw new Error(
              `${param.displayName} is time varying: createSetValueAction is for non-time-varying params`,
            );
          param.value = (kf as unknown as { value: { value: FakeValue } }).value.value;
        }),
      getStartValue: async () => ({ value: { value: clone(param.value) } }) as unknown as Keyframe,
      isTimeVarying: () => param.timeVarying === true,
    };
  }

  private component(component: FakeComponent): PComponent {
    return {
      getMatchName: async () => component.matchName,
      getDisplayName: async () => component.displayName,
      getParamCount: () => component.params.length,
      getParam: (i = 0) => {
        const param = component.params[i];
        if (!param) throw new Error(`${component.matchName} has no parameter ${i}`);
        return this.param(param);
      },
    };
  }

  /** The fake component a chain call was given: a filter from createComponent or one read from a chain. */
  private filterOf(component: object, item: FakeTrackItem): FakeComponent {
    const filter = this.filters.get(component);
    if (filter) return clone(filter);
    throw new Error(`not a VideoFilterComponent of this fake (${item.name})`);
  }

  private trackItem(item: FakeTrackItem, trackIndex: number): PVideoClipTrackItem {
    const fake = this;
    return {
      getName: async () => item.name,
      getSpeed: async () => item.speed,
      isSpeedReversed: async () => (item.reversed ? 1 : 0),
      isAdjustmentLayer: async () => item.adjustmentLayer === true,
      getInPoint: async () => FakeTickTime.seconds(item.inPoint),
      getOutPoint: async () => FakeTickTime.seconds(item.outPoint),
      getStartTime: async () => FakeTickTime.seconds(item.start),
      getEndTime: async () => FakeTickTime.seconds(item.end),
      getTrackIndex: async () => trackIndex,
      getProjectItem: async () => fake.mediaItem(item.media),
      getComponentChain: async (): Promise<PVideoComponentChain> => ({
        getComponentCount: () => item.components.length,
        getComponentAtIndex: (i: number) => {
          const component = item.components[i];
          if (!component) throw new Error(`no component ${i} on ${item.name}`);
          return fake.component(component);
        },
        createAppendComponentAction: (component: object) => {
          const filter = fake.filterOf(component, item);
          return fake.action('createAppendComponentAction', () => {
            item.components.push(filter);
          });
        },
        createRemoveComponentAction: () => {
          throw new Error('the fake does not model removing components');
        },
      }),
      createSetDisabledAction: (disabled: boolean) =>
        fake.action(`createSetDisabledAction(${disabled})`, () => {
          item.disabled = disabled;
        }),
    };
  }

  /**
   * Length on the timeline of a placed project item: its in/out range if set, else every frame
   * of the media (for a numbered sequence, every file on disk continuing its numbering).
   */
  private placedLength(media: FakeMediaItem): number {
    if (media.inOut) return media.inOut[1] - media.inOut[0];
    return (media.frameCount ?? 1) / (media.overrideFps ?? media.fps);
  }

  /** Puts `media` on a track at `start`, overwriting what it covers there. */
  private place(media: FakeMediaItem, start: number, trackIndex: number): void {
    const tracks = this.timeline.tracks;
    const length = this.placedLength(media);
    const end = start + length;
    const inPoint = media.inOut?.[0] ?? 0;
    tracks[trackIndex] = tracks[trackIndex]!.filter((i) => i.end <= start || i.start >= end);
    tracks[trackIndex].push({
      name: media.name,
      media: clone(media),
      start,
      end,
      inPoint,
      outPoint: inPoint + length,
      speed: 1,
      reversed: false,
      disabled: false,
      components: intrinsicComponents(this.options.locale),
    });
  }

  private sequence(): PSequence {
    const fake = this;
    const t = this.timeline;
    return {
      get name() {
        return t.sequenceName;
      },
      getPlayerPosition: async () => FakeTickTime.seconds(t.playhead),
      getVideoTrackCount: async () => t.tracks.length,
      getVideoTrack: async (i: number): Promise<PVideoTrack> => {
        if (i < 0 || i >= t.tracks.length) throw new Error(`no video track ${i}`);
        return {
          getTrackItems: (type, includeEmpty) => {
            if (type !== fake.api.Constants.TrackItemType.CLIP || includeEmpty) {
              throw new Error('the fake models clip items only');
            }
            return t.tracks[i]!.map((item) => fake.trackItem(item, i));
          },
        };
      },
      getSettings: async () => ({ getVideoFrameRate: () => ({ value: t.fps }) }),
      getSelection: async () => ({
        getTrackItems: async () =>
          t.tracks.flatMap((items, i) =>
            items.filter((item) => item.selected).map((item) => fake.trackItem(item, i)),
          ),
      }),
    };
  }

  private project(): PProject {
    const fake = this;
    const t = this.timeline;
    const binItem: PProjectItem = { name: 'Project', type: 2 };
    fake.bins.add(binItem);
    return {
      name: 'Fake project',
      getActiveSequence: async () => fake.sequence(),
      getInsertionBin: async () => binItem,
      importFiles: async (paths, _suppressUI, targetBin, asNumberedStills) => {
        if (targetBin !== binItem) throw new Error('importFiles: unknown target bin');
        if (fake.options.importFails) return false;
        for (const p of paths) {
          const frameCount =
            fake.stillSequences.get(p) ?? fake.stillFolders.get(p.replace(/[\\/][^\\/]*$/, ''));
          if (frameCount === undefined) return false; // no such file
          const name = p.replace(/^.*[\\/]/, '');
          const stills = asNumberedStills === true;
          t.bin.push({
            name,
            mediaPath: p,
            fps: 25,
            asNumberedStills: stills,
            frameCount: stills ? frameCount : 1,
          });
        }
        return true; // only a boolean, never the item
      },
      lockedAccess: (callback) => {
        fake.lockDepth++;
        let result: unknown;
        try {
          result = callback();
        } finally {
          fake.lockDepth--;
        }
        if (result instanceof Promise) {
          throw new Error(
            'lockedAccess callback returned a Promise: the lock is released before the await resumes',
          );
        }
      },
      executeTransaction: (callback, undoString) => {
        fake.requireLock('executeTransaction');
        if (fake.inTransaction) throw new Error('nested executeTransaction');
        const actions: FakeAction[] = [];
        let open = true;
        const compound: PCompoundAction = {
          addAction: (a: Action) => {
            if (!open)
              throw new Error('addAction after the transaction callback returned (an await inside it?)');
            actions.push(a as unknown as FakeAction);
            return true;
          },
        };
        fake.inTransaction = true;
        let result: unknown;
        try {
          result = callback(compound);
        } finally {
          fake.inTransaction = false;
          open = false;
        }
        if (result instanceof Promise) {
          throw new Error(
            'executeTransaction callback returned a Promise: it must be synchronous (no await)',
          );
        }
        if (actions.length === 0) return false;
        const before = clone(t);
        try {
          for (const a of actions) a.apply();
        } catch (err) {
          Object.assign(t, before); // a refused action takes the whole transaction back
          throw err;
        }
        fake.undoStack.push({ label: undoString ?? '', actions: actions.map((a) => a.description), before });
        return true;
      },
    };
  }

  readonly api: PremiereApi = {
    Project: { getActiveProject: async () => this.project() },
    ClipProjectItem: {
      cast: (item) => {
        if (this.bins.has(item)) {
          // Like Premiere: a bin cast to a clip has no media.
          return {
            name: item.name,
            getMediaFilePath: async () => {
              throw new Error('not a clip');
            },
            getFootageInterpretation: async () => {
              throw new Error('not a clip');
            },
            createSetOverrideFrameRateAction: () => {
              throw new Error('not a clip');
            },
            createSetInOutPointsAction: () => {
              throw new Error('not a clip');
            },
          };
        }
        return this.mediaItem(this.mediaOf(item));
      },
    },
    FolderItem: {
      cast: (item): PFolderItem => {
        if (!this.bins.has(item)) throw new Error('FolderItem.cast: not a bin');
        return { name: item.name, getItems: async () => this.timeline.bin.map((m) => this.mediaItem(m)) };
      },
    },
    SequenceEditor: {
      getEditor: (): PSequenceEditor => ({
        createOverwriteItemAction: (projectItem, time, videoTrackIndex) =>
          this.action(`createOverwriteItemAction(V${videoTrackIndex + 1} @ ${time.seconds}s)`, () => {
            // Only insert documents creating a track for an index past the last one.
            if (videoTrackIndex >= this.timeline.tracks.length) {
              throw new Error(`overwrite: no video track ${videoTrackIndex}`);
            }
            this.place(this.mediaOf(projectItem), time.seconds, videoTrackIndex);
          }),
        createInsertProjectItemAction: (projectItem, time, videoTrackIndex, _audioTrackIndex, limitShift) =>
          this.action(`createInsertProjectItemAction(V${videoTrackIndex + 1} @ ${time.seconds}s)`, () => {
            const tracks = this.timeline.tracks;
            // "If you pass a track index greater than the number of existing tracks, a new track will be created."
            if (videoTrackIndex >= tracks.length) tracks.push([]);
            const index = Math.min(videoTrackIndex, tracks.length - 1);
            const media = this.mediaOf(projectItem);
            const length = this.placedLength(media);
            // An insert pushes later clips on the target track (and, without limitShift, on every track).
            for (const [i, items] of tracks.entries()) {
              if (i !== index && limitShift) continue;
              for (const item of items) {
                if (item.start >= time.seconds) {
                  item.start += length;
                  item.end += length;
                }
              }
            }
            this.place(media, time.seconds, index);
          }),
      }),
    },
    VideoFilterFactory: {
      getMatchNames: async () => [
        'AE.ADBE Gamma',
        ...(this.options.hasTrackMatteKey ? [TRACK_MATTE_MATCH_NAME] : []),
      ],
      getDisplayNames: async () => [
        NAMES[this.options.locale]['AE.ADBE Gamma'],
        ...(this.options.hasTrackMatteKey ? [NAMES[this.options.locale][TRACK_MATTE_MATCH_NAME]] : []),
      ],
      createComponent: async (matchName) => {
        if (matchName !== TRACK_MATTE_MATCH_NAME || !this.options.hasTrackMatteKey) {
          throw new Error(`unknown effect ${matchName}`);
        }
        // VideoFilterComponent is `{}` in the typings: an object with nothing on it.
        const component = Object.freeze({});
        this.filters.set(component, trackMatteKey(this.options.locale));
        return component;
      },
    },
    Markers: {
      getMarkers: async (): Promise<PMarkers> => ({
        createAddMarkerAction: (name, type = 'Comment', start, duration, comments = '') =>
          this.action(`createAddMarkerAction(${name})`, () => {
            this.timeline.markers.push({
              name,
              type,
              start: start?.seconds ?? 0,
              duration: duration?.seconds ?? 0,
              comments,
            });
          }),
      }),
    },
    Marker: { MARKER_TYPE_COMMENT: 'Comment' },
    TickTime: {
      createWithSeconds: (s) => FakeTickTime.seconds(s),
      createWithTicks: (t) => new FakeTickTime(Number(t)),
    },
    Constants: { TrackItemType: { CLIP: 1 } },
  };
}

/** A sequence "Edit" at 25 fps, 1920x1080, with one clip on V1 and a title on V2 elsewhere. */
export function sampleTimeline(
  overrides: Partial<FakeTrackItem> = {},
  locale: FakeLocale = 'en',
): FakeTimeline {
  const clipMedia: FakeMediaItem = { name: 'interview.mov', mediaPath: '/media/interview.mov', fps: 25 };
  return {
    sequenceName: 'Edit',
    fps: 25,
    width: 1920,
    height: 1080,
    playhead: 11,
    tracks: [
      [
        {
          name: 'interview.mov',
          media: clipMedia,
          start: 10,
          end: 14,
          inPoint: 2,
          outPoint: 6,
          speed: 1,
          reversed: false,
          disabled: false,
          components: intrinsicComponents(locale),
          ...overrides,
        },
      ],
      [
        {
          name: 'title',
          media: { name: 'title.png', mediaPath: '/media/title.png', fps: 25 },
          start: 0,
          end: 5,
          inPoint: 0,
          outPoint: 5,
          speed: 1,
          reversed: false,
          disabled: false,
          components: intrinsicComponents(locale),
        },
      ],
    ],
    bin: [clipMedia],
    markers: [],
  };
}
