// HostAdapter for After Effects (UXP beta, `require("aftereffects")`). The "clip" is the selected
// footage layer of the active comp (or the topmost footage layer at the current time). The matte
// is imported as an image sequence, added just above the layer with the same timing and set as
// its luma track matte, all inside one undo group.
import type {
  ActiveClip,
  HostAdapter,
  MarkerRequest,
  MattePlacement,
  MattePlacementResult,
  PlayheadPosition,
} from './host-adapter';
import { HostError, MATTE_ITEM_PREFIX } from './host-adapter';
import {
  filePathOf,
  type AeAVLayer,
  type AeCompItem,
  type AeImportOptions,
  type AfterEffectsApi,
} from './aftereffects-api';
import { frameOfMediaSeconds, sourceFrameAt, timelineSecondsOf } from './time-mapping';

export class AfterEffectsHostAdapter implements HostAdapter {
  readonly kind = 'aftereffects' as const;
  readonly displayName = 'After Effects';

  constructor(private readonly api: AfterEffectsApi) {}

  private comp(): AeCompItem {
    const item = this.api.project.activeItem;
    if (!item || typeof (item as Partial<AeCompItem>).layer !== 'function') {
      throw new HostError(
        'No composition is active in After Effects. Open the comp that holds the footage layer.',
      );
    }
    return item;
  }

  private isFootage(layer: AeAVLayer): boolean {
    return (
      !!layer.source &&
      !!filePathOf(layer.source.mainSource.file) &&
      !layer.name.startsWith(MATTE_ITEM_PREFIX)
    );
  }

  private layerToSegment(comp: AeCompItem): AeAVLayer {
    const selected = comp.selectedLayers.filter((l) => this.isFootage(l));
    if (selected[0]) return selected[0];
    for (let i = 1; i <= comp.numLayers; i++) {
      const layer = comp.layer(i);
      if (this.isFootage(layer) && comp.time >= layer.inPoint && comp.time < layer.outPoint) return layer;
    }
    throw new HostError(
      `No footage layer is selected or under the current time in "${comp.name}". Select the layer to segment.`,
    );
  }

  private locate(comp: AeCompItem, clip: ActiveClip): AeAVLayer {
    for (let i = 1; i <= comp.numLayers; i++) {
      const layer = comp.layer(i);
      if (this.clipId(comp, layer) === clip.id) return layer;
    }
    throw new HostError(
      `The layer "${clip.name}" is no longer in "${comp.name}". Select it again with "Segment object".`,
    );
  }

  private clipId(comp: AeCompItem, layer: AeAVLayer): string {
    return `${comp.name}#${layer.name}@${layer.startTime}`;
  }

  async getActiveClip(): Promise<ActiveClip> {
    const comp = this.comp();
    const layer = this.layerToSegment(comp);
    const source = layer.source!;
    const mediaFps = source.mainSource.conformFrameRate || source.frameRate;
    const speed = 100 / layer.stretch; // stretch 50% plays twice as fast; negative is reversed
    const sourceSeconds = (t: number) => (t - layer.startTime) * (100 / layer.stretch);
    const a = frameOfMediaSeconds(sourceSeconds(layer.inPoint), mediaFps);
    const b = frameOfMediaSeconds(sourceSeconds(layer.outPoint), mediaFps);
    return {
      id: this.clipId(comp, layer),
      name: layer.name,
      mediaPath: filePathOf(source.mainSource.file)!,
      sourceInFrame: Math.min(a, b),
      sourceOutFrame: Math.max(a, b),
      mediaFps,
      timelineFps: comp.frameRate,
      speed,
      timelineStart: layer.inPoint,
      timelineEnd: layer.outPoint,
      trackIndex: layer.index,
    };
  }

  async getPlayhead(clip: ActiveClip): Promise<PlayheadPosition> {
    const t = this.comp().time;
    return { timelineSeconds: t, sourceFrame: sourceFrameAt(clip, t) };
  }

  async canApplyTrackMatte(clip: ActiveClip): Promise<boolean> {
    return (
      this.api.TrackMatteType !== undefined &&
      typeof this.locate(this.comp(), clip).setTrackMatte === 'function'
    );
  }

  /** ImportOptions for a numbered sequence: the module's constructor if it has one, else a plain object. */
  private sequenceImport(file: string): AeImportOptions {
    const fields = { file, sequence: true, forceAlphabetical: false };
    return this.api.ImportOptions ? Object.assign(new this.api.ImportOptions(file), fields) : fields;
  }

  async placeMatte(request: MattePlacement): Promise<MattePlacementResult> {
    const { clip, sequence, mode, label } = request;
    const comp = this.comp();
    const layer = this.locate(comp, clip);
    const matteType = this.api.TrackMatteType;
    if (mode === 'track-matte' && (typeof layer.setTrackMatte !== 'function' || !matteType)) {
      throw new HostError(
        'This After Effects version cannot set a track matte from a script; render an RGBA cutout instead.',
      );
    }
    if (clip.speed < 0) {
      throw new HostError(`"${clip.name}" plays reversed; precompose it and segment the precomp's footage.`);
    }
    const app = this.api;
    app.beginUndoGroup(label);
    try {
      const footage = app.project.importFile(this.sequenceImport(sequence.firstFramePath));
      if (!footage)
        throw new HostError(`After Effects could not import "${sequence.firstFramePath}" as a sequence.`);
      footage.name = `${MATTE_ITEM_PREFIX} ${label}`;
      // Stills play at the media rate, stretched like the clip, so frame n lands on source frame n.
      footage.mainSource.conformFrameRate = clip.mediaFps;
      const matte = comp.layers.add(footage);
      matte.name = `${MATTE_ITEM_PREFIX} matte`;
      matte.stretch = layer.stretch;
      matte.startTime = layer.inPoint;
      matte.moveBefore(layer);
      if (mode === 'track-matte' && matteType) {
        layer.setTrackMatte!(matte, matteType.LUMA);
        matte.enabled = false;
      } else {
        layer.enabled = false;
      }
      return { trackIndex: matte.index, startSeconds: matte.startTime, mode, undoSteps: 1, notes: [] };
    } catch (err) {
      if (err instanceof HostError) throw err;
      throw new HostError(
        `After Effects refused "${label}": ${(err as Error).message}. Undo (Ctrl/Cmd+Z) reverts what was done.`,
        {
          cause: err,
        },
      );
    } finally {
      app.endUndoGroup();
    }
  }

  async addMarker(request: MarkerRequest): Promise<void> {
    const comp = this.comp();
    const MarkerValue = this.api.MarkerValue;
    if (!MarkerValue) {
      throw new HostError(
        'This After Effects beta exposes no MarkerValue to the panel: add the marker by hand.',
      );
    }
    const app = this.api;
    app.beginUndoGroup(`Add marker "${request.name}"`);
    try {
      const value = new MarkerValue(`${request.name}: ${request.comment}`);
      comp.markerProperty.setValueAtTime(timelineSecondsOf(request.clip, request.sourceFrame), value);
    } finally {
      app.endUndoGroup();
    }
  }
}
