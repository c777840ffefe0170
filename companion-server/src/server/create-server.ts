/**
 * Assembles the companion server: fastify (HTTP routes), a ws server on /ws sharing its port,
 * the workspace, the clip registry, the job queue and the event hub. Shared by the CLI and tests.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { resolve } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { childLogger, type SegmentationBackend } from '@oneshot-roto/core';
import { HTTP_ROUTES, LIMITS, PROTOCOL_SUBPROTOCOL } from '@oneshot-roto/protocol';
import { RasterPool } from './annotation/raster-pool';
import { ClipRegistry } from './clips';
import type { HandlerContext } from './handlers';
import { registerHttpRoutes } from './http-routes';
import { Hub } from './hub';
import { JobManager } from './jobs';
import {
  guardRequest,
  isLoopbackAddress,
  redactUrl,
  checkHost,
  checkOrigin,
  type GuardOptions,
} from './request-guard';
import { RefusalLog } from './refusal-log';
import { RequestCache } from './request-cache';
import { loadOrCreateToken, type TokenInfo } from './token';
import { Workspace } from './workspace';
import { WsSession } from './ws-session';

export interface ServerOptions {
  /** Folder for clips, annotations, weights, masks and jobs. */
  workspace: string;
  backend: SegmentationBackend;
  /** Default 8765; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; anything not loopback needs `allowRemoteHost`. */
  host?: string;
  allowRemoteHost?: boolean;
  /** The install token; default: ONESHOT_ROTO_TOKEN or the token file (created on first start). */
  token?: string;
  /** Concurrent jobs (default 1: one model on one device). */
  workers?: number;
  /** Jobs allowed to wait in the queue (default 256). */
  maxQueuedJobs?: number;
  /** Origins accepted besides none and the UXP panel's `uxp://…` (never `null`). */
  allowedOrigins?: string[];
  /** Open TCP connections at most, WebSockets included (default 128); more are dropped. */
  maxConnections?: number;
  /** Open WebSocket clients at most (default 32); more upgrades are answered 503. */
  maxClients?: number;
  /** A connection silent this long before its upgrade or between requests is closed (default 15 s). */
  idleTimeoutMs?: number;
  logger?: Logger;
  /** Socket bytes buffered per client above which mask production waits (default 8 MiB). */
  highWaterBytes?: number;
  /** A client over the high-water mark this long is disconnected (default 30 s). */
  stallTimeoutMs?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  token: string;
  tokenInfo: TokenInfo;
  workspace: Workspace;
  jobs: JobManager;
  listen(): Promise<{ port: number; host: string; url: string }>;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8765;
export const DEFAULT_HOST = '127.0.0.1';

export class ServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerConfigError';
  }
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Answers an upgrade and closes; `code` null: a bare refusal (no body), for Host/Origin refusals. */
function refuseUpgrade(socket: Duplex, status: number, code: string | null, message: string): void {
  const body = code === null ? '' : JSON.stringify({ error: { code, message } });
  const type = code === null ? '' : 'Content-Type: application/json\r\n';
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  if (!isLoopbackAddress(host) && !options.allowRemoteHost) {
    throw new ServerConfigError(
      `refusing to listen on "${host}": it is not a loopback address, so other machines could reach the server. Use 127.0.0.1, or pass --allow-remote-host if you really mean it`,
    );
  }
  const log = options.logger ?? childLogger('server');
  if (!isLoopbackAddress(host)) {
    log.warn(
      { host },
      `--allow-remote-host: listening on ${host}, which is not a loopback address: other machines on the network can reach this server; only the token stands between them and your clips`,
    );
  }
  const refusals = new RefusalLog(log);
  const tokenInfo: TokenInfo =
    options.token !== undefined
      ? { token: options.token, source: 'env', path: null }
      : await loadOrCreateToken();
  const token = tokenInfo.token;

  const workspace = new Workspace(resolve(options.workspace));
  await workspace.init();
  const clips = new ClipRegistry(workspace);
  await clips.load();
  const hub = new Hub({
    logger: log,
    highWaterBytes: options.highWaterBytes ?? 8 * 1024 * 1024,
    stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
  });
  const workers = Math.max(1, options.workers ?? 1);
  const jobs = new JobManager({
    workspace,
    clips,
    backend: options.backend,
    events: hub,
    logger: log,
    workers,
    maxQueued: options.maxQueuedJobs ?? 256,
  });
  const raster = new RasterPool();
  const ctx: HandlerContext = { clips, jobs, workspace, hub, backend: options.backend, workers, raster };
  const cache = new RequestCache();

  let boundPort = options.port ?? DEFAULT_PORT;
  const guard: GuardOptions = {
    token,
    port: () => boundPort,
    extraHosts: isLoopbackAddress(host) ? [] : [host],
    allowedOrigins: options.allowedOrigins ?? [],
  };

  const app = Fastify({
    // pino 10's Logger and fastify's bundled pino types differ only nominally.
    loggerInstance: log as unknown as FastifyBaseLogger,
    // Request logs are written by the onResponse hook, with the token redacted from URLs.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: LIMITS.maxHttpBodyBytes,
    routerOptions: { maxParamLength: 200 },
    // Idle sockets (before their first request or upgrade, or kept alive) are closed.
    connectionTimeout: options.idleTimeoutMs ?? 15_000,
    keepAliveTimeout: Math.min(5_000, options.idleTimeoutMs ?? 15_000),
  });
  const idleMs = options.idleTimeoutMs ?? 15_000;
  // Idle or slow (slowloris) unauthenticated sockets cannot pile up to exhaust file descriptors.
  app.server.maxConnections = options.maxConnections ?? 128;
  app.server.headersTimeout = Math.max(1_000, Math.min(10_000, idleMs));
  const maxClients = options.maxClients ?? 32;

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS') {
      // CORS pre-flight: carries no token by design; only Host and Origin are checked.
      const h = checkHost(req.headers.host, guard);
      const o = h.ok ? checkOrigin(origin, guard) : h;
      if (!o.ok) {
        refusals.refused({ reason: o.reason, url: redactUrl(req.url), remote: req.ip }, 'request refused');
        return reply.code(o.status).header('connection', 'close').send();
      }
      if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      return reply
        .header('access-control-allow-methods', 'GET, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
    const r = guardRequest(
      { host: req.headers.host, origin, authorization: req.headers.authorization, url: req.url },
      guard,
    );
    if (!r.ok) {
      refusals.refused(
        { reason: r.reason, status: r.status, url: redactUrl(req.url), remote: req.ip },
        'request refused',
      );
      reply.header('connection', 'close');
      // Host or Origin refused (DNS rebinding, a web page): a bare refusal that tells nothing.
      if (r.status === 403) return reply.code(403).send();
      // A 401 passed the Host and Origin checks (the panel or the CLI): say what is wrong, and let
      // the panel read it (it tells a wrong token from a stopped server).
      if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      return reply.code(r.status).send({ error: { code: r.code, message: r.reason } });
    }
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  });
  app.addHook('onResponse', async (req, reply) => {
    log.debug(
      {
        method: req.method,
        url: redactUrl(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'http',
    );
  });
  registerHttpRoutes(app, ctx, Date.now());

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.maxMessageBytes * 4,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL_SUBPROTOCOL) ? PROTOCOL_SUBPROTOCOL : false),
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = req.url ?? '/';
    const pathname = url.split('?')[0];
    if (pathname !== HTTP_ROUTES.ws) {
      refuseUpgrade(socket, 404, 'not_found', `the WebSocket endpoint is ${HTTP_ROUTES.ws}`);
      return;
    }
    const subprotocols = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const r = guardRequest(
      {
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        url,
        subprotocols,
      },
      guard,
    );
    if (!r.ok) {
      refusals.refused(
        {
          reason: r.reason,
          status: r.status,
          url: redactUrl(url),
          remote: req.socket.remoteAddress,
          upgrade: true,
        },
        'websocket upgrade refused',
      );
      if (r.status === 403) refuseUpgrade(socket, 403, null, '');
      else refuseUpgrade(socket, r.status, r.code, r.reason);
      return;
    }
    if (wss.clients.size >= maxClients) {
      refusals.refused(
        {
          reason: `${maxClients} clients already connected`,
          remote: req.socket.remoteAddress,
          upgrade: true,
        },
        'websocket upgrade refused',
      );
      refuseUpgrade(socket, 503, null, '');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const client = hub.add(ws);
      const clientLog = log.child({ client: client.id });
      clientLog.info({ remote: req.socket.remoteAddress }, 'client connected');
      new WsSession(ws, client, ctx, cache, clientLog);
      ws.on('close', () => {
        hub.remove(client);
        clientLog.info('client disconnected');
      });
      ws.on('error', (err) => clientLog.warn({ err }, 'client socket error'));
    });
  };
  app.server.on('upgrade', onUpgrade);

  let closed = false;
  return {
    app,
    token,
    tokenInfo,
    workspace,
    jobs,
    async listen() {
      await app.listen({ port: boundPort, host });
      const addr = app.server.address() as AddressInfo;
      boundPort = addr.port;
      await jobs.recover();
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return { port: addr.port, host: addr.address, url: `http://${shownHost}:${addr.port}` };
    },
    async close() {
      if (closed) return;
      closed = true;
      await jobs.stop();
      for (const c of hub.clients) c.ws.close(1001, 'server shutting down');
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await app.close();
      refusals.flush();
      await raster.close();
      await clips.closeAll();
      await options.backend.close?.();
    },
  };
}
