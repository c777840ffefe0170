// A typed fake of Premiere Pro's `premierepro` module (the `PremiereApi` surface the plugin uses)
// holding a small timeline model, and enforcing Premiere's rules so that code breaking them fails:
// - create*Action outside project.lockedAccess throws (Premiere 26.3+);
// - executeTransaction outside lockedAccess throws;
// - a transaction or lockedAccess callback that returns a Promise (an `async` callback, i.e. an
//   await inside) throws, and any action added after the callback returned is refused;
// - importFiles resolves to a bare boolean;
// - exportSequenceFrame writes "name.png.png" for "name.png".
// Actions run only when the transaction commits; each committed transaction is one undo step.
import type { Action, Keyframe } from '@adobe/premierepro';
import type {
  PClipProjectItem,
  PComponentParam,
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
  PVideoFilterComponent,
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
}

export interface FakeComponent {
  matchName: string;
  displayName: string;
  params: { displayName: string; value: number | string | boolean }[];
}

export interface FakeTrackItem {
  name: string;
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
  /** Whether VideoFilterFactory components expose their parameters (getParam). */
  componentsHaveParams?: boolean;
  /** Whether Track Matte Key is in the effect list at all. */
  hasTrackMatteKey?: boolean;
  /** Make importFiles fail (resolve false). */
  importFails?: boolean;
}

const TRACK_MATTE = { matchName: 'AE.ADBE Track Matte Key', displayName: 'Track Matte Key' };

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export class PremiereFake {
  readonly timeline: FakeTimeline;
  /** Committed transactions, newest last: one entry per undo step. */
  readonly undoStack: { label: string; actions: string[]; before: FakeTimeline }[] = [];
  /** Files the fake "wrote" (frame exports). */
  readonly files = new Set<string>();
  /** Numbered still sequences on the fake disk: first frame path -> frame count. */
  readonly stillSequences = new Map<string, number>();
  readonly options: Required<FakeOptions>;
  private lockDepth = 0;
  private inTransaction = false;

  constructor(timeline: FakeTimeline, options: FakeOptions = {}) {
    this.timeline = timeline;
    this.options = { componentsHaveParams: true, hasTrackMatteKey: true, importFails: false, ...options };
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
    return a as unknown as Action;
  }

  private mediaItem(media: FakeMediaItem): PProjectItem & PClipProjectItem {
    const fake = this;
    return {
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
      __media: media,
    } as PProjectItem & PClipProjectItem & { __media: FakeMediaItem };
  }

  private mediaOf(item: PProjectItem): FakeMediaItem {
    const media = (item as { __media?: FakeMediaItem }).__media;
    if (!media) throw new Error('not a project item of this fake');
    return media;
  }

  private componentObject(component: FakeComponent): PVideoFilterComponent {
    const fake = this;
    const base = { __component: component };
    if (!this.options.componentsHaveParams) return base;
    return {
      ...base,
      getParamCount: () => component.params.length,
      getParam: (i = 0): PComponentParam => {
        const param = component.params[i];
        return {
          displayName: param.displayName,
          createKeyframe: (value: number | string | boolean) => ({ value: { value } }) as unknown as Keyframe,
          createSetValueAction: (kf: Keyframe) =>
            fake.action(`setValue(${param.displayName})`, () => {
              param.value = (kf as unknown as { value: { value: number } }).value.value;
            }),
        };
      },
    };
  }

  private trackItem(item: FakeTrackItem, trackIndex: number): PVideoClipTrackItem {
    const fake = this;
    return {
      getName: async () => item.name,
      getSpeed: async () => item.speed,
      isSpeedReversed: async () => (item.reversed ? 1 : 0),
      getInPoint: async () => FakeTickTime.seconds(item.inPoint),
      getOutPoint: async () => FakeTickTime.seconds(item.outPoint),
      getStartTime: async () => FakeTickTime.seconds(item.start),
      getEndTime: async () => FakeTickTime.seconds(item.end),
      getTrackIndex: async () => trackIndex,
      getProjectItem: async () => fake.mediaItem(item.media),
      getComponentChain: async (): Promise<PVideoComponentChain> => ({
        getComponentCount: () => item.components.length,
        createAppendComponentAction: (component: PVideoFilterComponent) =>
          fake.action('createAppendComponentAction', () => {
            // The component object itself is appended (its later param edits land in the chain).
            item.components.push((component as { __component: FakeComponent }).__component);
          }),
      }),
      createSetDisabledAction: (disabled: boolean) =>
        fake.action(`createSetDisabledAction(${disabled})`, () => {
          item.disabled = disabled;
        }),
    };
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
            return t.tracks[i].map((item) => fake.trackItem(item, i));
          },
        };
      },
      getSettings: async () => ({ getVideoFrameRate: () => ({ value: t.fps }) }),
      getFrameSize: async () => ({ width: t.width, height: t.height }),
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
    const binItem = { name: 'Project', type: 2, __bin: true } as PProjectItem;
    return {
      name: 'Fake project',
      getActiveSequence: async () => fake.sequence(),
      getInsertionBin: async () => binItem,
      importFiles: async (paths, _suppressUI, targetBin, asNumberedStills) => {
        if (targetBin !== binItem) throw new Error('importFiles: unknown target bin');
        if (fake.options.importFails) return false;
        for (const p of paths) {
          const frameCount = fake.stillSequences.get(p);
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
          result = (callback as () => unknown)();
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
          result = (callback as (c: PCompoundAction) => unknown)(compound);
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
        for (const a of actions) a.apply();
        fake.undoStack.push({ label: undoString ?? '', actions: actions.map((a) => a.description), before });
        return true;
      },
    };
  }

  readonly api: PremiereApi = {
    Project: { getActiveProject: async () => this.project() },
    ClipProjectItem: {
      cast: (item) => {
        if ((item as { __bin?: boolean }).__bin) {
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
          };
        }
        return this.mediaItem(this.mediaOf(item));
      },
    },
    FolderItem: {
      cast: (item): PFolderItem => {
        if (!(item as { __bin?: boolean }).__bin) throw new Error('FolderItem.cast: not a bin');
        return { name: item.name, getItems: async () => this.timeline.bin.map((m) => this.mediaItem(m)) };
      },
    },
    SequenceEditor: {
      getEditor: (): PSequenceEditor => ({
        createOverwriteItemAction: (projectItem, time, videoTrackIndex) =>
          this.action(`createOverwriteItemAction(V${videoTrackIndex + 1} @ ${time.seconds}s)`, () => {
            const media = this.mediaOf(projectItem);
            const tracks = this.timeline.tracks;
            if (videoTrackIndex > tracks.length) throw new Error(`no video track ${videoTrackIndex}`);
            if (videoTrackIndex === tracks.length) tracks.push([]);
            // Duration of a numbered still sequence: its frame count at the (override) rate.
            const count = media.frameCount ?? 1;
            const fps = media.overrideFps ?? media.fps;
            const start = time.seconds;
            const end = start + count / fps;
            tracks[videoTrackIndex] = tracks[videoTrackIndex].filter((i) => i.end <= start || i.start >= end);
            tracks[videoTrackIndex].push({
              name: media.name,
              media: clone(media),
              start,
              end,
              inPoint: 0,
              outPoint: count / fps,
              speed: 1,
              reversed: false,
              disabled: false,
              components: [],
            });
          }),
      }),
    },
    VideoFilterFactory: {
      getMatchNames: async () => [
        'AE.ADBE Gamma',
        ...(this.options.hasTrackMatteKey ? [TRACK_MATTE.matchName] : []),
      ],
      getDisplayNames: async () => [
        'Gamma Correction',
        ...(this.options.hasTrackMatteKey ? [TRACK_MATTE.displayName] : []),
      ],
      createComponent: async (matchName) => {
        if (matchName !== TRACK_MATTE.matchName || !this.options.hasTrackMatteKey) {
          throw new Error(`unknown effect ${matchName}`);
        }
        return this.componentObject({
          ...TRACK_MATTE,
          params: [
            { displayName: 'Matte', value: 0 },
            { displayName: 'Composite Using', value: 0 },
            { displayName: 'Reverse', value: false },
          ],
        });
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
    Exporter: {
      exportSequenceFrame: async (_seq, _time, filename, folder) => {
        // Premiere's quirk: the extension is appended again.
        this.files.add(`${folder}/${filename}.png`);
        return true;
      },
    },
    Constants: { TrackItemType: { CLIP: 1 } },
  };
}

/** A sequence "Edit" at 25 fps, 1920x1080, with one clip on V1 and a title on V2 elsewhere. */
export function sampleTimeline(overrides: Partial<FakeTrackItem> = {}): FakeTimeline {
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
          components: [],
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
          components: [],
        },
      ],
    ],
    bin: [clipMedia],
    markers: [],
  };
}
