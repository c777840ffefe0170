/** HTTP routes: health, clip and job listings, and PNG frames/masks/overlays for the panel's <img>. */
import type { Static, TObject } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ClipInfo,
  type JobInfo,
  HTTP_PARAMS,
  HTTP_QUERIES,
  HTTP_ROUTES,
  type ClipsResponse,
  type HealthResponse,
  type HttpError,
  type JobsResponse,
  PROTOCOL_VERSION,
} from '@oneshot-roto/protocol';
import { version } from '../version';
import { asProtocolError, ProtocolError } from './errors';
import type { HandlerContext } from './handlers';
import { decodeGrayPng, encodeOverlayPng, encodeRgbPng } from './png';
import { DEFAULT_OBJECT } from './workspace';

const STATUS: Record<string, number> = {
  not_found: 404,
  bad_message: 400,
  bad_path: 400,
  path_forbidden: 403,
  too_large: 413,
  media_unreadable: 422,
  unauthorized: 401,
  forbidden: 403,
};

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const pe = asProtocolError(err);
  const body: HttpError = { error: { code: pe.code, message: pe.message } };
  return reply.code(STATUS[pe.code] ?? 500).send(body);
}

/** What each checked parameter is called in the answer to a bad one. */
const PARAM_NAMES: Record<string, string> = {
  clipId: 'clip id',
  objectId: 'object id',
  object: 'object id',
  jobId: 'job id',
};

/** The first parameter the route's schema refused, in the words clients already get for it. */
function invalidParameter(req: FastifyRequest): ProtocolError {
  const err = req.validationError!;
  // fastify types `validation` as any: it is ajv's list of errors.
  const validation = err.validation as Array<{ instancePath?: string }> | undefined;
  const field = (validation?.[0]?.instancePath ?? '').replace(/^\//, '');
  const values = (err.validationContext === 'querystring' ? req.query : req.params) as Record<
    string,
    unknown
  >;
  const value = values[field];
  // Query and path values are strings (arrays for a repeated query key), numbers once coerced.
  const raw =
    typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : JSON.stringify(value ?? '');
  if (field === 'frame')
    return new ProtocolError('bad_message', `frame "${raw.slice(0, 20)}" is not a frame number`);
  if (field === 'maxSide')
    return new ProtocolError('bad_message', 'maxSide must be an integer between 16 and 8192');
  const what = PARAM_NAMES[field] ?? field;
  return new ProtocolError('bad_message', `${what} "${raw.slice(0, 70)}" is not a valid ${what}`);
}

interface RouteTypes<P extends TObject | undefined, Q extends TObject | undefined> {
  Params: P extends TObject ? Static<P> : unknown;
  Querystring: Q extends TObject ? Static<Q> : unknown;
}

/**
 * A GET route whose parameters fastify checks against the protocol's schemas; a refused
 * parameter and any thrown error are answered `{ error: { code, message } }`.
 */
function getRoute<R, P extends TObject | undefined = undefined, Q extends TObject | undefined = undefined>(
  app: FastifyInstance,
  path: string,
  schemas: { params?: P; querystring?: Q },
  handler: (req: FastifyRequest<RouteTypes<P, Q>>, reply: FastifyReply) => Promise<R>,
): void {
  app.get<RouteTypes<P, Q>>(path, { schema: schemas, attachValidation: true }, async (req, reply) => {
    try {
      if (req.validationError) throw invalidParameter(req);
      return await handler(req, reply);
    } catch (err) {
      return sendError(reply, err);
    }
  });
}

function sendPng(reply: FastifyReply, png: Uint8Array): FastifyReply {
  return reply.type('image/png').header('cache-control', 'no-store').send(png);
}

export function registerHttpRoutes(app: FastifyInstance, ctx: HandlerContext, startedAt: number): void {
  getRoute(app, HTTP_ROUTES.health, {}, async (): Promise<HealthResponse> => ({
    ok: true,
    name: 'oneshot-roto',
    version,
    protocol: PROTOCOL_VERSION,
    executionProvider: ctx.backend.executionProvider(),
    backend: ctx.backend.name,
    queue: { depth: ctx.jobs.depth(), running: ctx.jobs.runningCount(), workers: ctx.workers },
    clients: ctx.hub.clients.size,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
  }));

  getRoute(app, HTTP_ROUTES.clips, {}, async (): Promise<ClipsResponse> => ({
    clips: await Promise.all(ctx.clips.list().map((c) => ctx.clips.info(c.clipId))),
  }));

  getRoute(app, HTTP_ROUTES.clip, { params: HTTP_PARAMS.clip }, async (req): Promise<ClipInfo> =>
    ctx.clips.info(req.params.clipId),
  );

  getRoute(
    app,
    HTTP_ROUTES.frame,
    { params: HTTP_PARAMS.frame, querystring: HTTP_QUERIES.frame },
    async (req, reply) => {
      const frame = await ctx.clips.readFrame(req.params.clipId, Number(req.params.frame));
      return sendPng(reply, await encodeRgbPng(frame, req.query.maxSide));
    },
  );

  getRoute(app, HTTP_ROUTES.mask, { params: HTTP_PARAMS.mask }, async (req, reply) => {
    const { clipId, objectId } = req.params;
    const frame = Number(req.params.frame);
    ctx.clips.get(clipId);
    const png = await ctx.workspace.readMask(clipId, objectId, frame);
    if (!png) throw new ProtocolError('not_found', `frame ${frame} of object "${objectId}" has no mask yet`);
    return sendPng(reply, png);
  });

  getRoute(
    app,
    HTTP_ROUTES.overlay,
    { params: HTTP_PARAMS.overlay, querystring: HTTP_QUERIES.overlay },
    async (req, reply) => {
      const { clipId } = req.params;
      const objectId = req.query.object ?? DEFAULT_OBJECT;
      const n = Number(req.params.frame);
      const frame = await ctx.clips.readFrame(clipId, n);
      const maskPng = await ctx.workspace.readMask(clipId, objectId, n);
      const matte = maskPng ? (await decodeGrayPng(maskPng)).data : null;
      // What the render will keep: the pieces the piece track clears are left out.
      if (matte && req.query.track !== false) {
        const track = await ctx.workspace.loadTrack(clipId, objectId).catch((err: unknown) => {
          req.log.warn({ err }, 'overlay drawn without the piece track');
          return undefined;
        });
        if (track?.width === frame.width && track.height === frame.height) track.clearIn(n, matte);
      }
      return sendPng(reply, await encodeOverlayPng(frame, matte, req.query.maxSide));
    },
  );

  getRoute(app, HTTP_ROUTES.jobs, {}, async (): Promise<JobsResponse> => ({
    jobs: ctx.jobs.list().map((j) => ctx.jobs.info(j)),
  }));

  getRoute(app, HTTP_ROUTES.job, { params: HTTP_PARAMS.job }, async (req): Promise<JobInfo> =>
    ctx.jobs.info(ctx.jobs.get(req.params.jobId)),
  );
}
