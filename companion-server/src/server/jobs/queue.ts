/**
 * The job queue: fine-tune, segment and render jobs run by a fixed number of workers (1 by
 * default: one model on one device), with cancellation, progress events, persistence of every
 * state change, and recovery of queued/running jobs after a crash (see recovery.ts).
 */
import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import type { ErrorBody, JobInfo, JobKind } from '@oneshot-roto/protocol';
import type { SegmentationBackend } from '@oneshot-roto/core';
import type { ClipRegistry } from '../clips';
import { asProtocolError, ioError, ProtocolError } from '../errors';
import type { JobEventSink } from '../job-events';
import type { JobParams, JobRecord, Workspace } from '../workspace';
import { runFineTuneJob } from './fine-tune-runner';
import { loadJobsForRestart } from './recovery';
import { runRenderJob } from './render-runner';
import type { JobRunContext, JobRunner } from './runner';
import { runSegmentJob } from './segment-runner';
import { JobStore, newJobId, type RequestKey } from './store';

export interface JobManagerOptions {
  workspace: Workspace;
  clips: ClipRegistry;
  backend: SegmentationBackend;
  events: JobEventSink;
  logger: Logger;
  workers: number;
  /** Jobs allowed to wait in the queue; more are refused (bounded memory, no runaway clients). */
  maxQueued: number;
}

const RUNNERS: Record<JobKind, JobRunner> = {
  fineTune: runFineTuneJob,
  segment: runSegmentJob,
  render: runRenderJob,
};

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export class JobManager {
  private readonly store = new JobStore();
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly runContext: JobRunContext;
  private stopping = false;
  /** No job starts until recovery has cleaned up after the previous run (see recover). */
  private recovering = true;

  constructor(private readonly o: JobManagerOptions) {
    this.runContext = {
      workspace: o.workspace,
      clips: o.clips,
      backend: o.backend,
      events: o.events,
      setPhase: (job, phase) => this.setPhase(job, phase),
      framesToAppend: (jobId) => this.store.framesToAppend(jobId),
    };
  }

  /** Loads jobs from disk; jobs that were queued or running go back in the queue. */
  async recover(): Promise<{ requeued: string[] }> {
    const requeued: string[] = [];
    try {
      await loadJobsForRestart(this.o.workspace, this.store, requeued);
    } finally {
      // Interrupted jobs go first, ahead of any request that came in meanwhile.
      this.queue.unshift(...requeued);
      this.recovering = false;
    }
    if (requeued.length) this.o.logger.info({ jobs: requeued }, 'recovered interrupted jobs; re-queued');
    this.pump();
    return { requeued };
  }

  get(jobId: string): JobRecord {
    return this.store.get(jobId);
  }

  /** The job a client's request id created, for idempotent retries. */
  byRequestId(scope: string, requestId: string): JobRecord | undefined {
    return this.store.byRequestId({ scope, id: requestId });
  }

  list(clipId?: string): JobRecord[] {
    return this.store.list(clipId);
  }

  producedFrames(jobId: string): readonly number[] {
    return this.store.producedFrames(jobId);
  }

  depth(): number {
    return this.queue.length;
  }
  runningCount(): number {
    return this.running.size;
  }

  info(job: JobRecord): JobInfo {
    const pos = this.queue.indexOf(job.jobId);
    return this.store.info(job, pos >= 0 ? pos : undefined);
  }

  async enqueue(
    kind: JobKind,
    clipId: string,
    objectId: string,
    params: JobParams,
    request?: RequestKey,
  ): Promise<JobRecord> {
    if (this.stopping)
      throw new ProtocolError('shutting_down', 'the server is shutting down; retry after it restarts', {
        retryable: true,
      });
    this.o.clips.get(clipId);
    if (this.queue.length >= this.o.maxQueued) {
      throw new ProtocolError(
        'too_large',
        `the job queue is full (${this.queue.length} jobs waiting); wait for jobs to finish or cancel some`,
        { retryable: true },
      );
    }
    const job: JobRecord = {
      jobId: newJobId(),
      kind,
      clipId,
      objectId,
      state: 'queued',
      phase: 'queued',
      params,
      createdAt: new Date().toISOString(),
      restarts: 0,
      ...(request ? { requestId: request.id, requestHash: request.hash } : {}),
      ...(request?.clientId !== undefined ? { requestClient: request.clientId } : {}),
    };
    try {
      await this.o.workspace.saveJob(job);
    } catch (err) {
      throw ioError('record the job in', this.o.workspace.jobsDir, err);
    }
    this.store.add(job, request);
    this.store.setFrames(job.jobId, []);
    this.queue.push(job.jobId);
    this.o.events.jobChanged(this.info(job));
    this.pump();
    return job;
  }

  async cancel(jobId: string): Promise<JobRecord> {
    const job = this.get(jobId);
    const qi = this.queue.indexOf(jobId);
    if (qi >= 0) {
      this.queue.splice(qi, 1);
      await this.finish(job, 'cancelled');
    } else {
      const r = this.running.get(jobId);
      if (r) {
        r.controller.abort(new ProtocolError('cancelled', `job ${jobId} was cancelled`));
        await r.done;
      }
    }
    return job;
  }

  /** Stops workers; running jobs stay "running" on disk and resume on the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.running.values()];
    for (const r of running) r.controller.abort(new ProtocolError('shutting_down', 'server shutting down'));
    await Promise.all(running.map((r) => r.done.catch(() => undefined)));
  }

  private pump(): void {
    while (
      !this.stopping &&
      !this.recovering &&
      this.running.size < this.o.workers &&
      this.queue.length > 0
    ) {
      const jobId = this.queue.shift()!;
      const job = this.store.get(jobId);
      const controller = new AbortController();
      const done = this.run(job, controller.signal).finally(() => {
        this.running.delete(jobId);
        this.pump();
      });
      this.running.set(jobId, { controller, done });
    }
  }

  private async run(job: JobRecord, signal: AbortSignal): Promise<void> {
    const log = this.o.logger.child({
      jobId: job.jobId,
      kind: job.kind,
      clipId: job.clipId,
      objectId: job.objectId,
    });
    job.state = 'running';
    job.startedAt = new Date().toISOString();
    delete job.error;
    try {
      await this.o.workspace.saveJob(job);
      this.o.events.jobChanged(this.info(job));
      log.info({ restarts: job.restarts }, 'job started');
      await RUNNERS[job.kind](job, signal, this.runContext);
      await this.finish(job, 'done');
      log.info('job done');
    } catch (err) {
      if (this.stopping && signal.aborted) {
        // Shutdown: leave the job "running" on disk so the next start resumes it.
        log.info('job interrupted by shutdown; it resumes on the next start');
        return;
      }
      if (signal.aborted) {
        await this.finish(job, 'cancelled');
        log.info('job cancelled');
        return;
      }
      const pe = asProtocolError(err);
      const body: ErrorBody = {
        code: pe.code === 'internal' ? 'backend_failed' : pe.code,
        message: pe.message,
      };
      if (pe.retryable) body.retryable = true;
      log.error({ err }, 'job failed');
      await this.finish(job, 'failed', body);
    }
  }

  private async finish(
    job: JobRecord,
    state: 'done' | 'failed' | 'cancelled',
    error?: ErrorBody,
  ): Promise<void> {
    job.state = state;
    job.phase = 'finished';
    // A fine-tune's saved progress only serves a run of the same job: done, failed or cancelled, it goes.
    if (job.kind === 'fineTune')
      await fs
        .rm(this.o.workspace.fineTuneProgressPath(job.clipId, job.objectId, job.jobId), { force: true })
        .catch(() => undefined);
    job.finishedAt = new Date().toISOString();
    if (error) job.error = error;
    delete job.etaSeconds;
    try {
      await this.o.workspace.saveJob(job);
    } catch (err) {
      this.o.logger.error({ err, jobId: job.jobId }, 'cannot record the job state');
    }
    this.o.events.jobChanged(this.info(job));
  }

  private async setPhase(job: JobRecord, phase: JobRecord['phase']): Promise<void> {
    job.phase = phase;
    await this.o.workspace.saveJob(job);
    this.o.events.jobChanged(this.info(job));
  }
}
