/**
 * HTTP routes of the companion server. Every request needs the install token:
 * `Authorization: Bearer <token>`, or `?token=<token>` (for `<img src>`, which can't set headers).
 * The server registers these paths and checks their parameters with these schemas; the panel
 * builds its URLs from the same table.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ClipIdSchema, ClipInfoSchema, JobIdSchema, JobInfoSchema, ObjectIdSchema } from './common';

export const HTTP_ROUTES = {
  /** Server status: `HealthResponse`. */
  health: '/health',
  /** `{ clips: ClipInfo[] }` */
  clips: '/clips',
  /** `ClipInfo` */
  clip: '/clips/:clipId',
  /** Source frame n (clip-relative) as RGB PNG; `?maxSide=` downsizes (aspect kept). */
  frame: '/clips/:clipId/frames/:frame.png',
  /** Finished mask of frame n as 8-bit grayscale PNG (404 until segmented). */
  mask: '/clips/:clipId/objects/:objectId/masks/:frame.png',
  /**
   * Frame n with the mask tinted over it (RGB PNG), less the pieces the piece track clears once the
   * segmentation is done (what a render with `pieceTrack` keeps; `?track=false`: the whole mask);
   * `?object=` (default "main"), `?maxSide=`.
   */
  overlay: '/clips/:clipId/overlay/:frame.png',
  /** `{ jobs: JobInfo[] }` */
  jobs: '/jobs',
  /** `JobInfo` */
  job: '/jobs/:jobId',
  /** The WebSocket endpoint (`?token=` or the token subprotocol). */
  ws: '/ws',
} as const;

export const HealthResponseSchema = Type.Object({
  ok: Type.Boolean(),
  name: Type.Literal('oneshot-roto'),
  version: Type.String(),
  protocol: Type.Integer(),
  /** The inference execution provider in use ("cpu", "cuda", ...), or "none" before the model loads. */
  executionProvider: Type.String(),
  /** Backend name, e.g. "osvos" or "parent-only". */
  backend: Type.String(),
  queue: Type.Object({ depth: Type.Integer(), running: Type.Integer(), workers: Type.Integer() }),
  clients: Type.Integer(),
  uptimeSeconds: Type.Number(),
});
export type HealthResponse = Static<typeof HealthResponseSchema>;

export const ClipsResponseSchema = Type.Object({ clips: Type.Array(ClipInfoSchema) });
export type ClipsResponse = Static<typeof ClipsResponseSchema>;
export const JobsResponseSchema = Type.Object({ jobs: Type.Array(JobInfoSchema) });
export type JobsResponse = Static<typeof JobsResponseSchema>;

/** HTTP error bodies: `{ error: { code, message } }` with status 400/401/403/404/413/422/500 (a Host or Origin refusal is a bare 403). */
export const HttpErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type HttpError = Static<typeof HttpErrorSchema>;

/** The frame number in a PNG route ("12" of "12.png"); a string, so "1e3" or " 5" is no frame. */
const FrameParamSchema = Type.String({ pattern: '^[0-9]{1,6}$' });
const MaxSideSchema = Type.Integer({ minimum: 16, maximum: 8192 });

/** Path parameters and query strings of the routes (other query keys, like `token`, pass). */
export const HTTP_PARAMS = {
  clip: Type.Object({ clipId: ClipIdSchema }),
  frame: Type.Object({ clipId: ClipIdSchema, frame: FrameParamSchema }),
  mask: Type.Object({ clipId: ClipIdSchema, objectId: ObjectIdSchema, frame: FrameParamSchema }),
  overlay: Type.Object({ clipId: ClipIdSchema, frame: FrameParamSchema }),
  job: Type.Object({ jobId: JobIdSchema }),
} as const;
export const HTTP_QUERIES = {
  frame: Type.Object({ maxSide: Type.Optional(MaxSideSchema) }),
  overlay: Type.Object({
    object: Type.Optional(ObjectIdSchema),
    maxSide: Type.Optional(MaxSideSchema),
    /** `false`: the whole stored mask, as a render with `pieceTrack` off keeps it (default true). */
    track: Type.Optional(Type.Boolean()),
  }),
} as const;

const enc = encodeURIComponent;

/** A route's path with its `:name` parameters filled in (encoded). */
function routePath(route: string, params: Record<string, string | number>): string {
  return route.replace(/:([A-Za-z]+)/g, (_, name: string) => enc(String(params[name])));
}

/** Path of a source frame PNG. */
export function frameUrl(clipId: string, frame: number): string {
  return routePath(HTTP_ROUTES.frame, { clipId, frame });
}
/** Path of a finished mask PNG. */
export function maskUrl(clipId: string, objectId: string, frame: number): string {
  return routePath(HTTP_ROUTES.mask, { clipId, objectId, frame });
}
/** Path of an overlay PNG; `track: false` asks for the whole stored mask (no piece track). */
export function overlayUrl(
  clipId: string,
  frame: number,
  objectId?: string,
  options: { track?: boolean } = {},
): string {
  const query = [
    ...(objectId ? [`object=${enc(objectId)}`] : []),
    ...(options.track === false ? ['track=false'] : []),
  ];
  return `${routePath(HTTP_ROUTES.overlay, { clipId, frame })}${query.length ? `?${query.join('&')}` : ''}`;
}
/** Appends the token as a query parameter (for `<img src>` and the WebSocket URL). */
export function withToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${enc(token)}`;
}
