/**
 * The server's persistent state on disk. Layout (every file written atomically:
 * temp file, fsync, rename; read-modify-writes of one object's files, one clip record or one job
 * record are serialised, so concurrent requests never lose each other's changes):
 *   <root>/clips/<clipId>/clip.json
 *   <root>/clips/<clipId>/objects/<objectId>/annotations.json + annotations/<frame>.png
 *     (0 background, 255 object, 128 open: annotation/stored-mask.ts)
 *   <root>/clips/<clipId>/objects/<objectId>/weights.json + weights.bin
 *   <root>/clips/<clipId>/objects/<objectId>/masks/<frame>.png (8-bit soft matte)
 *   <root>/clips/<clipId>/objects/<objectId>/track.json (the piece track over the stored masks, for
 *     the previews: jobs/preview-track.ts)
 *   <root>/jobs/<jobId>.json (+ <jobId>.frames: one finished frame index per line, appended)
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type {
  AnnotationInfo,
  ClipSource,
  ErrorBody,
  JobKind,
  JobPhase,
  JobState,
  MatteControls,
  PresetName,
  RenderFormat,
} from '@oneshot-roto/protocol';
import {
  readJsonIfExists,
  removeStaleTempFiles,
  writeFileAtomic,
  writeJsonAtomic,
  KeyedLock,
  PieceTrack,
  type EdgeSnapMethod,
  type FrameEvidence,
} from '@oneshot-roto/core';

export interface ClipRecord {
  clipId: string;
  /** The source as the client sent it, with the path resolved. */
  source: ClipSource;
  name?: string;
  width: number;
  height: number;
  frameCount: number;
  fps: number;
  /** Range in the media, in the media's own frames (half-open). */
  mediaStart: number;
  mediaEnd: number;
  createdAt: string;
}

export interface WeightsRecord {
  file: string;
  threshold: number;
  /** The backend's edge snap for these weights' maps (absent in records written before it was one). */
  edgeSnap?: EdgeSnapMethod;
  jobId: string;
  annotationFrames: number[];
  createdAt: string;
}

export interface JobParams {
  preset?: PresetName;
  resume?: boolean;
  /** fineTune jobs: segment afterwards. */
  thenSegment?: boolean;
  playheadFrame?: number;
  range?: [number, number];
  /** render jobs. */
  format?: RenderFormat;
  outputFolder?: string;
  name?: string;
  matte?: MatteControls;
  segmentMissing?: boolean;
  /** render jobs: annotated frames come back as painted (default true). */
  keepPainted?: boolean;
}

export interface JobRecord {
  jobId: string;
  kind: JobKind;
  clipId: string;
  objectId: string;
  state: JobState;
  phase: JobPhase;
  params: JobParams;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The request that created it, for idempotent retries across restarts. */
  requestId?: string;
  requestHash?: string;
  /** The `clientId` of the client that sent it (absent: an anonymous connection's request). */
  requestClient?: string;
  /** Times the job was re-queued after a crash. */
  restarts: number;
  iteration?: number;
  iterations?: number;
  loss?: number;
  framesTotal?: number;
  etaSeconds?: number;
  outputs?: string[];
  error?: ErrorBody;
}

export const DEFAULT_OBJECT = 'main';

/** A frame's evidence as evidence.jsonl keeps it: which network (weights' job) segmented it. */
export interface StoredEvidence extends FrameEvidence {
  /** The fine-tune job whose weights segmented the frame; absent for the parent alone. */
  network?: string;
}

export function frameFileName(frame: number): string {
  return `${String(frame).padStart(5, '0')}.png`;
}

/** Folders and files of the workspace: the owner's alone (0700 / 0600), like the install token. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export class Workspace {
  readonly root: string;
  readonly clipsDir: string;
  readonly jobsDir: string;
  /** Serialises read-modify-writes per object folder, per clip record and per job record. */
  private readonly lock = new KeyedLock();
  /** Loaded preview tracks by track file (null: none saved), so each overlay does not parse one. */
  private readonly tracks = new Map<string, PieceTrack | null>();

  constructor(root: string) {
    this.root = root;
    this.clipsDir = join(root, 'clips');
    this.jobsDir = join(root, 'jobs');
  }

  async init(): Promise<void> {
    // Private like the token: clips, annotations and weights are the user's work.
    await fs.mkdir(this.root, { recursive: true, mode: DIR_MODE });
    await fs.chmod(this.root, DIR_MODE);
    await fs.mkdir(this.clipsDir, { recursive: true, mode: DIR_MODE });
    await fs.mkdir(this.jobsDir, { recursive: true, mode: DIR_MODE });
    await removeStaleTempFiles(this.jobsDir);
    // Temp files of writes a crash interrupted (annotations saved with no job running, clip records).
    for (const clipId of await fs.readdir(this.clipsDir).catch(() => [] as string[])) {
      await removeStaleTempFiles(this.clipDir(clipId));
      for (const objectId of await this.listObjects(clipId)) await this.cleanObjectTemp(clipId, objectId);
    }
  }

  clipDir(clipId: string): string {
    return join(this.clipsDir, clipId);
  }
  objectDir(clipId: string, objectId: string): string {
    return join(this.clipsDir, clipId, 'objects', objectId);
  }
  maskDir(clipId: string, objectId: string): string {
    return join(this.objectDir(clipId, objectId), 'masks');
  }
  maskPath(clipId: string, objectId: string, frame: number): string {
    return join(this.maskDir(clipId, objectId), frameFileName(frame));
  }
  annotationPath(clipId: string, objectId: string, frame: number): string {
    return join(this.objectDir(clipId, objectId), 'annotations', frameFileName(frame));
  }

  // ---- clips ----
  async saveClip(clip: ClipRecord): Promise<void> {
    const file = join(this.clipDir(clip.clipId), 'clip.json');
    await this.lock.run(file, async () => {
      await fs.mkdir(this.clipDir(clip.clipId), { recursive: true, mode: DIR_MODE });
      await writeJsonAtomic(file, clip, FILE_MODE);
    });
  }

  async loadClips(): Promise<ClipRecord[]> {
    const out: ClipRecord[] = [];
    for (const name of await fs.readdir(this.clipsDir).catch(() => [] as string[])) {
      const clip = await readJsonIfExists<ClipRecord>(join(this.clipsDir, name, 'clip.json')).catch(
        () => undefined,
      );
      if (clip && clip.clipId === name) out.push(clip);
    }
    return out;
  }

  async listObjects(clipId: string): Promise<string[]> {
    return (await fs.readdir(join(this.clipDir(clipId), 'objects')).catch(() => [] as string[])).sort();
  }

  // ---- annotations ----
  async loadAnnotations(clipId: string, objectId: string): Promise<AnnotationInfo[]> {
    return (
      (await readJsonIfExists<AnnotationInfo[]>(
        join(this.objectDir(clipId, objectId), 'annotations.json'),
      )) ?? []
    );
  }

  /**
   * Writes the mask PNG, then the index that names it (so the index never points at a missing
   * file), both under the object's lock: concurrent saves of one object queue up, so none is lost
   * and the index entry of a frame always describes the PNG stored for it.
   */
  async saveAnnotation(clipId: string, info: AnnotationInfo, png: Uint8Array): Promise<void> {
    const dir = this.objectDir(clipId, info.objectId);
    await this.lock.run(dir, async () => {
      await fs.mkdir(join(dir, 'annotations'), { recursive: true, mode: DIR_MODE });
      await fs.mkdir(join(dir, 'masks'), { recursive: true, mode: DIR_MODE });
      await writeFileAtomic(this.annotationPath(clipId, info.objectId, info.frame), png, FILE_MODE);
      const list = (await this.loadAnnotations(clipId, info.objectId)).filter((a) => a.frame !== info.frame);
      list.push(info);
      list.sort((a, b) => a.frame - b.frame);
      await writeJsonAtomic(join(dir, 'annotations.json'), list, FILE_MODE);
    });
  }

  async readAnnotationPng(clipId: string, objectId: string, frame: number): Promise<Buffer> {
    return fs.readFile(this.annotationPath(clipId, objectId, frame));
  }

  // ---- weights ----
  async loadWeights(clipId: string, objectId: string): Promise<WeightsRecord | undefined> {
    const rec = await readJsonIfExists<WeightsRecord>(join(this.objectDir(clipId, objectId), 'weights.json'));
    if (!rec) return undefined;
    const file = join(this.objectDir(clipId, objectId), rec.file);
    return (await fs.stat(file).then(
      () => true,
      () => false,
    ))
      ? { ...rec, file }
      : undefined;
  }

  /** A temp path for a fine-tune job to write weights to. */
  pendingWeightsPath(clipId: string, objectId: string, jobId: string): string {
    return join(this.objectDir(clipId, objectId), `weights-${jobId}.partial`);
  }

  /**
   * Where a fine-tune job keeps its finished networks until its weights are written: survives a
   * restart (unlike the `.partial` temp files) so the job continues where it was.
   */
  fineTuneProgressPath(clipId: string, objectId: string, jobId: string): string {
    return join(this.objectDir(clipId, objectId), `fine-tune-${jobId}.progress`);
  }

  /** Moves finished weights into place, then records them. */
  async commitWeights(
    clipId: string,
    objectId: string,
    produced: string,
    rec: Omit<WeightsRecord, 'file'>,
  ): Promise<WeightsRecord> {
    const dir = this.objectDir(clipId, objectId);
    const name = `weights-${rec.jobId}.bin`;
    await this.lock.run(dir, async () => {
      await fs.rename(produced, join(dir, name));
      await fs.chmod(join(dir, name), FILE_MODE);
      const previous = await readJsonIfExists<WeightsRecord>(join(dir, 'weights.json'));
      await writeJsonAtomic(join(dir, 'weights.json'), { ...rec, file: name }, FILE_MODE);
      if (previous && previous.file !== name) await fs.rm(join(dir, previous.file), { force: true });
    });
    return { ...rec, file: join(dir, name) };
  }

  // ---- masks ----
  private readonly madeDirs = new Set<string>();

  async writeMask(clipId: string, objectId: string, frame: number, png: Uint8Array): Promise<void> {
    const dir = this.maskDir(clipId, objectId);
    if (!this.madeDirs.has(dir)) {
      await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
      this.madeDirs.add(dir);
    }
    await writeFileAtomic(this.maskPath(clipId, objectId, frame), png, FILE_MODE);
  }

  async readMask(clipId: string, objectId: string, frame: number): Promise<Buffer | undefined> {
    return fs.readFile(this.maskPath(clipId, objectId, frame)).catch(() => undefined);
  }

  /** Frame indices that have a finished mask. */
  async listMasks(clipId: string, objectId: string): Promise<number[]> {
    const names = await fs.readdir(this.maskDir(clipId, objectId)).catch(() => [] as string[]);
    return names
      .filter((n) => /^\d{5,}\.png$/.test(n))
      .map((n) => Number(n.slice(0, -4)))
      .sort((a, b) => a - b);
  }

  /** Removes what interrupted writes left in an object's folders (under its lock: no save is cut). */
  async cleanObjectTemp(clipId: string, objectId: string): Promise<void> {
    const dir = this.objectDir(clipId, objectId);
    await this.lock.run(dir, async () => {
      await removeStaleTempFiles(this.maskDir(clipId, objectId));
      await removeStaleTempFiles(join(dir, 'annotations'));
      await removeStaleTempFiles(dir);
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      await Promise.all(
        names.filter((n) => n.endsWith('.partial')).map((n) => fs.rm(join(dir, n), { force: true })),
      );
    });
  }

  // ---- preview track ----
  private trackPath(clipId: string, objectId: string): string {
    return join(this.objectDir(clipId, objectId), 'track.json');
  }

  /** Saves the piece track planned over the object's stored masks. */
  async saveTrack(clipId: string, objectId: string, track: PieceTrack): Promise<void> {
    const file = this.trackPath(clipId, objectId);
    await this.lock.run(file, async () => {
      await writeJsonAtomic(file, track.toJSON(), FILE_MODE);
      this.tracks.set(file, track);
    });
  }

  /** Forgets the object's track (its masks or annotations are about to change). */
  async clearTrack(clipId: string, objectId: string): Promise<void> {
    const file = this.trackPath(clipId, objectId);
    await this.lock.run(file, async () => {
      this.tracks.set(file, null);
      await fs.rm(file, { force: true });
    });
  }

  /**
   * The object's saved track, if any. A damaged file is an error naming it (the previews can go
   * on without it; segmenting again writes a new one).
   */
  async loadTrack(clipId: string, objectId: string): Promise<PieceTrack | undefined> {
    const file = this.trackPath(clipId, objectId);
    const cached = this.tracks.get(file);
    if (cached !== undefined) return cached ?? undefined;
    return this.lock.run(file, async () => {
      let track: PieceTrack | null = null;
      const json = await readJsonIfExists<unknown>(file).catch((err: unknown) => {
        throw new Error(`the piece track ${file} is unreadable; segment the clip again to rebuild it`, {
          cause: err,
        });
      });
      if (json !== undefined) {
        try {
          track = PieceTrack.fromJSON(json);
        } catch (err) {
          throw new Error(`the piece track ${file} is damaged; segment the clip again to rebuild it`, {
            cause: err,
          });
        }
      }
      this.tracks.set(file, track);
      return track ?? undefined;
    });
  }

  // ---- jobs ----
  /** Saves the job as it is now; saves of one job land in call order (the last call's state stays). */
  async saveJob(job: JobRecord): Promise<void> {
    const file = join(this.jobsDir, `${job.jobId}.json`);
    const text = `${JSON.stringify(job, null, 2)}\n`;
    await this.lock.run(file, () => writeFileAtomic(file, text, FILE_MODE));
  }

  async loadJobs(): Promise<JobRecord[]> {
    const names = await fs.readdir(this.jobsDir).catch(() => [] as string[]);
    const jobs: JobRecord[] = [];
    for (const n of names.filter((x) => x.endsWith('.json') && !x.startsWith('.'))) {
      const job = await readJsonIfExists<JobRecord>(join(this.jobsDir, n)).catch(() => undefined);
      if (job) jobs.push(job);
    }
    return jobs.sort((a, b) =>
      a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.jobId < b.jobId ? -1 : 1,
    );
  }

  /** Records a finished frame of a job (after its mask file was renamed into place). */
  async appendJobFrame(jobId: string, frame: number): Promise<void> {
    await fs.appendFile(join(this.jobsDir, `${jobId}.frames`), `${frame}\n`, { mode: FILE_MODE });
  }

  /**
   * Records how sure the network was of a frame's mask (one JSON line per segmented frame,
   * appended: a frame segmented again gets a later line, which wins).
   */
  async appendEvidence(
    clipId: string,
    objectId: string,
    frame: number,
    evidence: StoredEvidence,
  ): Promise<void> {
    const file = this.evidencePath(clipId, objectId);
    const line = `${JSON.stringify({ frame, ...evidence })}\n`;
    // Under the file's lock so that a compaction (below) never drops a line appended meanwhile.
    await this.lock.run(file, () => fs.appendFile(file, line, { mode: FILE_MODE }));
  }

  /** Each frame's latest evidence; torn or malformed lines (a crash mid-append) are skipped. */
  async loadEvidence(clipId: string, objectId: string): Promise<Map<number, StoredEvidence>> {
    const text = await fs.readFile(this.evidencePath(clipId, objectId), 'utf8').catch(() => '');
    return latestEvidence(text).latest;
  }

  /**
   * Rewrites evidence.jsonl with each frame's latest line only, in frame order, once superseded
   * and torn lines make up more than half of it: every segment job appends a line per frame, so
   * a clip corrected and re-segmented many times would otherwise grow without bound. The rewrite
   * is atomic and under the file's lock, so a crash leaves the old file or the new one and an
   * append waits for it. Resolves to the number of lines dropped (0 when it left the file alone).
   */
  async compactEvidence(clipId: string, objectId: string): Promise<number> {
    const file = this.evidencePath(clipId, objectId);
    return this.lock.run(file, async () => {
      const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw err;
      });
      const { latest, lines } = latestEvidence(text);
      if (lines <= 2 * latest.size) return 0;
      const frames = [...latest.keys()].sort((a, b) => a - b);
      const kept = frames.map((frame) => `${JSON.stringify({ frame, ...latest.get(frame) })}\n`).join('');
      await writeFileAtomic(file, kept, FILE_MODE);
      return lines - latest.size;
    });
  }

  private evidencePath(clipId: string, objectId: string): string {
    return join(this.objectDir(clipId, objectId), 'evidence.jsonl');
  }

  /** Finished frames of a job in production order; a torn last line (crash mid-append) is ignored. */
  async loadJobFrames(jobId: string): Promise<number[]> {
    const text = await fs.readFile(join(this.jobsDir, `${jobId}.frames`), 'utf8').catch(() => '');
    const lines = text.split('\n');
    if (!text.endsWith('\n')) lines.pop();
    return lines.filter((l) => /^\d+$/.test(l)).map(Number);
  }

  async clearJobFrames(jobId: string): Promise<void> {
    await fs.rm(join(this.jobsDir, `${jobId}.frames`), { force: true });
  }
}

/** Each frame's latest evidence in an evidence.jsonl text, and how many non-empty lines it has. */
function latestEvidence(text: string): { latest: Map<number, StoredEvidence>; lines: number } {
  const latest = new Map<number, StoredEvidence>();
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    lines++;
    const parsed = parseEvidenceLine(line);
    if (parsed) latest.set(parsed.frame, parsed.evidence);
  }
  return { latest, lines };
}

/** One line of evidence.jsonl, or undefined when it is not one the server wrote whole. */
function parseEvidenceLine(line: string): { frame: number; evidence: StoredEvidence } | undefined {
  if (!line.startsWith('{') || !line.endsWith('}')) return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const share = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 1;
  if (!Number.isInteger(v.frame) || (v.frame as number) < 0) return undefined;
  if (!share(v.area) || !share(v.cx) || !share(v.cy) || !share(v.uncertain)) return undefined;
  if (v.agreement !== undefined && !share(v.agreement)) return undefined;
  const evidence: StoredEvidence = { area: v.area, cx: v.cx, cy: v.cy, uncertain: v.uncertain };
  if (v.agreement !== undefined) evidence.agreement = v.agreement;
  if (typeof v.network === 'string') evidence.network = v.network;
  const p = v.previous as Record<string, unknown> | undefined;
  if (p !== undefined) {
    if (typeof p !== 'object' || p === null || !share(p.area) || !share(p.cx) || !share(p.cy))
      return undefined;
    evidence.previous = { area: p.area, cx: p.cx, cy: p.cy };
  }
  return { frame: v.frame as number, evidence };
}
