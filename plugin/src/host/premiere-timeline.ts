// Look-ups on a Premiere sequence and its import bin that the adapter's edits rely on: which
// clips can be segmented, which track is free for a matte, whether files are already in use, and
// finding what importFiles (which answers only a boolean) and an overwrite/insert put there.
import { HostError, MATTE_ITEM_PREFIX } from './host-adapter';
import type {
  PClipProjectItem,
  PProjectItem,
  PSequence,
  PVideoClipTrackItem,
  PremiereApi,
} from './premiere-api';
import { samePath } from './paths';

/** Where the matte goes: an existing track that is free over its range, or a new one on top. */
export interface TrackChoice {
  readonly index: number;
  readonly create: boolean;
}

export class PremiereTimeline {
  constructor(private readonly api: PremiereApi) {}

  /** The media file a track item plays, or '' for graphics, titles, nests and synthetic media. */
  async mediaPathOf(item: PVideoClipTrackItem): Promise<string> {
    try {
      return await this.api.ClipProjectItem.cast(await item.getProjectItem()).getMediaFilePath();
    } catch {
      return '';
    }
  }

  /**
   * Whether a clip can be segmented: not one of our mattes, not an adjustment layer
   * (`isAdjustmentLayer`, in the typings), and backed by a media file the server can decode. The
   * typings have no "is a graphic" test; graphics and titles have no media file, so the last
   * check skips them.
   */
  async isSegmentable(item: PVideoClipTrackItem): Promise<boolean> {
    if ((await item.getName()).startsWith(MATTE_ITEM_PREFIX)) return false;
    if (await item.isAdjustmentLayer()) return false;
    return (await this.mediaPathOf(item)) !== '';
  }

  /** Whether any clip on `trackIndex` overlaps [start, end). */
  async trackBusy(sequence: PSequence, trackIndex: number, start: number, end: number): Promise<boolean> {
    const track = await sequence.getVideoTrack(trackIndex);
    for (const item of track.getTrackItems(this.api.Constants.TrackItemType.CLIP, false)) {
      if ((await item.getStartTime()).seconds < end && (await item.getEndTime()).seconds > start) return true;
    }
    return false;
  }

  /**
   * The first track above the clip that is free over the matte's whole range; else a new track on
   * top. The typings document track creation only for createInsertProjectItemAction ("If you
   * pass a track index greater than the number of existing tracks, a new track will be created"),
   * so a new track is made by inserting, never by overwriting past the end.
   */
  async trackFor(sequence: PSequence, clipTrack: number, start: number, end: number): Promise<TrackChoice> {
    const count = await sequence.getVideoTrackCount();
    for (let index = clipTrack + 1; index < count; index++) {
      if (!(await this.trackBusy(sequence, index, start, end))) return { index, create: false };
    }
    return { index: count, create: true };
  }

  /**
   * Refuses a sequence whose first frame an item in the bin or a clip in the sequence already
   * plays: rewriting those files would change a matte already on the timeline.
   */
  async refuseMediaInUse(sequence: PSequence, bin: PProjectItem, path: string): Promise<void> {
    const users: string[] = [];
    for (const item of await this.api.FolderItem.cast(bin).getItems()) {
      try {
        if (samePath(await this.api.ClipProjectItem.cast(item).getMediaFilePath(), path))
          users.push(item.name);
      } catch {
        // bins and sequences have no media path
      }
    }
    const count = await sequence.getVideoTrackCount();
    for (let i = 0; i < count; i++) {
      for (const item of (await sequence.getVideoTrack(i)).getTrackItems(
        this.api.Constants.TrackItemType.CLIP,
        false,
      )) {
        if (samePath(await this.mediaPathOf(item), path)) users.push(`V${i + 1}: ${await item.getName()}`);
      }
    }
    if (users.length > 0) {
      throw new HostError(
        `"${path}" is already used by ${users.join(', ')}. Placing it again would tie two mattes to the same files; render again (every render gets its own name).`,
      );
    }
  }

  /** importFiles only says true/false: find the imported item in the bin by its media path. */
  async findImported(
    bin: PProjectItem,
    mediaPath: string,
  ): Promise<{ item: PProjectItem; clipItem: PClipProjectItem }> {
    const folder = this.api.FolderItem.cast(bin);
    const items = await folder.getItems();
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
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

  /** The matte clip just placed: on `trackIndex`, starting at `startTicks`, playing `path`. */
  async placedMatte(
    sequence: PSequence,
    trackIndex: number,
    startTicks: string,
    path: string,
  ): Promise<PVideoClipTrackItem | undefined> {
    const track = await sequence.getVideoTrack(trackIndex);
    for (const item of track.getTrackItems(this.api.Constants.TrackItemType.CLIP, false)) {
      if ((await item.getStartTime()).ticks === startTicks && samePath(await this.mediaPathOf(item), path))
        return item;
    }
    return undefined;
  }
}
