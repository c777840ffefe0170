/** What a job runner is given, and what the runners share. */
import type { AnnotationMask, SegmentationBackend } from '@oneshot-roto/core';
import type { ClipRegistry } from '../clips';
import { ProtocolError } from '../errors';
import type { JobEventSink } from '../job-events';
import { decodeStoredAnnotation } from '../annotation/stored-mask';
import { decodeGrayPng } from '../png';
import type { JobRecord, Workspace } from '../workspace';

export interface JobRunContext {
  workspace: Workspace;
  clips: ClipRegistry;
  backend: SegmentationBackend;
  events: JobEventSink;
  /** Records the job's new phase on disk, then tells clients. */
  setPhase(job: JobRecord, phase: JobRecord['phase']): Promise<void>;
  /** The job's produced frames (kept across restarts), which segmenting appends to. */
  framesToAppend(jobId: string): number[];
}

/**
 * Runs one job to its end; throws to fail it. `signal` aborts it (cancel or shutdown): the runner
 * then stops at the next frame or iteration, and leaves the job's state to the queue.
 */
export type JobRunner = (job: JobRecord, signal: AbortSignal, ctx: JobRunContext) => Promise<void>;

/** The job's object's annotations as 0/1 masks with open (don't-care) pixels; a job without any cannot run. */
export async function loadAnnotationMasks(workspace: Workspace, job: JobRecord): Promise<AnnotationMask[]> {
  const list = await workspace.loadAnnotations(job.clipId, job.objectId);
  if (list.length === 0) {
    throw new ProtocolError(
      'no_annotation',
      `object "${job.objectId}" of clip ${job.clipId} has no annotation; send addAnnotation first`,
    );
  }
  const out: AnnotationMask[] = [];
  for (const a of list) {
    const png = await workspace.readAnnotationPng(job.clipId, job.objectId, a.frame);
    // Open pixels come back as DONT_CARE: fine-tuning skips them, keepPainted leaves them to the network.
    const { mask, width, height } = await decodeStoredAnnotation(png);
    out.push({ frame: a.frame, width, height, mask });
  }
  return out;
}

/** The job's object's stored 8-bit soft matte of `frame`; a frame without one is not_found. */
export async function readStoredMatte(
  workspace: Workspace,
  job: JobRecord,
  frame: number,
): Promise<Uint8Array> {
  const png = await workspace.readMask(job.clipId, job.objectId, frame);
  if (!png) throw new ProtocolError('not_found', `frame ${frame} has no mask; segment the clip again`);
  return (await decodeGrayPng(png)).data;
}
