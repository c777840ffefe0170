/**
 * The jobs this server knows, in memory: each record, the frames each has produced (index = seq),
 * and which client request created which job (for idempotent retries).
 */
import { randomBytes } from 'node:crypto';
import type { JobInfo } from '@oneshot-roto/protocol';
import { ProtocolError } from '../errors';
import type { JobRecord } from '../workspace';

/** A job-starting request: whose it is (see Client.requestScope), its id and its body's hash. */
export interface RequestKey {
  scope: string;
  id: string;
  hash: string;
  /** The named client's id; only its requests are found again after a restart. */
  clientId?: string;
}

/** Where a request id is looked up: its scope and id (the hash is compared by the caller). */
export type RequestRef = Pick<RequestKey, 'scope' | 'id'>;

function requestKey(ref: RequestRef): string {
  return `${ref.scope}\n${ref.id}`;
}

let counter = 0;
/** The counter resets with the server; the time and random parts keep ids from repeating across restarts. */
export function newJobId(): string {
  counter = (counter + 1) % 1296;
  return `j${Date.now().toString(36)}${counter.toString(36).padStart(2, '0')}${randomBytes(3).toString('hex')}`;
}

/** Fields copied to JobInfo only when the record has them. */
const OPTIONAL_INFO = [
  'iteration',
  'iterations',
  'loss',
  'framesTotal',
  'etaSeconds',
  'outputs',
  'error',
] as const;

export class JobStore {
  /** Insertion order is the order list() and listJobs answer in. */
  private readonly jobs = new Map<string, JobRecord>();
  private readonly produced = new Map<string, number[]>();
  private readonly byRequest = new Map<string, string>();

  /** Adds a job; `request` makes it findable by the id of the request that created it. */
  add(job: JobRecord, request?: RequestRef): void {
    this.jobs.set(job.jobId, job);
    if (request) this.byRequest.set(requestKey(request), job.jobId);
  }

  /** Sets the frames a job has produced so far (none for a new job, those on disk after a restart). */
  setFrames(jobId: string, frames: number[]): void {
    this.produced.set(jobId, frames);
  }

  get(jobId: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job)
      throw new ProtocolError('not_found', `job "${jobId}" is not known; listJobs shows the jobs`, {
        path: '/jobId',
      });
    return job;
  }

  /** The job a client's request id created, for idempotent retries. */
  byRequestId(ref: RequestRef): JobRecord | undefined {
    const id = this.byRequest.get(requestKey(ref));
    return id ? this.jobs.get(id) : undefined;
  }

  list(clipId?: string): JobRecord[] {
    return [...this.jobs.values()].filter((j) => !clipId || j.clipId === clipId);
  }

  producedFrames(jobId: string): readonly number[] {
    return this.produced.get(jobId) ?? [];
  }

  /** The job's list of produced frames, which segmenting appends to (created if missing). */
  framesToAppend(jobId: string): number[] {
    const produced = this.produced.get(jobId) ?? [];
    this.produced.set(jobId, produced);
    return produced;
  }

  /** What clients see of a job; `position` is its place in the queue while it waits. */
  info(job: JobRecord, position: number | undefined): JobInfo {
    const info: JobInfo = {
      jobId: job.jobId,
      kind: job.kind,
      clipId: job.clipId,
      objectId: job.objectId,
      state: job.state,
      phase: job.phase,
      createdAt: job.createdAt,
    };
    if (position !== undefined) info.position = position;
    for (const k of OPTIONAL_INFO) {
      if (job[k] !== undefined) (info as Record<string, unknown>)[k] = job[k];
    }
    const done = this.produced.get(job.jobId)?.length;
    if (done !== undefined && (job.kind !== 'fineTune' || job.params.thenSegment)) info.framesDone = done;
    return info;
  }
}
