/**
 * Server → client messages: one `ack` or `error` per request (same `id`), plus events for
 * subscribed jobs (`job`, `progress`, `maskFrame`). A `maskFrame` header with `encoding: 'png'`
 * is followed immediately by one binary message (see binary.ts) on the same connection.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AnnotationInfoSchema,
  ClipIdSchema,
  ClipInfoSchema,
  ErrorCodeSchema,
  FrameConfidenceSchema,
  FrameIndexSchema,
  JobIdSchema,
  JobInfoSchema,
  JobPhaseSchema,
  ObjectIdSchema,
  RequestIdSchema,
} from './common';
import type { ClientMessageType } from './client-messages';

/** The result carried by the ack of each request type. */
export const AckResultSchemas = {
  hello: Type.Object({
    protocol: Type.Integer(),
    serverVersion: Type.String(),
    executionProvider: Type.String(),
    maxMessageBytes: Type.Integer(),
  }),
  openClip: Type.Object({ clip: ClipInfoSchema, created: Type.Boolean() }),
  listClips: Type.Object({ clips: Type.Array(ClipInfoSchema) }),
  getClip: Type.Object({ clip: ClipInfoSchema }),
  addAnnotation: Type.Object({ annotation: AnnotationInfoSchema }),
  addCorrection: Type.Object({ annotation: AnnotationInfoSchema, job: JobInfoSchema }),
  fineTune: Type.Object({ job: JobInfoSchema }),
  segment: Type.Object({ job: JobInfoSchema }),
  render: Type.Object({ job: JobInfoSchema }),
  cancel: Type.Object({ job: JobInfoSchema }),
  listJobs: Type.Object({ jobs: Type.Array(JobInfoSchema) }),
  /** Current state of every job the subscription covers now. */
  subscribe: Type.Object({ jobs: Type.Array(JobInfoSchema) }),
  unsubscribe: Type.Object({}),
  ping: Type.Object({ time: Type.String() }),
  /**
   * Every frame with a mask, in clip order, and `suggest`: up to 50 frames where a correction
   * would help most, most useful first: each frame's doubt weighed by its distance from the nearest
   * annotation or earlier suggestion (annotated frames left out).
   */
  getConfidence: Type.Object({
    frames: Type.Array(FrameConfidenceSchema),
    suggest: Type.Array(FrameIndexSchema),
  }),
} as const satisfies Record<ClientMessageType, TSchema>;

export type AckResult<T extends ClientMessageType> = Static<(typeof AckResultSchemas)[T]>;

export const AckSchema = Type.Object({
  type: Type.Literal('ack'),
  id: RequestIdSchema,
  /** The request type this answers. */
  request: Type.String(),
  result: Type.Unknown(),
});
export type Ack<T extends ClientMessageType = ClientMessageType> = {
  type: 'ack';
  id: string;
  request: T;
  result: AckResult<T>;
};

export const ErrorMessageSchema = Type.Object({
  type: Type.Literal('error'),
  /** The request id when it could be read, else null. */
  id: Type.Union([RequestIdSchema, Type.Null()]),
  code: ErrorCodeSchema,
  message: Type.String(),
  path: Type.Optional(Type.String()),
  retryable: Type.Optional(Type.Boolean()),
});
export type ErrorMessage = Static<typeof ErrorMessageSchema>;

/** A job changed state (queued, running, done, failed, cancelled). */
export const JobEventSchema = Type.Object({ type: Type.Literal('job'), job: JobInfoSchema });
export type JobEvent = Static<typeof JobEventSchema>;

/** Progress of a running job: fine-tuning iterations and loss, or frames segmented / rendered. */
export const ProgressEventSchema = Type.Object({
  type: Type.Literal('progress'),
  jobId: JobIdSchema,
  clipId: ClipIdSchema,
  objectId: ObjectIdSchema,
  phase: JobPhaseSchema,
  iteration: Type.Optional(Type.Integer()),
  iterations: Type.Optional(Type.Integer()),
  loss: Type.Optional(Type.Number()),
  framesDone: Type.Optional(Type.Integer()),
  framesTotal: Type.Optional(Type.Integer()),
  etaSeconds: Type.Optional(Type.Number()),
});
export type ProgressEvent = Static<typeof ProgressEventSchema>;

/**
 * One finished mask frame (8-bit soft matte, 0..255). `seq` counts mask frames per job from 0
 * in delivery order; with `encoding: 'png'` the next message is binary: the 12-byte prefix
 * (binary.ts) carrying the same seq and frame, then `byteLength` PNG bytes.
 * `url` is the HTTP path of the same mask (add `?token=`).
 */
export const MaskFrameEventSchema = Type.Object({
  type: Type.Literal('maskFrame'),
  jobId: JobIdSchema,
  clipId: ClipIdSchema,
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  seq: Type.Integer({ minimum: 0 }),
  width: Type.Integer(),
  height: Type.Integer(),
  encoding: Type.Union([Type.Literal('png'), Type.Literal('none')]),
  byteLength: Type.Integer({ minimum: 0 }),
  url: Type.String(),
  /** True when re-sent by `subscribe` with `replay`, not freshly produced. */
  replay: Type.Optional(Type.Boolean()),
});
export type MaskFrameEvent = Static<typeof MaskFrameEventSchema>;

export const ServerMessageSchema = Type.Union([
  AckSchema,
  ErrorMessageSchema,
  JobEventSchema,
  ProgressEventSchema,
  MaskFrameEventSchema,
]);
export type ServerMessage = Ack | ErrorMessage | JobEvent | ProgressEvent | MaskFrameEvent;
