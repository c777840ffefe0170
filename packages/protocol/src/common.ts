/** Schemas of values shared by several messages (ids, paths, strokes, masks, job info). */
import { Type, type Static } from '@sinclair/typebox';
import { LIMITS } from './version';
import { MATTE_OUTPUT_FORMATS, MatteOptionsSchema } from './matte-options';
import { PRESET_NAMES } from './presets';

export type { PresetName } from './presets';

/** Client-chosen request id; a retried request with the same id and body gets the same answer. */
export const RequestIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
/** Server-assigned clip id (16 lowercase hex digits derived from the clip's source). */
export const ClipIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]*$' });
/** Object within a clip, chosen by the client ("obj1", "person", ...). Default "main". */
export const ObjectIdSchema = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
});
export const JobIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const AnnotationIdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** Absolute file-system path on the server's machine (checked again by the server). */
export const PathSchema = Type.String({ minLength: 1, maxLength: LIMITS.maxPathLength });
/** Clip-relative frame index: 0 is the clip's first frame (its in point). */
export const FrameIndexSchema = Type.Integer({ minimum: 0, maximum: LIMITS.maxClipFrames - 1 });

export type RequestId = Static<typeof RequestIdSchema>;
export type ClipId = Static<typeof ClipIdSchema>;
export type ObjectId = Static<typeof ObjectIdSchema>;
export type JobId = Static<typeof JobIdSchema>;

/** The source of a clip: a media file with in/out frames, or a folder of numbered images. */
export const VideoSourceSchema = Type.Object(
  {
    kind: Type.Literal('video'),
    path: PathSchema,
    /** First media frame of the clip (inclusive), counted from the media's first frame at `fps`. */
    inFrame: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
    /** Frame after the clip's last one (exclusive): the clip has `outFrame - inFrame` frames. */
    outFrame: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    /** Frame rate the in/out frames count in; defaults to the media's own rate. */
    fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const FramesFolderSourceSchema = Type.Object(
  {
    kind: Type.Literal('frames'),
    /** Folder of images (png/jpg) taken in natural-sort order of their names. */
    folder: PathSchema,
    fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const ClipSourceSchema = Type.Union([VideoSourceSchema, FramesFolderSourceSchema]);
export type ClipSource = Static<typeof ClipSourceSchema>;

/**
 * What a stroke paints: `fg` object, `bg` background, `open` "don't care" — a band the editor
 * leaves to the network (hair, motion blur, a semi-transparent edge). Fine-tuning skips open
 * pixels and the matte takes the network's values there.
 */
export const LabelSchema = Type.Union([Type.Literal('fg'), Type.Literal('bg'), Type.Literal('open')]);
export type Label = Static<typeof LabelSchema>;

/** Flattened coordinates [x0, y0, x1, y1, ...] in the annotation's coordinate space. */
const CoordinatesSchema = Type.Array(Type.Number({ minimum: -1e6, maximum: 1e6 }), {
  minItems: 2,
  maxItems: LIMITS.maxStrokeCoordinates,
});

/** A brush stroke: every pixel within `radius` of the polyline gets `label` (a single point is a dab). */
export const PolylineStrokeSchema = Type.Object(
  {
    kind: Type.Literal('polyline'),
    label: LabelSchema,
    radius: Type.Number({ exclusiveMinimum: 0, maximum: LIMITS.maxStrokeRadius }),
    points: CoordinatesSchema,
  },
  { additionalProperties: false },
);
/** A filled polygon (non-zero winding; closed implicitly) with `label`. */
export const PolygonStrokeSchema = Type.Object(
  {
    kind: Type.Literal('polygon'),
    label: LabelSchema,
    points: Type.Array(Type.Number({ minimum: -1e6, maximum: 1e6 }), {
      minItems: 6,
      maxItems: LIMITS.maxStrokeCoordinates,
    }),
  },
  { additionalProperties: false },
);
export const StrokeSchema = Type.Union([PolylineStrokeSchema, PolygonStrokeSchema]);
export type PolylineStroke = Static<typeof PolylineStrokeSchema>;
export type PolygonStroke = Static<typeof PolygonStrokeSchema>;
export type Stroke = Static<typeof StrokeSchema>;

/**
 * Vector annotation: strokes applied in order (fg paints object, bg background, open leaves the
 * pixels to the network) over a base — `empty` (all background: only `open` strokes leave pixels
 * open) or `prediction` (the object's current mask at that frame, thresholded;
 * the natural base for corrections). Coordinates are in `space` (e.g. the panel's displayed image
 * size) and scaled to the frame; without `space` they are frame pixels.
 */
export const StrokesMaskSchema = Type.Object(
  {
    kind: Type.Literal('strokes'),
    base: Type.Optional(Type.Union([Type.Literal('empty'), Type.Literal('prediction')])),
    space: Type.Optional(
      Type.Object(
        {
          width: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
          height: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
        },
        { additionalProperties: false },
      ),
    ),
    strokes: Type.Array(StrokeSchema, { minItems: 1, maxItems: LIMITS.maxStrokes }),
  },
  { additionalProperties: false },
);
/** A mask image (grayscale or RGBA PNG; a pixel ≥ 128 in luma, or alpha when present, is foreground) at frame size. */
export const PngBase64MaskSchema = Type.Object(
  {
    kind: Type.Literal('png'),
    encoding: Type.Literal('base64'),
    data: Type.String({
      minLength: 4,
      maxLength: LIMITS.maxMaskBase64Chars,
      pattern: '^[A-Za-z0-9+/]+={0,2}$',
    }),
  },
  { additionalProperties: false },
);
/** The PNG bytes follow as the next binary WebSocket message on the same connection. */
export const PngBinaryMaskSchema = Type.Object(
  {
    kind: Type.Literal('png'),
    encoding: Type.Literal('binary'),
    byteLength: Type.Integer({ minimum: 8, maximum: LIMITS.maxMessageBytes }),
  },
  { additionalProperties: false },
);
export const AnnotationMaskSchema = Type.Union([StrokesMaskSchema, PngBase64MaskSchema, PngBinaryMaskSchema]);
export type StrokesMask = Static<typeof StrokesMaskSchema>;
export type AnnotationMaskInput = Static<typeof AnnotationMaskSchema>;

/** Fine-tuning budget: more iterations, better fit, longer wait. */
export const PresetSchema = Type.Union(PRESET_NAMES.map((p) => Type.Literal(p)));

/** Output formats of the matte renderer (the matte module's, same names as the CLI). */
export const RenderFormatSchema = Type.Union(MATTE_OUTPUT_FORMATS.map((f) => Type.Literal(f)));
export type RenderFormat = Static<typeof RenderFormatSchema>;

/**
 * Matte controls of a render request: the matte module's options (matte-options.ts, one schema
 * for the CLI and the server) without `format`, every field optional (its defaults apply).
 */
export const MatteControlsSchema = Type.Partial(Type.Omit(MatteOptionsSchema, ['format']), {
  additionalProperties: false,
});
export type MatteControls = Static<typeof MatteControlsSchema>;

export const JobKindSchema = Type.Union([
  Type.Literal('fineTune'),
  Type.Literal('segment'),
  Type.Literal('render'),
]);
export const JobStateSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type JobKind = Static<typeof JobKindSchema>;
export type JobState = Static<typeof JobStateSchema>;

/** What a job is doing now. */
export const JobPhaseSchema = Type.Union([
  Type.Literal('queued'),
  Type.Literal('fineTune'),
  Type.Literal('segment'),
  Type.Literal('render'),
  Type.Literal('finished'),
]);
export type JobPhase = Static<typeof JobPhaseSchema>;

export const ErrorCodeSchema = Type.Union([
  Type.Literal('bad_json'),
  Type.Literal('bad_message'),
  Type.Literal('unknown_type'),
  Type.Literal('too_large'),
  Type.Literal('unexpected_binary'),
  Type.Literal('unsupported_version'),
  Type.Literal('unauthorized'),
  Type.Literal('forbidden'),
  Type.Literal('not_found'),
  Type.Literal('bad_path'),
  Type.Literal('path_forbidden'),
  Type.Literal('media_unreadable'),
  Type.Literal('bad_mask'),
  Type.Literal('no_annotation'),
  Type.Literal('conflict'),
  Type.Literal('io_error'),
  Type.Literal('cancelled'),
  Type.Literal('backend_failed'),
  Type.Literal('shutting_down'),
  Type.Literal('internal'),
]);
export type ErrorCode = Static<typeof ErrorCodeSchema>;

export const ErrorBodySchema = Type.Object({
  code: ErrorCodeSchema,
  /** Human-readable: what is wrong and what to do. */
  message: Type.String(),
  /** JSON pointer of the offending field, for validation errors. */
  path: Type.Optional(Type.String()),
  /** True when the same request may succeed later unchanged. */
  retryable: Type.Optional(Type.Boolean()),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

export const JobInfoSchema = Type.Object({
  jobId: JobIdSchema,
  kind: JobKindSchema,
  clipId: ClipIdSchema,
  objectId: ObjectIdSchema,
  state: JobStateSchema,
  phase: JobPhaseSchema,
  /** Queue position (0 = next) while queued. */
  position: Type.Optional(Type.Integer()),
  createdAt: Type.String(),
  /** Progress of fine-tuning, when it has started. */
  iteration: Type.Optional(Type.Integer()),
  iterations: Type.Optional(Type.Integer()),
  loss: Type.Optional(Type.Number()),
  framesDone: Type.Optional(Type.Integer()),
  framesTotal: Type.Optional(Type.Integer()),
  etaSeconds: Type.Optional(Type.Number()),
  /** Files written by a finished render job. */
  outputs: Type.Optional(Type.Array(Type.String())),
  error: Type.Optional(ErrorBodySchema),
});
export type JobInfo = Static<typeof JobInfoSchema>;

export const AnnotationInfoSchema = Type.Object({
  annotationId: AnnotationIdSchema,
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  role: Type.Union([Type.Literal('initial'), Type.Literal('correction')]),
  foregroundPixels: Type.Integer(),
  /** Pixels left open ("don't care": the network decides them); absent when none. */
  openPixels: Type.Optional(Type.Integer()),
  createdAt: Type.String(),
});
export type AnnotationInfo = Static<typeof AnnotationInfoSchema>;

export const ObjectInfoSchema = Type.Object({
  objectId: ObjectIdSchema,
  annotations: Type.Array(AnnotationInfoSchema),
  /** True when fine-tuned weights exist. */
  fineTuned: Type.Boolean(),
  /** Number of frames with a finished mask. */
  framesDone: Type.Integer(),
});
export type ObjectInfo = Static<typeof ObjectInfoSchema>;

export const ClipInfoSchema = Type.Object({
  clipId: ClipIdSchema,
  source: ClipSourceSchema,
  width: Type.Integer(),
  height: Type.Integer(),
  frameCount: Type.Integer(),
  fps: Type.Number(),
  objects: Type.Array(ObjectInfoSchema),
  createdAt: Type.String(),
});
export type ClipInfo = Static<typeof ClipInfoSchema>;

/**
 * How sure the segmentation is of one frame (confidence/score.ts): `confidence` 0..1, higher is
 * surer, the mean of the terms present. A ranking score, not a calibrated probability.
 */
export const FrameConfidenceSchema = Type.Object({
  frame: FrameIndexSchema,
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  /** 1 − the soft map's uncertain share. */
  crispness: Type.Number({ minimum: 0, maximum: 1 }),
  /** The object's area and position against its neighbouring frames. */
  consistency: Type.Number({ minimum: 0, maximum: 1 }),
  /** IoU of the fine-tuned network's mask with the parent's (weights with a parent guide only). */
  agreement: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /**
   * The object's area and position against the network before the editor's last correction
   * (frames segmented by both only).
   */
  steadiness: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** The frame has an annotation: it comes back as painted and is never suggested. */
  annotated: Type.Boolean(),
});
export type FrameConfidenceInfo = Static<typeof FrameConfidenceSchema>;
