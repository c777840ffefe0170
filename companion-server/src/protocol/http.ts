/**
 * HTTP routes of the companion server. Every request needs the install token:
 * `Authorization: Bearer <token>`, or `?token=<token>` (for `<img src>`, which can't set headers).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ClipInfoSchema, JobInfoSchema } from './common';

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
  /** Frame n with the mask tinted over it (RGB PNG); `?object=` (default "main"), `?maxSide=`. */
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
export const JobsResponseSchema = Type.Object({ jobs: Type.Array(JobInfoSchema) });

/** HTTP error bodies: `{ error: { code, message } }` with status 400/401/403/404/413/500. */
export const HttpErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

const enc = encodeURIComponent;

/** Path of a source frame PNG. */
export function frameUrl(clipId: string, frame: number): string {
  return `/clips/${enc(clipId)}/frames/${frame}.png`;
}
/** Path of a finished mask PNG. */
export function maskUrl(clipId: string, objectId: string, frame: number): string {
  return `/clips/${enc(clipId)}/objects/${enc(objectId)}/masks/${frame}.png`;
}
/** Path of an overlay PNG. */
export function overlayUrl(clipId: string, frame: number, objectId?: string): string {
  return `/clips/${enc(clipId)}/overlay/${frame}.png${objectId ? `?object=${enc(objectId)}` : ''}`;
}
/** Appends the token as a query parameter (for `<img src>` and the WebSocket URL). */
export function withToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${enc(token)}`;
}
