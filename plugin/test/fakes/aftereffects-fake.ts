// A typed fake of After Effects' `aftereffects` UXP module (the `AfterEffectsApi` surface), with a
// comp model and AE's undo behaviour: every change made outside beginUndoGroup/endUndoGroup is its
// own undo step, changes inside one group are one step; unbalanced groups throw; importFile
// returns the footage item (or throws for a missing file, like AE).
import type {
  AeAVLayer,
  AeCompItem,
  AeFootageItem,
  AeImportOptions,
  AeMarkerValue,
  AfterEffectsApi,
} from '../../src/host/aftereffects-api';

export interface FakeFootage {
  id: number;
  name: string;
  path: string;
  frameRate: number;
  conformFrameRate: number;
  frames: number;
  isSequence: boolean;
}

export interface FakeLayer {
  name: string;
  footageId: number | null;
  startTime: number;
  inPoint: number;
  outPoint: number;
  stretch: number;
  enabled: boolean;
  selected: boolean;
  trackMatte: { layerName: string; type: 'luma' | 'alpha' } | null;
}

export interface FakeComp {
  name: string;
  time: number;
  frameRate: number;
  width: number;
  height: number;
  /** Top first: layers[0] is layer index 1. */
  layers: FakeLayer[];
  footage: FakeFootage[];
  markers: { time: number; comment: string }[];
}

const LUMA = 3;
const ALPHA = 1;

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export class AfterEffectsFake {
  readonly undoStack: { label: string; changes: string[]; before: FakeComp }[] = [];
  /** Image sequences on the fake disk: first frame path -> frame count. */
  readonly stillSequences = new Map<string, number>();
  private group: { label: string; changes: string[]; before: FakeComp } | undefined;
  private groupDepth = 0;

  readonly api: AfterEffectsApi;

  /** `withConstructors: false`: a module without ImportOptions, MarkerValue and TrackMatteType. */
  constructor(
    readonly comp: FakeComp,
    private readonly withConstructors = true,
  ) {
    this.api = this.createApi();
  }

  undo(): string {
    if (this.group) throw new Error('undo while an undo group is open');
    const step = this.undoStack.pop();
    if (!step) throw new Error('nothing to undo');
    Object.assign(this.comp, clone(step.before));
    return step.label;
  }

  /** Runs a change, as part of the open undo group or as its own undo step. */
  private change<T>(description: string, apply: () => T): T {
    if (this.group) {
      this.group.changes.push(description);
      return apply();
    }
    const before = clone(this.comp);
    const result = apply();
    this.undoStack.push({ label: description, changes: [description], before });
    return result;
  }

  private footageItem(f: FakeFootage): AeFootageItem {
    const fake = this;
    return {
      get name() {
        return f.name;
      },
      set name(v: string) {
        fake.change(`rename footage ${v}`, () => (f.name = v));
      },
      mainSource: {
        get file() {
          return { fsName: f.path };
        },
        get conformFrameRate() {
          return f.conformFrameRate;
        },
        set conformFrameRate(v: number) {
          fake.change(`conformFrameRate ${v}`, () => (f.conformFrameRate = v));
        },
        get displayFrameRate() {
          return f.conformFrameRate || f.frameRate;
        },
      },
      get frameRate() {
        return f.conformFrameRate || f.frameRate;
      },
      get duration() {
        return f.frames / (f.conformFrameRate || f.frameRate);
      },
      __id: f.id,
    } as AeFootageItem & { __id: number };
  }

  private layerObject(data: FakeLayer): AeAVLayer {
    const fake = this;
    const comp = this.comp;
    const prop = <K extends keyof FakeLayer>(key: K) => ({
      get: () => data[key],
      set: (v: FakeLayer[K]) =>
        fake.change(`${data.name}.${String(key)} = ${JSON.stringify(v)}`, () => (data[key] = v)),
    });
    const layer = {
      get index() {
        const i = comp.layers.indexOf(data);
        if (i < 0) throw new Error(`layer ${data.name} was removed`);
        return i + 1;
      },
      get source() {
        const f = comp.footage.find((x) => x.id === data.footageId);
        return f ? fake.footageItem(f) : null;
      },
      setTrackMatte(matte: AeAVLayer, type: number) {
        const target = (matte as unknown as { __data: FakeLayer }).__data;
        if (!comp.layers.includes(target)) throw new Error('setTrackMatte: matte layer not in this comp');
        fake.change(`${data.name}.setTrackMatte(${target.name})`, () => {
          data.trackMatte = { layerName: target.name, type: type === LUMA ? 'luma' : 'alpha' };
        });
      },
      moveBefore(other: AeAVLayer) {
        const target = (other as unknown as { __data: FakeLayer }).__data;
        fake.change(`${data.name}.moveBefore(${target.name})`, () => {
          comp.layers.splice(comp.layers.indexOf(data), 1);
          comp.layers.splice(comp.layers.indexOf(target), 0, data);
        });
      },
      __data: data,
    };
    for (const key of ['name', 'inPoint', 'outPoint', 'stretch', 'enabled'] as const) {
      Object.defineProperty(layer, key, { ...prop(key), enumerable: true });
    }
    // Like AE, moving startTime slides the whole layer (in and out points with it).
    Object.defineProperty(layer, 'startTime', {
      enumerable: true,
      get: () => data.startTime,
      set: (v: number) =>
        fake.change(`${data.name}.startTime = ${v}`, () => {
          const delta = v - data.startTime;
          data.startTime = v;
          data.inPoint += delta;
          data.outPoint += delta;
        }),
    });
    return layer as unknown as AeAVLayer;
  }

  private compItem(): AeCompItem {
    const fake = this;
    const comp = this.comp;
    return {
      get name() {
        return comp.name;
      },
      get time() {
        return comp.time;
      },
      set time(t: number) {
        comp.time = t;
      },
      get frameRate() {
        return comp.frameRate;
      },
      get width() {
        return comp.width;
      },
      get height() {
        return comp.height;
      },
      get numLayers() {
        return comp.layers.length;
      },
      get selectedLayers() {
        return comp.layers.filter((l) => l.selected).map((l) => fake.layerObject(l));
      },
      layers: {
        add: (item: AeFootageItem) => {
          const id = (item as AeFootageItem & { __id: number }).__id;
          const f = comp.footage.find((x) => x.id === id);
          if (!f) throw new Error('layers.add: item not in project');
          return fake.change(`add layer ${f.name}`, () => {
            const layer: FakeLayer = {
              name: f.name,
              footageId: f.id,
              startTime: 0,
              inPoint: 0,
              outPoint: f.frames / (f.conformFrameRate || f.frameRate),
              stretch: 100,
              enabled: true,
              selected: false,
              trackMatte: null,
            };
            comp.layers.unshift(layer);
            return fake.layerObject(layer);
          });
        },
      },
      markerProperty: {
        setValueAtTime: (time: number, value: AeMarkerValue) =>
          fake.change(`marker ${value.comment}`, () => comp.markers.push({ time, comment: value.comment })),
      },
      layer: (index: number) => {
        const data = comp.layers[index - 1];
        if (!data) throw new Error(`no layer ${index}`);
        return fake.layerObject(data);
      },
    };
  }

  private createApi(): AfterEffectsApi {
    const fake = this;
    // The module is the Application itself (require("aftereffects").beginUndoGroup, .project).
    return {
      version: '27.0 (fake)',
      project: {
        get activeItem() {
          return fake.compItem();
        },
        importFile: (options: AeImportOptions) => {
          // Documented: the file to import is `file` (a string); an options object without it fails.
          const path = options.file;
          if (typeof path !== 'string') throw new Error('ImportOptions.file is not set');
          const frames = this.stillSequences.get(path);
          if (frames === undefined) throw new Error(`File "${path}" not found`);
          const f: FakeFootage = {
            id: this.comp.footage.length + 100,
            name: path.replace(/^.*[\\/]/, ''),
            path,
            frameRate: 30, // AE's default still-sequence rate until conformed
            conformFrameRate: 0,
            frames: options.sequence ? frames : 1,
            isSequence: options.sequence,
          };
          return this.change(`import ${f.name}`, () => {
            this.comp.footage.push(f);
            return this.footageItem(f);
          });
        },
      },
      beginUndoGroup: (label: string) => {
        this.groupDepth++;
        if (this.groupDepth === 1) this.group = { label, changes: [], before: clone(this.comp) };
      },
      endUndoGroup: () => {
        if (this.groupDepth === 0) throw new Error('endUndoGroup without beginUndoGroup');
        this.groupDepth--;
        if (this.groupDepth === 0 && this.group) {
          if (this.group.changes.length > 0) this.undoStack.push(this.group);
          this.group = undefined;
        }
      },
      ...(this.withConstructors
        ? {
            ImportOptions: class {
              file = '';
              sequence = false;
              forceAlphabetical = false;
              constructor(file?: string) {
                if (file !== undefined) this.file = file;
              }
            },
            MarkerValue: class {
              constructor(public comment: string) {}
            },
            TrackMatteType: { LUMA, ALPHA },
          }
        : {}),
    };
  }
}

/** Comp "Shot 010" at 25 fps with a trimmed footage layer (in 2 s of source) and a title above. */
export function sampleComp(layerOverrides: Partial<FakeLayer> = {}): FakeComp {
  return {
    name: 'Shot 010',
    time: 11,
    frameRate: 25,
    width: 1920,
    height: 1080,
    footage: [
      {
        id: 1,
        name: 'interview.mov',
        path: '/media/interview.mov',
        frameRate: 25,
        conformFrameRate: 0,
        frames: 500,
        isSequence: false,
      },
      {
        id: 2,
        name: 'title.png',
        path: '/media/title.png',
        frameRate: 25,
        conformFrameRate: 0,
        frames: 1,
        isSequence: false,
      },
    ],
    layers: [
      {
        name: 'title.png',
        footageId: 2,
        startTime: 0,
        inPoint: 0,
        outPoint: 5,
        stretch: 100,
        enabled: true,
        selected: false,
        trackMatte: null,
      },
      {
        name: 'interview.mov',
        footageId: 1,
        startTime: 8, // source 0 at comp 8 s, trimmed so the layer starts at 10 s = source 2 s
        inPoint: 10,
        outPoint: 14,
        stretch: 100,
        enabled: true,
        selected: false,
        trackMatte: null,
        ...layerOverrides,
      },
    ],
    markers: [],
  };
}
