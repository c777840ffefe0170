/**
 * The job queue: fine-tune, segment and render jobs run by a fixed number of workers (1 by
 * default: one model on one device), with cancellation, progress events, persistence of every
 * state change, and recovery of queued/running jobs after a crash.
 */
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ErrorBody, JobInfo, JobKind } from '../protocol/common';
import { measureFrame } from '../confidence';
import type { AnnotationMask, SegmentationBackend } from './backend';
import type { ClipRegistry } from './clips';
import { asProtocolError, ioError, ProtocolError } from './errors';
import { playheadFirstOrder } from './frame-order';
import { prepareOutputFolder } from './path-rules';
import type { JobEventSink } from './job-events';
import { decodeGrayPng, encodeGrayPng } from './png';
import { decodeStoredAnnotation } from './annotation/stored-mask';
import { removeRenderLeftovers, renderMatte } from './render-matte';
import type { JobParams, JobRecord, Workspace } from './workspace';

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

/** A job-starting request: whose it is (see Client.requestScope), its id and its body's hash. */
export interface RequestKey {
  scope: string;
  id: string;
  hash: string;
  /** The named client's id; only its requests are found again after a restart. */
  clientId?: string;
}

function requestKey(scope: string, id: string): string {
  return `${scope}\n${id}`;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

let counter = 0;
function newJobId(): string {
  counter = (counter + 1) % 1296;
  return `j${Date.now().toString(36)}${counter.toString(36).padStart(2, '0')}${randomBytes(3).toString('hex')}`;
}

export class JobManager {
  private readonly jobs = new Map<string, JobRecord>();
  /** Frames each job has produced, in order (index = seq). */
  private readonly produced = new Map<string, number[]>();
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly byRequest = new Map<string, string>();
  private stopping = false;
  /** No job starts until recovery has cleaned up after the previous run (see recover). */
  private recovering = true;

  constructor(private readonly o: JobManagerOptions) {}

  /** Loads jobs from disk; jobs that were queued or running go back in the queue. */
  async recover(): Promise<{ requeued: string[] }> {
    const requeued: string[] = [];
    try {
      for (const job of await this.o.workspace.loadJobs()) {
        this.jobs.set(job.jobId, job);
        // Anonymous connections end with the server; a named client's requests stay its own.
        if (job.requestId && job.requestClient !== undefined)
          this.byRequest.set(requestKey(`client:${job.requestClient}`, job.requestId), job.jobId);
        this.produced.set(job.jobId, await this.o.workspace.loadJobFrames(job.jobId));
        if (job.state === 'queued' || job.state === 'running') {
          if (job.state === 'running') job.restarts += 1;
          job.state = 'queued';
          await this.o.workspace.cleanObjectTemp(job.clipId, job.objectId).catch(() => undefined);
          if (job.kind === 'render' && job.params.outputFolder)
            await removeRenderLeftovers(job.params.outputFolder, job.params.name ?? 'matte').catch(
              () => undefined,
            );
          await this.o.workspace.saveJob(job);
          requeued.push(job.jobId);
        }
      }
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
    const job = this.jobs.get(jobId);
    if (!job)
      throw new ProtocolError('not_found', `job "${jobId}" is not known; listJobs shows the jobs`, {
        path: '/jobId',
      });
    return job;
  }

  /** The job a client's request id created, for idempotent retries. */
  byRequestId(scope: string, requestId: string): JobRecord | undefined {
    const id = this.byRequest.get(requestKey(scope, requestId));
    return id ? this.jobs.get(id) : undefined;
  }

  list(clipId?: string): JobRecord[] {
    return [...this.jobs.values()].filter((j) => !clipId || j.clipId === clipId);
  }

  producedFrames(jobId: string): readonly number[] {
    return this.produced.get(jobId) ?? [];
  }

  depth(): number {
    return this.queue.length;
  }
  runningCount(): number {
    return this.running.size;
  }

  info(job: JobRecord): JobInfo {
    const pos = this.queue.indexOf(job.jobId);
    const info: JobInfo = {
      jobId: job.jobId,
      kind: job.kind,
      clipId: job.clipId,
      objectId: job.objectId,
      state: job.state,
      phase: job.phase,
      createdAt: job.createdAt,
    };
    if (pos >= 0) info.position = pos;
    for (const k of [
      'iteration',
      'iterations',
      'loss',
      'framesTotal',
      'etaSeconds',
      'outputs',
      'error',
    ] as const) {
      if (job[k] !== undefined) (info as Record<string, unknown>)[k] = job[k];
    }
    const done = this.produced.get(job.jobId)?.length;
    if (done !== undefined && (job.kind !== 'fineTune' || job.params.thenSegment)) info.framesDone = done;
    return info;
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
    this.jobs.set(job.jobId, job);
    if (request) this.byRequest.set(requestKey(request.scope, request.id), job.jobId);
    this.produced.set(job.jobId, []);
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

  private pump(): void {
    while (
      !this.stopping &&
      !this.recovering &&
      this.running.size < this.o.workers &&
      this.queue.length > 0
    ) {
      const jobId = this.queue.shift()!;
      const job = this.jobs.get(jobId)!;
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
      if (job.kind === 'fineTune') {
        const weights = await this.o.workspace.loadWeights(job.clipId, job.objectId);
        // After a crash in the segment phase, this job's weights are already in place.
        if (!(job.phase === 'segment' && weights?.jobId === job.jobId)) await this.fineTune(job, signal);
        if (job.params.thenSegment) await this.segment(job, signal, job.params.playheadFrame, undefined);
      } else if (job.kind === 'segment') {
        await this.segment(job, signal, job.params.playheadFrame, job.params.range);
      } else {
        await this.render(job, signal);
      }
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

  private async loadAnnotationMasks(job: JobRecord): Promise<AnnotationMask[]> {
    const list = await this.o.workspace.loadAnnotations(job.clipId, job.objectId);
    if (list.length === 0) {
      throw new ProtocolError(
        'no_annotation',
        `object "${job.objectId}" of clip ${job.clipId} has no annotation; send addAnnotation first`,
      );
    }
    const out: AnnotationMask[] = [];
    for (const a of list) {
      const png = await this.o.workspace.readAnnotationPng(job.clipId, job.objectId, a.frame);
      // Open pixels come back as DONT_CARE: fine-tuning skips them, keepPainted leaves them to the network.
      const { mask, width, height } = await decodeStoredAnnotation(png);
      out.push({ frame: a.frame, width, height, mask });
    }
    return out;
  }

  private async fineTune(job: JobRecord, signal: AbortSignal): Promise<void> {
    await this.setPhase(job, 'fineTune');
    const annotations = await this.loadAnnotationMasks(job);
    const current = await this.o.workspace.loadWeights(job.clipId, job.objectId);
    const weightsOut = this.o.workspace.pendingWeightsPath(job.clipId, job.objectId, job.jobId);
    const result = await this.o.backend.fineTune({
      clip: this.o.clips.backendClip(job.clipId),
      annotations,
      preset: job.params.preset ?? 'balanced',
      resumeFrom: job.params.resume && current ? current.file : null,
      weightsOut,
      progressFile: this.o.workspace.fineTuneProgressPath(job.clipId, job.objectId, job.jobId),
      signal,
      onProgress: (p) => {
        job.iteration = p.iteration;
        job.iterations = p.total;
        job.loss = p.loss;
        job.etaSeconds = p.etaSeconds;
        this.o.events.progress({
          type: 'progress',
          jobId: job.jobId,
          clipId: job.clipId,
          objectId: job.objectId,
          phase: 'fineTune',
          iteration: p.iteration,
          iterations: p.total,
          loss: p.loss,
          etaSeconds: p.etaSeconds,
        });
      },
    });
    signal.throwIfAborted();
    await this.o.workspace.commitWeights(job.clipId, job.objectId, result.weightsPath, {
      threshold: result.threshold,
      jobId: job.jobId,
      annotationFrames: annotations.map((a) => a.frame),
      createdAt: new Date().toISOString(),
    });
  }

  /** Segments frames (skipping the ones this job already finished before a restart). */
  private async segment(
    job: JobRecord,
    signal: AbortSignal,
    playhead: number | undefined,
    range: [number, number] | undefined,
  ): Promise<void> {
    await this.setPhase(job, 'segment');
    const clip = this.o.clips.get(job.clipId);
    const first = range ? Math.min(range[0], clip.frameCount - 1) : 0;
    const last = range ? Math.min(Math.max(range[0], range[1]), clip.frameCount - 1) : clip.frameCount - 1;
    const produced = this.produced.get(job.jobId) ?? [];
    this.produced.set(job.jobId, produced);
    const done = new Set(produced);
    const order = playheadFirstOrder(first, last, playhead).filter((f) => !done.has(f));
    job.framesTotal = last - first + 1;
    if (order.length === 0) return;
    const weights = await this.o.workspace.loadWeights(job.clipId, job.objectId);
    const started = Date.now();
    let count = 0;
    await this.o.backend.segment({
      clip: this.o.clips.backendClip(job.clipId),
      weightsPath: weights?.file ?? null,
      frameOrder: order,
      signal,
      onFrame: async (frame, probability, width, height, evidence) => {
        signal.throwIfAborted();
        if (probability.length !== width * height || width !== clip.width || height !== clip.height) {
          throw new ProtocolError(
            'backend_failed',
            `backend returned a ${width}x${height} matte (${probability.length} bytes) for a ${clip.width}x${clip.height} clip`,
          );
        }
        const png = await encodeGrayPng(probability, width, height);
        try {
          await this.o.workspace.writeMask(job.clipId, job.objectId, frame, png);
          // A backend that measures nothing still gets scores from what its soft matte says.
          await this.o.workspace.appendEvidence(
            job.clipId,
            job.objectId,
            frame,
            evidence ?? measureFrame(probability, width, height, undefined, 255),
          );
          await this.o.workspace.appendJobFrame(job.jobId, frame);
        } catch (err) {
          throw ioError('write the mask of frame', String(frame), err);
        }
        const seq = produced.length;
        produced.push(frame);
        count += 1;
        const perFrame = (Date.now() - started) / 1000 / count;
        job.etaSeconds = Math.round(perFrame * (order.length - count) * 10) / 10;
        this.o.events.progress({
          type: 'progress',
          jobId: job.jobId,
          clipId: job.clipId,
          objectId: job.objectId,
          phase: 'segment',
          framesDone: produced.length,
          framesTotal: job.framesTotal,
          etaSeconds: job.etaSeconds,
        });
        await this.o.events.maskFrame({
          jobId: job.jobId,
          clipId: job.clipId,
          objectId: job.objectId,
          frame,
          seq,
          width,
          height,
          png,
        });
      },
    });
    signal.throwIfAborted();
  }

  private async render(job: JobRecord, signal: AbortSignal): Promise<void> {
    const clip = this.o.clips.get(job.clipId);
    const all = Array.from({ length: clip.frameCount }, (_, i) => i);
    const have = new Set(await this.o.workspace.listMasks(job.clipId, job.objectId));
    const missing = all.filter((f) => !have.has(f));
    if (missing.length > 0) {
      if (job.params.segmentMissing === false) {
        throw new ProtocolError(
          'not_found',
          `${missing.length} frames have no mask yet (first: ${missing[0]}); segment the clip first or render with segmentMissing`,
        );
      }
      await this.segment(job, signal, missing[0], [missing[0], missing[missing.length - 1]]);
    }
    await this.setPhase(job, 'render');
    const weights = await this.o.workspace.loadWeights(job.clipId, job.objectId);
    const p = job.params;
    const painted = new Map<number, Uint8Array>();
    if (p.keepPainted !== false) {
      const annotated = await this.o.workspace.loadAnnotations(job.clipId, job.objectId);
      if (annotated.length > 0)
        for (const a of await this.loadAnnotationMasks(job)) painted.set(a.frame, a.mask);
    }
    // Checked when the request came, and again now: a link put in place meanwhile would lead into the workspace.
    const outputFolder = await prepareOutputFolder(p.outputFolder!, 'outputFolder', this.o.workspace.root);
    job.outputs = await renderMatte({
      frames: all,
      width: clip.width,
      height: clip.height,
      fps: clip.fps,
      format: p.format ?? 'png8',
      controls: p.matte ?? {},
      threshold: weights?.threshold ?? 0.5,
      outputFolder,
      name: p.name ?? 'matte',
      startNumber: clip.mediaStart,
      readMatte: async (f) => {
        const png = await this.o.workspace.readMask(job.clipId, job.objectId, f);
        if (!png) throw new ProtocolError('not_found', `frame ${f} has no mask; segment the clip again`);
        return (await decodeGrayPng(png)).data;
      },
      readFrame: (f) => this.o.clips.readFrame(job.clipId, f),
      painted,
      signal,
      onProgress: (done, total) =>
        this.o.events.progress({
          type: 'progress',
          jobId: job.jobId,
          clipId: job.clipId,
          objectId: job.objectId,
          phase: 'render',
          framesDone: done,
          framesTotal: total,
        }),
    });
  }

  /** Stops workers; running jobs stay "running" on disk and resume on the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.running.values()];
    for (const r of running) r.controller.abort(new ProtocolError('shutting_down', 'server shutting down'));
    await Promise.all(running.map((r) => r.done.catch(() => undefined)));
  }
}
