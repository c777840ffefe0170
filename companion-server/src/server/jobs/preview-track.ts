/**
 * The piece track over an object's stored masks, for the previews. A render with `pieceTrack` on
 * (the default) clears pieces that appear away from the object (render-matte.ts); the overlay the
 * panel shows is drawn from the stored masks, so without this it would show pieces the matte will
 * not have, and an editor could pass a frame that the render then cuts, or paint a correction
 * for nothing. Planned once a segmentation ends (every stored mask read once), saved beside the
 * masks, and applied by the overlay route.
 */
import { planSoftMapTrack } from '@oneshot-roto/core';
import { ioError } from '../errors';
import { softMatteFromBytes } from '../render-matte';
import type { JobRecord } from '../workspace';
import { loadAnnotationMasks, readStoredMatte, type JobRunContext } from './runner';

/** Plans the track of the job's object over all its stored masks and saves it (none without annotations). */
export async function planPreviewTrack(
  ctx: JobRunContext,
  job: JobRecord,
  signal: AbortSignal,
): Promise<void> {
  const { workspace } = ctx;
  const { clipId, objectId } = job;
  await workspace.clearTrack(clipId, objectId);
  if ((await workspace.loadAnnotations(clipId, objectId)).length === 0) return;
  const clip = ctx.clips.get(clipId);
  const annotations = new Map((await loadAnnotationMasks(workspace, job)).map((a) => [a.frame, a.mask]));
  const weights = await workspace.loadWeights(clipId, objectId);
  const track = await planSoftMapTrack({
    frames: await workspace.listMasks(clipId, objectId),
    annotations,
    width: clip.width,
    height: clip.height,
    threshold: weights?.threshold ?? 0.5,
    readSoft: async (frame) => {
      signal.throwIfAborted();
      return softMatteFromBytes(await readStoredMatte(workspace, job, frame), clip.width, clip.height);
    },
  });
  await workspace.saveTrack(clipId, objectId, track).catch((err: unknown) => {
    throw ioError('save the piece track of object', objectId, err);
  });
}
