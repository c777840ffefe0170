/** Segment jobs: a mask for each frame of a range, the frames nearest the playhead first. */
import { measureFrame, objectPlace, type FrameEvidence } from '@oneshot-roto/core';
import { ioError, ProtocolError } from '../errors';
import { playheadFirstOrder } from '../frame-order';
import { encodeGrayPng } from '../png';
import type { JobRecord, StoredEvidence } from '../workspace';
import { planPreviewTrack } from './preview-track';
import type { JobRunContext, JobRunner } from './runner';

/**
 * Segments frames first..last of `range` (default: the whole clip), skipping the ones this job
 * already finished before a restart. Fine-tune and render jobs segment through it too.
 */
export async function segmentFrames(
  ctx: JobRunContext,
  job: JobRecord,
  signal: AbortSignal,
  playhead: number | undefined,
  range: [number, number] | undefined,
): Promise<void> {
  await ctx.setPhase(job, 'segment');
  const clip = ctx.clips.get(job.clipId);
  const first = range ? Math.min(range[0], clip.frameCount - 1) : 0;
  const last = range ? Math.min(Math.max(range[0], range[1]), clip.frameCount - 1) : clip.frameCount - 1;
  const produced = ctx.framesToAppend(job.jobId);
  const done = new Set(produced);
  const order = playheadFirstOrder(first, last, playhead).filter((f) => !done.has(f));
  job.framesTotal = last - first + 1;
  if (order.length > 0) await segmentOrder(ctx, job, signal, order, produced);
  // The previews show what the render will keep (preview-track.ts); planned after every frame is in.
  await planPreviewTrack(ctx, job, signal);
}

async function segmentOrder(
  ctx: JobRunContext,
  job: JobRecord,
  signal: AbortSignal,
  order: number[],
  produced: number[],
): Promise<void> {
  const clip = ctx.clips.get(job.clipId);
  // The masks are about to change: until the track is planned again the previews show them as they come.
  await ctx.workspace.clearTrack(job.clipId, job.objectId);
  const weights = await ctx.workspace.loadWeights(job.clipId, job.objectId);
  // Where the network before the editor's last correction put the object (score.ts steadiness).
  const before = await ctx.workspace.loadEvidence(job.clipId, job.objectId);
  const network = weights?.jobId;
  const started = Date.now();
  let count = 0;
  await ctx.backend.segment({
    clip: ctx.clips.backendClip(job.clipId),
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
        await ctx.workspace.writeMask(job.clipId, job.objectId, frame, png);
        // A backend that measures nothing still gets scores from what its soft matte says.
        await ctx.workspace.appendEvidence(
          job.clipId,
          job.objectId,
          frame,
          withPrevious(
            evidence ?? measureFrame(probability, width, height, undefined, 255),
            before.get(frame),
            network,
          ),
        );
        await ctx.workspace.appendJobFrame(job.jobId, frame);
      } catch (err) {
        throw ioError('write the mask of frame', String(frame), err);
      }
      const seq = produced.length;
      produced.push(frame);
      count += 1;
      const perFrame = (Date.now() - started) / 1000 / count;
      job.etaSeconds = Math.round(perFrame * (order.length - count) * 10) / 10;
      ctx.events.progress({
        type: 'progress',
        jobId: job.jobId,
        clipId: job.clipId,
        objectId: job.objectId,
        phase: 'segment',
        framesDone: produced.length,
        framesTotal: job.framesTotal,
        etaSeconds: job.etaSeconds,
      });
      await ctx.events.maskFrame({
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
  // Each segment job appends a line per frame; keep the file to about one line per frame.
  await ctx.workspace.compactEvidence(job.clipId, job.objectId).catch((err: unknown) => {
    throw ioError('compact the frame scores (evidence.jsonl) of object', job.objectId, err);
  });
}

export const runSegmentJob: JobRunner = (job, signal, ctx) =>
  segmentFrames(ctx, job, signal, job.params.playheadFrame, job.params.range);

/**
 * The frame's new evidence with the network that produced it and, when the frame was segmented
 * before by another fine-tuned network, where that one put the object (kept through re-segmenting
 * with the same network).
 */
function withPrevious(
  evidence: FrameEvidence,
  old: StoredEvidence | undefined,
  network: string | undefined,
): StoredEvidence {
  const stored: StoredEvidence = { ...evidence };
  if (network === undefined) return stored;
  stored.network = network;
  if (old?.network !== undefined && old.network !== network) stored.previous = objectPlace(old);
  else if (old?.network === network && old.previous) stored.previous = old.previous;
  return stored;
}
