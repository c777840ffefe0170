/**
 * Open clips: identity (same source → same clip id), their frame sources (opened lazily, also
 * after a restart) and frame reads. Sequential reads of a video continue one decoder instead of
 * seeking per frame; a few recent frames are cached for the panel's preview requests.
 */
import { createHash } from 'node:crypto';
import type { ClipInfo, ClipSource, ObjectInfo } from '@oneshot-roto/protocol';
import {
  type RgbFrame,
  type FrameSource,
  type IndexedFrame,
  openFrameSource,
  probeVideo,
  KeyedLock,
  type BackendClip,
} from '@oneshot-roto/core';
import { ProtocolError } from './errors';
import { checkMediaPath } from './path-rules';
import type { ClipRecord, Workspace } from './workspace';

const FRAME_CACHE = 3;
/** An idle clip closes its decoder (a paused ffmpeg process for videos) after this long. */
const IDLE_CLOSE_MS = 60_000;

class OpenClip {
  private source: FrameSource | undefined;
  private opening: Promise<FrameSource> | undefined;
  private cursor: { next: number; it: AsyncIterator<IndexedFrame> } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly cache = new Map<number, RgbFrame>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly record: ClipRecord) {}

  private async getSource(): Promise<FrameSource> {
    if (this.source) return this.source;
    this.opening ??= openRecordSource(this.record).then((s) => (this.source = s));
    try {
      return await this.opening;
    } finally {
      this.opening = undefined;
    }
  }

  /** Frames are read one at a time per clip (a video decoder is a single stream). */
  readFrame(index: number): Promise<RgbFrame> {
    if (!Number.isInteger(index) || index < 0 || index >= this.record.frameCount) {
      return Promise.reject(
        new ProtocolError(
          'not_found',
          `frame ${index} is outside clip ${this.record.clipId} (frames 0..${this.record.frameCount - 1})`,
        ),
      );
    }
    const run = this.chain.then(() => this.read(index));
    this.chain = run.catch(() => undefined);
    this.armIdleClose();
    return run;
  }

  private async read(index: number): Promise<RgbFrame> {
    const hit = this.cache.get(index);
    if (hit) return hit;
    const source = await this.getSource();
    let frame: RgbFrame;
    try {
      if (source.kind === 'video') {
        if (!this.cursor || this.cursor.next !== index) {
          await this.cursor?.it.return?.();
          this.cursor = { next: index, it: source.frames({ start: index })[Symbol.asyncIterator]() };
        }
        const r = await this.cursor.it.next();
        if (r.done) throw new Error(`the decoder ended before frame ${index}`);
        this.cursor.next = index + 1;
        frame = r.value.frame;
      } else {
        frame = await source.readFrame(index);
      }
    } catch (err) {
      this.cursor = undefined;
      throw new ProtocolError(
        'media_unreadable',
        `cannot decode frame ${index} of ${describeSource(this.record.source)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.cache.set(index, frame);
    if (this.cache.size > FRAME_CACHE) this.cache.delete(this.cache.keys().next().value as number);
    return frame;
  }

  private armIdleClose(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.chain = this.chain.then(() => this.close());
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.cache.clear();
    await this.cursor?.it.return?.().catch(() => undefined);
    this.cursor = undefined;
    await this.source?.close();
    this.source = undefined;
  }
}

function describeSource(s: ClipSource): string {
  return s.kind === 'video' ? `"${s.path}"` : `frames folder "${s.folder}"`;
}

async function openRecordSource(rec: ClipRecord): Promise<FrameSource> {
  const path = rec.source.kind === 'video' ? rec.source.path : rec.source.folder;
  try {
    return await openFrameSource(path, { start: rec.mediaStart, end: rec.mediaEnd, fps: rec.fps });
  } catch (err) {
    throw new ProtocolError(
      'media_unreadable',
      `cannot open ${describeSource(rec.source)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Stable id of a source: the same media and range always map to the same clip. */
export function clipIdFor(source: ClipSource): string {
  const key =
    source.kind === 'video'
      ? ['video', source.path, source.inFrame, source.outFrame, source.fps ?? null]
      : ['frames', source.folder, source.fps ?? null];
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
}

export class ClipRegistry {
  private readonly clips = new Map<string, OpenClip>();
  /** Opens of one clip id run one at a time: the second finds the first's record. */
  private readonly opening = new KeyedLock();

  constructor(private readonly workspace: Workspace) {}

  /** Loads the clips recorded in the workspace (after a restart). */
  async load(): Promise<void> {
    for (const rec of await this.workspace.loadClips()) this.clips.set(rec.clipId, new OpenClip(rec));
  }

  async open(requested: ClipSource, name?: string): Promise<{ record: ClipRecord; created: boolean }> {
    const source: ClipSource =
      requested.kind === 'video'
        ? { ...requested, path: await checkMediaPath(requested.path, 'source/path', 'file') }
        : { ...requested, folder: await checkMediaPath(requested.folder, 'source/folder', 'folder') };
    const clipId = clipIdFor(source);
    return this.opening.run(clipId, () => this.create(clipId, source, name));
  }

  private async create(
    clipId: string,
    source: ClipSource,
    name: string | undefined,
  ): Promise<{ record: ClipRecord; created: boolean }> {
    const existing = this.clips.get(clipId);
    if (existing) return { record: existing.record, created: false };

    let mediaStart = 0;
    let mediaEnd: number | undefined;
    let fps = source.fps;
    if (source.kind === 'video') {
      if (source.outFrame <= source.inFrame) {
        throw new ProtocolError(
          'bad_message',
          `outFrame ${source.outFrame} must be greater than inFrame ${source.inFrame} (outFrame is exclusive)`,
          { path: '/source/outFrame' },
        );
      }
      let info;
      try {
        info = await probeVideo(source.path);
      } catch (err) {
        throw new ProtocolError(
          'media_unreadable',
          `cannot read ${describeSource(source)} as video: ${(err as Error).message}`,
          { cause: err },
        );
      }
      // In/out frames count at the client's rate; the decoder counts at the media's.
      const scale = source.fps ? info.fps / source.fps : 1;
      mediaStart = Math.round(source.inFrame * scale);
      mediaEnd = Math.min(info.frameCount, Math.round(source.outFrame * scale));
      if (mediaStart >= info.frameCount || mediaEnd <= mediaStart) {
        throw new ProtocolError(
          'bad_message',
          `in/out frames ${source.inFrame}..${source.outFrame} are outside the media's ${info.frameCount} frames`,
          { path: '/source/inFrame' },
        );
      }
      fps = info.fps;
    }
    const mediaPath = source.kind === 'video' ? source.path : source.folder;
    let fs: FrameSource;
    try {
      fs = await openFrameSource(mediaPath, { start: mediaStart, end: mediaEnd, fps: fps ?? 24 });
    } catch (err) {
      throw new ProtocolError(
        'media_unreadable',
        `cannot open ${describeSource(source)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const record: ClipRecord = {
      clipId,
      source,
      ...(name !== undefined ? { name } : {}),
      width: fs.width,
      height: fs.height,
      frameCount: fs.frameCount,
      fps: fs.fps,
      mediaStart,
      mediaEnd: mediaStart + fs.frameCount,
      createdAt: new Date().toISOString(),
    };
    await fs.close();
    await this.workspace.saveClip(record);
    this.clips.set(clipId, new OpenClip(record));
    return { record, created: true };
  }

  get(clipId: string): ClipRecord {
    const c = this.clips.get(clipId);
    if (!c)
      throw new ProtocolError('not_found', `clip "${clipId}" is not known; send openClip first`, {
        path: '/clipId',
      });
    return c.record;
  }

  has(clipId: string): boolean {
    return this.clips.has(clipId);
  }

  list(): ClipRecord[] {
    return [...this.clips.values()].map((c) => c.record);
  }

  readFrame(clipId: string, index: number): Promise<RgbFrame> {
    this.get(clipId);
    return this.clips.get(clipId)!.readFrame(index);
  }

  /** The clip as a backend sees it. */
  backendClip(clipId: string): BackendClip {
    const rec = this.get(clipId);
    return {
      clipId,
      width: rec.width,
      height: rec.height,
      frameCount: rec.frameCount,
      readFrame: (i) => this.readFrame(clipId, i),
    };
  }

  /** Protocol view of a clip, with its objects' state from the workspace. */
  async info(clipId: string): Promise<ClipInfo> {
    const rec = this.get(clipId);
    const objects: ObjectInfo[] = [];
    for (const objectId of await this.workspace.listObjects(clipId)) {
      objects.push({
        objectId,
        annotations: await this.workspace.loadAnnotations(clipId, objectId),
        fineTuned: (await this.workspace.loadWeights(clipId, objectId)) !== undefined,
        framesDone: (await this.workspace.listMasks(clipId, objectId)).length,
      });
    }
    return {
      clipId,
      source: rec.source,
      width: rec.width,
      height: rec.height,
      frameCount: rec.frameCount,
      fps: rec.fps,
      objects,
      createdAt: rec.createdAt,
    };
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.clips.values()].map((c) => c.close().catch(() => undefined)));
  }
}
