/** Render jobs: the object's matte written to the output folder (missing masks segmented first). */
import { ProtocolError } from '../errors';
import { prepareOutputFolder } from '../path-rules';
import { renderMatte } from '../render-matte';
import { loadAnnotationMasks, readStoredMatte, type JobRunner } from './runner';
import { segmentFrames } from './segment-runner';

export const runRenderJob: JobRunner = async (job, signal, ctx) => {
  const { workspace, clips } = ctx;
  const clip = clips.get(job.clipId);
  const all = Array.from({ length: clip.frameCount }, (_, i) => i);
  const have = new Set(await workspace.listMasks(job.clipId, job.objectId));
  const missing = all.filter((f) => !have.has(f));
  if (missing.length > 0) {
    if (job.params.segmentMissing === false) {
      throw new ProtocolError(
        'not_found',
        `${missing.length} frames have no mask yet (first: ${missing[0]}); segment the clip first or render with segmentMissing`,
      );
    }
    await segmentFrames(ctx, job, signal, missing[0], [missing[0]!, missing[missing.length - 1]!]);
  }
  await ctx.setPhase(job, 'render');
  const weights = await workspace.loadWeights(job.clipId, job.objectId);
  const p = job.params;
  // The editor's masks: kept as painted unless the request says not to; the piece track starts
  // from them either way.
  const annotations = new Map<number, Uint8Array>();
  if ((await workspace.loadAnnotations(job.clipId, job.objectId)).length > 0)
    for (const a of await loadAnnotationMasks(workspace, job)) annotations.set(a.frame, a.mask);
  const painted = p.keepPainted !== false ? annotations : new Map<number, Uint8Array>();
  // Checked when the request came, and again now: a link put in place meanwhile would lead into the workspace.
  const outputFolder = await prepareOutputFolder(p.outputFolder!, 'outputFolder', workspace.root);
  job.outputs = await renderMatte({
    frames: all,
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    format: p.format ?? 'png8',
    controls: p.matte ?? {},
    threshold: weights?.threshold ?? 0.5,
    edgeSnap: weights?.edgeSnap,
    outputFolder,
    name: p.name ?? 'matte',
    startNumber: clip.mediaStart,
    readMatte: (f) => readStoredMatte(workspace, job, f),
    readFrame: (f) => clips.readFrame(job.clipId, f),
    painted,
    annotations,
    signal,
    onProgress: (done, total) =>
      ctx.events.progress({
        type: 'progress',
        jobId: job.jobId,
        clipId: job.clipId,
        objectId: job.objectId,
        phase: 'render',
        framesDone: done,
        framesTotal: total,
      }),
  });
};
