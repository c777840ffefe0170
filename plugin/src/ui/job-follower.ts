// The one job the panel follows at a time (segment, correction or render): it keeps which job that
// is, shows its progress from the server's events, and hands the job to the panel when it ends.
// While it follows one the panel is busy: painting, picking objects and other jobs wait.
import type { JobInfo, ProgressEvent } from '@oneshot-roto/protocol';
import type { ServerClient } from '../client/server-client';
import type { JobPurpose, Placement } from './panel-session';
import type { ProgressView } from './progress-view';

export interface FollowedJob {
  readonly id: string;
  readonly purpose: JobPurpose;
  /** The object the job works on (the picker is locked while it runs). */
  readonly objectId: string;
  /** Render jobs: where the matte goes when it is done. */
  readonly placement?: Placement;
  /** Told again when the job ends (what went wrong beside it, e.g. a refused marker). */
  readonly note?: string;
}

export class JobFollower {
  private job: FollowedJob | undefined;

  constructor(
    private readonly progress: ProgressView,
    /** Called once the followed job is done, cancelled or failed (it is no longer followed then). */
    private readonly onEnd: (job: JobInfo, followed: FollowedJob) => Promise<void>,
  ) {}

  get current(): FollowedJob | undefined {
    return this.job;
  }

  get busy(): boolean {
    return this.job !== undefined;
  }

  /** Follows `job` from now on and shows where it is. */
  start(job: JobInfo, followed: Omit<FollowedJob, 'id'>): void {
    this.job = { id: job.jobId, ...followed };
    this.show(job);
  }

  /**
   * Subscribes to the job's events and catches up with its state, which may have moved on (or
   * ended) before the subscription.
   */
  async subscribe(client: ServerClient, jobId: string): Promise<void> {
    const jobs = await client.subscribeJob(jobId, 'none');
    const current = jobs.find((j) => j.jobId === jobId);
    if (current) await this.onJob(current);
  }

  onProgress(e: ProgressEvent): void {
    if (this.job && e.jobId === this.job.id) this.show(e);
  }

  /** A state change of a job: progress while the followed one runs, onEnd when it ends. */
  async onJob(job: JobInfo): Promise<void> {
    const mine = this.job;
    if (!mine || job.jobId !== mine.id) return;
    if (job.state === 'queued' || job.state === 'running') {
      this.show(job);
      return;
    }
    this.job = undefined;
    if (job.state === 'done') this.progress.show({ ...job, phase: 'finished' }, mine.purpose === 'render');
    else this.progress.say(job.state === 'cancelled' ? 'Cancelled' : 'Failed');
    await this.onEnd(job, mine);
  }

  private show(p: JobInfo | ProgressEvent): void {
    this.progress.show(p, this.job?.purpose === 'render');
  }
}
