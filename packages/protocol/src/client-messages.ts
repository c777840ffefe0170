/**
 * Client → server messages (JSON text frames on /ws). Every request carries `type` and a
 * client-chosen request id `id`; the server answers exactly once with `ack` (same id) or `error`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  AnnotationMaskSchema,
  ClipIdSchema,
  ClipSourceSchema,
  FrameIndexSchema,
  JobIdSchema,
  MatteControlsSchema,
  ObjectIdSchema,
  PathSchema,
  PresetSchema,
  RenderFormatSchema,
  RequestIdSchema,
} from './common';

const closed = { additionalProperties: false } as const;

/**
 * A client's name for itself, chosen at random once per client (the panel: once per panel
 * session) and sent in every `hello`, also after reconnects: request ids are scoped to it.
 */
export const ClientIdSchema = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

/** First message after connecting: protocol negotiation and, optionally, the client's identity. */
export const HelloSchema = Type.Object(
  {
    type: Type.Literal('hello'),
    id: RequestIdSchema,
    protocol: Type.Integer({ minimum: 1, maximum: 1000 }),
    client: Type.Optional(
      Type.Object({ name: Type.String({ maxLength: 64 }), version: Type.String({ maxLength: 32 }) }, closed),
    ),
    /**
     * Request ids are answered once per client: with a `clientId`, per that id, across reconnects
     * and server restarts (a retried request gets its first answer); without one, per connection.
     * A connection keeps the first `clientId` it sent.
     */
    clientId: Type.Optional(ClientIdSchema),
  },
  closed,
);

/** Open (or re-open: same source → same clipId) a clip. */
export const OpenClipSchema = Type.Object(
  {
    type: Type.Literal('openClip'),
    id: RequestIdSchema,
    source: ClipSourceSchema,
    /** Free label shown in lists (e.g. the Premiere clip name). */
    name: Type.Optional(Type.String({ maxLength: 256 })),
  },
  closed,
);

export const ListClipsSchema = Type.Object({ type: Type.Literal('listClips'), id: RequestIdSchema }, closed);

export const GetClipSchema = Type.Object(
  { type: Type.Literal('getClip'), id: RequestIdSchema, clipId: ClipIdSchema },
  closed,
);

const annotationFields = {
  id: RequestIdSchema,
  clipId: ClipIdSchema,
  objectId: Type.Optional(ObjectIdSchema),
  frame: FrameIndexSchema,
  mask: AnnotationMaskSchema,
};

/** Add (or replace: same object and frame) an annotation. Does not start a job. */
export const AddAnnotationSchema = Type.Object(
  { type: Type.Literal('addAnnotation'), ...annotationFields },
  closed,
);

/**
 * Correction keyframe: adds the annotation and queues one job that continues fine-tuning from
 * the object's current weights with all its annotations, then re-segments the clip starting at
 * `playheadFrame` (default: the corrected frame).
 */
export const AddCorrectionSchema = Type.Object(
  {
    type: Type.Literal('addCorrection'),
    ...annotationFields,
    preset: Type.Optional(PresetSchema),
    playheadFrame: Type.Optional(FrameIndexSchema),
  },
  closed,
);

/**
 * Fine-tune the object on its annotations (one-shot; resumes from current weights when
 * `resume` is true). With `thenSegment`, the same job goes on to segment the clip.
 */
export const FineTuneSchema = Type.Object(
  {
    type: Type.Literal('fineTune'),
    id: RequestIdSchema,
    clipId: ClipIdSchema,
    objectId: Type.Optional(ObjectIdSchema),
    preset: PresetSchema,
    resume: Type.Optional(Type.Boolean()),
    thenSegment: Type.Optional(Type.Object({ playheadFrame: Type.Optional(FrameIndexSchema) }, closed)),
  },
  closed,
);

/** Segment the clip's frames with the object's current weights, `playheadFrame` first. */
export const SegmentSchema = Type.Object(
  {
    type: Type.Literal('segment'),
    id: RequestIdSchema,
    clipId: ClipIdSchema,
    objectId: Type.Optional(ObjectIdSchema),
    playheadFrame: Type.Optional(FrameIndexSchema),
    /** Only these frames, [first, last] inclusive; default: the whole clip. */
    range: Type.Optional(Type.Tuple([FrameIndexSchema, FrameIndexSchema])),
  },
  closed,
);

/** Write the matte of every frame into `outputFolder` (created if missing). */
export const RenderSchema = Type.Object(
  {
    type: Type.Literal('render'),
    id: RequestIdSchema,
    clipId: ClipIdSchema,
    objectId: Type.Optional(ObjectIdSchema),
    format: RenderFormatSchema,
    outputFolder: PathSchema,
    /** File name stem, e.g. "shot010_matte" → shot010_matte_00000.png. Default: "matte". */
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]*$' }),
    ),
    matte: Type.Optional(MatteControlsSchema),
    /** Segment frames that have no mask yet instead of failing. Default true. */
    segmentMissing: Type.Optional(Type.Boolean()),
    /**
     * Annotated frames come back as painted (the annotation is their matte; the finishing
     * controls still apply). Default true; false mattes them with the network like any frame.
     */
    keepPainted: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const CancelSchema = Type.Object(
  { type: Type.Literal('cancel'), id: RequestIdSchema, jobId: JobIdSchema },
  closed,
);

export const ListJobsSchema = Type.Object(
  { type: Type.Literal('listJobs'), id: RequestIdSchema, clipId: Type.Optional(ClipIdSchema) },
  closed,
);

/**
 * Receive progress and state events of a job (or of every job of a clip, or all jobs).
 * `masks`: `png` streams each finished mask as a `maskFrame` header + one binary message;
 * `none` sends headers only (fetch `/clips/:id/masks/...` when needed). `replay`: first resend
 * every mask frame the job already produced (late subscribers miss nothing).
 */
export const SubscribeSchema = Type.Object(
  {
    type: Type.Literal('subscribe'),
    id: RequestIdSchema,
    jobId: Type.Optional(JobIdSchema),
    clipId: Type.Optional(ClipIdSchema),
    masks: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('none')])),
    replay: Type.Optional(Type.Boolean()),
  },
  closed,
);

export const UnsubscribeSchema = Type.Object(
  {
    type: Type.Literal('unsubscribe'),
    id: RequestIdSchema,
    jobId: Type.Optional(JobIdSchema),
    clipId: Type.Optional(ClipIdSchema),
  },
  closed,
);

export const PingSchema = Type.Object({ type: Type.Literal('ping'), id: RequestIdSchema }, closed);

/** Per-frame confidence of an object's masks so far, and the frames to check next. */
export const GetConfidenceSchema = Type.Object(
  {
    type: Type.Literal('getConfidence'),
    id: RequestIdSchema,
    clipId: ClipIdSchema,
    objectId: Type.Optional(ObjectIdSchema),
  },
  closed,
);

/** Every client message schema by its `type`. */
export const ClientMessageSchemas = {
  hello: HelloSchema,
  openClip: OpenClipSchema,
  listClips: ListClipsSchema,
  getClip: GetClipSchema,
  addAnnotation: AddAnnotationSchema,
  addCorrection: AddCorrectionSchema,
  fineTune: FineTuneSchema,
  segment: SegmentSchema,
  render: RenderSchema,
  cancel: CancelSchema,
  listJobs: ListJobsSchema,
  subscribe: SubscribeSchema,
  unsubscribe: UnsubscribeSchema,
  ping: PingSchema,
  getConfidence: GetConfidenceSchema,
} as const satisfies Record<string, TSchema>;

export type ClientMessageType = keyof typeof ClientMessageSchemas;
export const CLIENT_MESSAGE_TYPES = Object.keys(ClientMessageSchemas) as ClientMessageType[];

export const ClientMessageSchema = Type.Union(Object.values(ClientMessageSchemas));

export type Hello = Static<typeof HelloSchema>;
export type OpenClip = Static<typeof OpenClipSchema>;
export type ListClips = Static<typeof ListClipsSchema>;
export type GetClip = Static<typeof GetClipSchema>;
export type AddAnnotation = Static<typeof AddAnnotationSchema>;
export type AddCorrection = Static<typeof AddCorrectionSchema>;
export type FineTune = Static<typeof FineTuneSchema>;
export type Segment = Static<typeof SegmentSchema>;
export type Render = Static<typeof RenderSchema>;
export type Cancel = Static<typeof CancelSchema>;
export type ListJobs = Static<typeof ListJobsSchema>;
export type Subscribe = Static<typeof SubscribeSchema>;
export type Unsubscribe = Static<typeof UnsubscribeSchema>;
export type GetConfidence = Static<typeof GetConfidenceSchema>;
export type Ping = Static<typeof PingSchema>;

/** A client message of a given type. */
export type ClientMessageOf<T extends ClientMessageType> = Static<(typeof ClientMessageSchemas)[T]>;
export type ClientMessage = { [T in ClientMessageType]: ClientMessageOf<T> }[ClientMessageType];
