// Starting a correction: the server's job first, then the marker on the timeline. The job is the
// work the editor asked for; the marker is a bookmark. A marker the host refuses must not leave
// the job running unfollowed, so its failure is returned, not thrown.

export interface StartedCorrection<J> {
  readonly job: J;
  /** Why the marker couldn't be added (the job runs anyway), for the editor. */
  readonly markerProblem?: string;
}

export async function startCorrection<J>(
  requestJob: () => Promise<J>,
  addMarker: () => Promise<void>,
): Promise<StartedCorrection<J>> {
  const job = await requestJob();
  try {
    await addMarker();
    return { job };
  } catch (err) {
    return { job, markerProblem: err instanceof Error ? err.message : String(err) };
  }
}
