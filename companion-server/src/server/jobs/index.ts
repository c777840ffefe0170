/** The job queue and what its users need; see queue.ts. */
export { JobManager, type JobManagerOptions } from './queue';
export type { RequestKey } from './store';
