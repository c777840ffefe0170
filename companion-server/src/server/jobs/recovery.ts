/**
 * Recovery after a restart: loads the previous run's jobs into the store, and puts back the ones
 * that were queued or running, after removing what their interrupted run left half-written.
 */
import { removeRenderLeftovers } from '../render-matte';
import type { Workspace } from '../workspace';
import type { JobStore } from './store';

/**
 * Fills `requeued` with the ids of the jobs to run again, as it goes, so that the caller still
 * queues those found before a failure part way through.
 */
export async function loadJobsForRestart(
  workspace: Workspace,
  store: JobStore,
  requeued: string[],
): Promise<void> {
  for (const job of await workspace.loadJobs()) {
    // Anonymous connections end with the server; a named client's requests stay its own.
    if (job.requestId && job.requestClient !== undefined)
      store.add(job, { scope: `client:${job.requestClient}`, id: job.requestId });
    else store.add(job);
    store.setFrames(job.jobId, await workspace.loadJobFrames(job.jobId));
    if (job.state !== 'queued' && job.state !== 'running') continue;
    if (job.state === 'running') job.restarts += 1;
    job.state = 'queued';
    await workspace.cleanObjectTemp(job.clipId, job.objectId).catch(() => undefined);
    if (job.kind === 'render' && job.params.outputFolder)
      await removeRenderLeftovers(job.params.outputFolder, job.params.name ?? 'matte').catch(() => undefined);
    await workspace.saveJob(job);
    requeued.push(job.jobId);
  }
}
