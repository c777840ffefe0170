/** HTTP routes: health, clip and job listings, and PNG frames/masks/overlays for the panel's <img>. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HealthResponse } from '../protocol/http';
import { PROTOCOL_VERSION } from '../protocol/version';
import { version } from '../version';
import { asProtocolError, ProtocolError } from './errors';
import type { HandlerContext } from './handlers';
import { decodeGrayPng, encodeOverlayPng, encodeRgbPng } from './png';
import { DEFAULT_OBJECT } from './workspace';

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const OBJECT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const JOB = /^[A-Za-z0-9_-]{1,64}$/;
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
  return reply.code(STATUS[pe.code] ?? 500).send({ error: { code: pe.code, message: pe.message } });
}

function frameParam(raw: string): number {
  if (!/^\d{1,6}$/.test(raw))
    throw new ProtocolError('bad_message', `frame "${raw.slice(0, 20)}" is not a frame number`);
  return Number(raw);
}

function idParam(raw: string, re: RegExp, what: string): string {
  if (!re.test(raw))
    throw new ProtocolError('bad_message', `${what} "${raw.slice(0, 70)}" is not a valid ${what}`);
  return raw;
}

function maxSideParam(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 16 || n > 8192)
    throw new ProtocolError('bad_message', 'maxSide must be an integer between 16 and 8192');
  return n;
}

export function registerHttpRoutes(app: FastifyInstance, ctx: HandlerContext, startedAt: number): void {
  app.get('/health', async (): Promise<HealthResponse> => ({
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

  app.get('/clips', async (_req, reply) => {
    try {
      return { clips: await Promise.all(ctx.clips.list().map((c) => ctx.clips.info(c.clipId))) };
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get<{ Params: { clipId: string } }>('/clips/:clipId', async (req, reply) => {
    try {
      return await ctx.clips.info(idParam(req.params.clipId, ID, 'clip id'));
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.get<{ Params: { clipId: string; frame: string }; Querystring: { maxSide?: string } }>(
    '/clips/:clipId/frames/:frame.png',
    async (req, reply) => {
      try {
        const clipId = idParam(req.params.clipId, ID, 'clip id');
        const frame = await ctx.clips.readFrame(clipId, frameParam(req.params.frame));
        const png = await encodeRgbPng(frame, maxSideParam(req.query.maxSide));
        return reply.type('image/png').header('cache-control', 'no-store').send(png);
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  app.get<{ Params: { clipId: string; objectId: string; frame: string } }>(
    '/clips/:clipId/objects/:objectId/masks/:frame.png',
    async (req, reply) => {
      try {
        const clipId = idParam(req.params.clipId, ID, 'clip id');
        const objectId = idParam(req.params.objectId, OBJECT, 'object id');
        const frame = frameParam(req.params.frame);
        ctx.clips.get(clipId);
        const png = await ctx.workspace.readMask(clipId, objectId, frame);
        if (!png)
          throw new ProtocolError('not_found', `frame ${frame} of object "${objectId}" has no mask yet`);
        return reply.type('image/png').header('cache-control', 'no-store').send(png);
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  app.get<{ Params: { clipId: string; frame: string }; Querystring: { object?: string; maxSide?: string } }>(
    '/clips/:clipId/overlay/:frame.png',
    async (req, reply) => {
      try {
        const clipId = idParam(req.params.clipId, ID, 'clip id');
        const objectId = idParam(req.query.object ?? DEFAULT_OBJECT, OBJECT, 'object id');
        const n = frameParam(req.params.frame);
        const frame = await ctx.clips.readFrame(clipId, n);
        const maskPng = await ctx.workspace.readMask(clipId, objectId, n);
        const matte = maskPng ? (await decodeGrayPng(maskPng)).data : null;
        const png = await encodeOverlayPng(frame, matte, maxSideParam(req.query.maxSide));
        return reply.type('image/png').header('cache-control', 'no-store').send(png);
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  app.get('/jobs', async () => ({ jobs: ctx.jobs.list().map((j) => ctx.jobs.info(j)) }));

  app.get<{ Params: { jobId: string } }>('/jobs/:jobId', async (req, reply) => {
    try {
      return ctx.jobs.info(ctx.jobs.get(idParam(req.params.jobId, JOB, 'job id')));
    } catch (err) {
      return sendError(reply, err);
    }
  });
}
