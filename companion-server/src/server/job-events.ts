/** What the job runner tells the outside world (the WebSocket hub implements it). */
import type { JobInfo, ProgressEvent } from '@oneshot-roto/protocol';

export interface MaskFrameOut {
  jobId: string;
  clipId: string;
  objectId: string;
  frame: number;
  seq: number;
  width: number;
  height: number;
  png: Uint8Array;
}

export interface JobEventSink {
  jobChanged(job: JobInfo): void;
  progress(event: ProgressEvent): void;
  /** Resolves when subscribers have room for more (back-pressure on the producer). */
  maskFrame(frame: MaskFrameOut): Promise<void>;
}
