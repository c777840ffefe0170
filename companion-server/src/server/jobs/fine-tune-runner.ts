/** Fine-tune jobs: trains the object's weights on its annotations, then segments if asked to. */
import type { JobRecord } from '../workspace';
import { loadAnnotationMasks, type JobRunContext, type JobRunner } from './runner';
import { segmentFrames } from './segment-runner';

async function fineTune(ctx: JobRunContext, job: JobRecord, signal: AbortSignal): Promise<void> {
  await ctx.setPhase(job, 'fineTune');
  const annotations = await loadAnnotationMasks(ctx.workspace, job);
  const current = await ctx.workspace.loadWeights(job.clipId, job.objectId);
  const weightsOut = ctx.workspace.pendingWeightsPath(job.clipId, job.objectId, job.jobId);
  const result = await ctx.backend.fineTune({
    clip: ctx.clips.backendClip(job.clipId),
    annotations,
    preset: job.params.preset ?? 'balanced',
    resumeFrom: job.params.resume && current ? current.file : null,
    weightsOut,
    progressFile: ctx.workspace.fineTuneProgressPath(job.clipId, job.objectId, job.jobId),
    signal,
    onProgress: (p) => {
      job.iteration = p.iteration;
      job.iterations = p.total;
      job.loss = p.loss;
      job.etaSeconds = p.etaSeconds;
      ctx.events.progress({
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
  await ctx.workspace.commitWeights(job.clipId, job.objectId, result.weightsPath, {
    threshold: result.threshold,
    ...(result.edgeSnap ? { edgeSnap: result.edgeSnap } : {}),
    jobId: job.jobId,
    annotationFrames: annotations.map((a) => a.frame),
    createdAt: new Date().toISOString(),
  });
}

export const runFineTuneJob: JobRunner = async (job, signal, ctx) => {
  const weights = await ctx.workspace.loadWeights(job.clipId, job.objectId);
  // After a crash in the segment phase, this job's weights are already in place.
  if (!(job.phase === 'segment' && weights?.jobId === job.jobId)) await fineTune(ctx, job, signal);
  if (job.params.thenSegment) await segmentFrames(ctx, job, signal, job.params.playheadFrame, undefined);
};
