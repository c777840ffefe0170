/**
 * What each client request does. Handlers validate against the server's state (clip exists,
 * frame in range, paths allowed), change it, and return the ack result; errors are thrown as
 * ProtocolError with a code the client can act on.
 */
import {
  type AnnotationInfo,
  type ClientMessage,
  type ClientMessageOf,
  type ClientMessageType,
  type AckResult,
  LIMITS,
  PROTOCOL_VERSION,
  strokeBudgetError,
} from '@oneshot-roto/protocol';
import { countLabels, RasterizeError } from './annotation/rasterize';
import type { RasterPool, RasterResult } from './annotation/raster-pool';
import { checkAnnotationCounts } from './annotation/mask-check';
import { encodeStoredAnnotation } from './annotation/stored-mask';
import {
  type SegmentationBackend,
  MatteOptionsError,
  resolveMatteOptions,
  buildConfidenceReport,
} from '@oneshot-roto/core';
import type { ClipRegistry } from './clips';
import { ioError, ProtocolError } from './errors';
import type { Client, Hub, Subscription } from './hub';
import type { JobManager, RequestKey } from './jobs';
import { prepareOutputFolder } from './path-rules';
import { decodeClientMaskPng, decodeGrayPng } from './png';
import { DEFAULT_OBJECT, type Workspace } from './workspace';
import { version } from '../version';

export interface HandlerContext {
  clips: ClipRegistry;
  jobs: JobManager;
  workspace: Workspace;
  hub: Hub;
  backend: SegmentationBackend;
  workers: number;
  /** Worker threads that rasterise stroke annotations off the event loop. */
  raster: RasterPool;
}

export interface HandlerOutcome<T extends ClientMessageType> {
  result: AckResult<T>;
  /** Runs after the ack is sent (e.g. replaying frames to a new subscriber). */
  after?: () => Promise<void>;
}

export interface RequestExtras {
  client: Client;
  /** Bytes of a `png`/`binary` mask, received as the next binary message. */
  binary?: Uint8Array;
  requestHash: string;
  /** The request as the job queue records it (idempotent retries, also after restarts). */
  request: RequestKey;
}

type Handler<T extends ClientMessageType> = (
  ctx: HandlerContext,
  msg: ClientMessageOf<T>,
  x: RequestExtras,
) => Promise<HandlerOutcome<T>>;

function checkFrame(ctx: HandlerContext, clipId: string, frame: number, field: string): void {
  const clip = ctx.clips.get(clipId);
  if (frame >= clip.frameCount) {
    throw new ProtocolError(
      'bad_message',
      `${field} ${frame} is outside clip ${clipId}, which has frames 0..${clip.frameCount - 1}`,
      { path: `/${field}` },
    );
  }
}

async function buildAnnotationMask(
  ctx: HandlerContext,
  msg: ClientMessageOf<'addAnnotation'> | ClientMessageOf<'addCorrection'>,
  objectId: string,
  binary: Uint8Array | undefined,
): Promise<RasterResult> {
  const clip = ctx.clips.get(msg.clipId);
  const { width, height } = clip;
  const m = msg.mask;
  if (m.kind === 'strokes') {
    // Refuse what the limits do not allow before reading or painting anything.
    const over = strokeBudgetError(m.strokes, width, height, m.space);
    if (over) throw new ProtocolError('too_large', over.message, { path: over.path });
    let base: Uint8Array | undefined;
    if (m.base === 'prediction') {
      const png = await ctx.workspace.readMask(msg.clipId, objectId, msg.frame);
      if (!png) {
        throw new ProtocolError(
          'not_found',
          `frame ${msg.frame} of object "${objectId}" has no prediction yet; segment first or send base "empty"`,
          { path: '/mask/base' },
        );
      }
      const weights = await ctx.workspace.loadWeights(msg.clipId, objectId);
      const t = Math.round((weights?.threshold ?? 0.5) * 255);
      const soft = (await decodeGrayPng(png)).data;
      base = new Uint8Array(soft.length);
      for (let i = 0; i < soft.length; i++) base[i] = soft[i]! >= t && soft[i]! > 0 ? 1 : 0;
    }
    try {
      return await ctx.raster.rasterize({ strokes: m.strokes, width, height, space: m.space, base });
    } catch (err) {
      if (err instanceof RasterizeError)
        throw new ProtocolError('bad_mask', err.message, { cause: err, path: '/mask/strokes' });
      throw err;
    }
  }
  if (m.encoding === 'base64') {
    const bytes = Buffer.from(m.data, 'base64');
    return withCounts(await decodeClientMaskPng(bytes, width, height));
  }
  if (!binary)
    throw new ProtocolError(
      'bad_message',
      'the binary PNG of the mask did not arrive; send it as the next binary message',
      { path: '/mask' },
    );
  return withCounts(await decodeClientMaskPng(binary, width, height));
}

function withCounts(mask: Uint8Array): RasterResult {
  return { mask, ...countLabels(mask) };
}

async function addAnnotationCommon(
  ctx: HandlerContext,
  msg: ClientMessageOf<'addAnnotation'> | ClientMessageOf<'addCorrection'>,
  role: AnnotationInfo['role'],
  binary: Uint8Array | undefined,
): Promise<AnnotationInfo> {
  const clip = ctx.clips.get(msg.clipId);
  checkFrame(ctx, msg.clipId, msg.frame, 'frame');
  const objectId = msg.objectId ?? DEFAULT_OBJECT;
  const { mask, ...counts } = await buildAnnotationMask(ctx, msg, objectId, binary);
  checkAnnotationCounts(msg.frame, counts);
  const info: AnnotationInfo = {
    annotationId: `a${msg.frame}-${Date.now().toString(36)}`,
    objectId,
    frame: msg.frame,
    role,
    foregroundPixels: counts.foreground,
    ...(counts.open > 0 ? { openPixels: counts.open } : {}),
    createdAt: new Date().toISOString(),
  };
  const png = await encodeStoredAnnotation(mask, clip.width, clip.height);
  try {
    await ctx.workspace.saveAnnotation(msg.clipId, info, png);
  } catch (err) {
    throw ioError('save the annotation in', ctx.workspace.objectDir(msg.clipId, objectId), err);
  }
  return info;
}

export const handlers: { [T in ClientMessageType]: Handler<T> } = {
  async hello(ctx, msg) {
    if (msg.protocol !== PROTOCOL_VERSION) {
      throw new ProtocolError(
        'unsupported_version',
        `this server speaks protocol ${PROTOCOL_VERSION}, the client ${msg.protocol}; update the panel or the server so they match`,
        { path: '/protocol' },
      );
    }
    return {
      result: {
        protocol: PROTOCOL_VERSION,
        serverVersion: version,
        executionProvider: ctx.backend.executionProvider(),
        maxMessageBytes: LIMITS.maxMessageBytes,
      },
    };
  },

  async openClip(ctx, msg) {
    const { record, created } = await ctx.clips.open(msg.source, msg.name);
    return { result: { clip: await ctx.clips.info(record.clipId), created } };
  },

  async listClips(ctx) {
    const clips = await Promise.all(ctx.clips.list().map((c) => ctx.clips.info(c.clipId)));
    return { result: { clips } };
  },

  async getClip(ctx, msg) {
    return { result: { clip: await ctx.clips.info(msg.clipId) } };
  },

  async addAnnotation(ctx, msg, x) {
    return { result: { annotation: await addAnnotationCommon(ctx, msg, 'initial', x.binary) } };
  },

  async addCorrection(ctx, msg, x) {
    const annotation = await addAnnotationCommon(ctx, msg, 'correction', x.binary);
    const job = await ctx.jobs.enqueue(
      'fineTune',
      msg.clipId,
      annotation.objectId,
      {
        preset: msg.preset ?? 'fast',
        resume: true,
        thenSegment: true,
        playheadFrame: msg.playheadFrame ?? msg.frame,
      },
      x.request,
    );
    return { result: { annotation, job: ctx.jobs.info(job) } };
  },

  async fineTune(ctx, msg, x) {
    ctx.clips.get(msg.clipId);
    const objectId = msg.objectId ?? DEFAULT_OBJECT;
    if ((await ctx.workspace.loadAnnotations(msg.clipId, objectId)).length === 0) {
      throw new ProtocolError(
        'no_annotation',
        `object "${objectId}" of clip ${msg.clipId} has no annotation; send addAnnotation first`,
        { path: '/objectId' },
      );
    }
    if (msg.thenSegment?.playheadFrame !== undefined)
      checkFrame(ctx, msg.clipId, msg.thenSegment.playheadFrame, 'thenSegment/playheadFrame');
    const job = await ctx.jobs.enqueue(
      'fineTune',
      msg.clipId,
      objectId,
      {
        preset: msg.preset,
        resume: msg.resume ?? false,
        thenSegment: msg.thenSegment !== undefined,
        playheadFrame: msg.thenSegment?.playheadFrame,
      },
      x.request,
    );
    return { result: { job: ctx.jobs.info(job) } };
  },

  async segment(ctx, msg, x) {
    ctx.clips.get(msg.clipId);
    if (msg.playheadFrame !== undefined) checkFrame(ctx, msg.clipId, msg.playheadFrame, 'playheadFrame');
    if (msg.range) {
      checkFrame(ctx, msg.clipId, msg.range[1], 'range/1');
      if (msg.range[0] > msg.range[1])
        throw new ProtocolError(
          'bad_message',
          `range [${msg.range[0]}, ${msg.range[1]}] is reversed; send [first, last]`,
          { path: '/range' },
        );
    }
    const job = await ctx.jobs.enqueue(
      'segment',
      msg.clipId,
      msg.objectId ?? DEFAULT_OBJECT,
      { playheadFrame: msg.playheadFrame, range: msg.range },
      x.request,
    );
    return { result: { job: ctx.jobs.info(job) } };
  },

  async render(ctx, msg, x) {
    ctx.clips.get(msg.clipId);
    // Reject bad combinations (e.g. soft + feather) now rather than when the job runs.
    try {
      resolveMatteOptions({ ...msg.matte, format: msg.format });
    } catch (err) {
      if (err instanceof MatteOptionsError)
        throw new ProtocolError('bad_message', err.message, { cause: err, path: '/matte' });
      throw err;
    }
    const outputFolder = await prepareOutputFolder(msg.outputFolder, 'outputFolder', ctx.workspace.root);
    const job = await ctx.jobs.enqueue(
      'render',
      msg.clipId,
      msg.objectId ?? DEFAULT_OBJECT,
      {
        format: msg.format,
        outputFolder,
        name: msg.name,
        matte: msg.matte,
        segmentMissing: msg.segmentMissing,
        keepPainted: msg.keepPainted,
      },
      x.request,
    );
    return { result: { job: ctx.jobs.info(job) } };
  },

  async cancel(ctx, msg) {
    const job = await ctx.jobs.cancel(msg.jobId);
    return { result: { job: ctx.jobs.info(job) } };
  },

  async listJobs(ctx, msg) {
    if (msg.clipId) ctx.clips.get(msg.clipId);
    return { result: { jobs: ctx.jobs.list(msg.clipId).map((j) => ctx.jobs.info(j)) } };
  },

  async subscribe(ctx, msg, x) {
    const sub: Subscription = { masks: msg.masks ?? 'png' };
    const c = x.client;
    if (msg.jobId) {
      const job = ctx.jobs.get(msg.jobId);
      const info = ctx.jobs.info(job);
      if (!msg.replay) {
        c.jobs.set(msg.jobId, sub);
        return { result: { jobs: [info] } };
      }
      // Snapshot the frames produced so far and hold live ones until they are re-sent.
      const s: Subscription = { masks: sub.masks, held: [] };
      c.jobs.set(msg.jobId, s);
      const frames = ctx.jobs.producedFrames(msg.jobId).slice();
      const clip = ctx.clips.get(job.clipId);
      return {
        result: { jobs: [info] },
        after: async () => {
          try {
            for (const [seq, frame] of frames.entries()) {
              if (!c.open) return;
              const png =
                (await ctx.workspace.readMask(job.clipId, job.objectId, frame)) ?? new Uint8Array(0);
              c.deliver(
                {
                  jobId: job.jobId,
                  clipId: job.clipId,
                  objectId: job.objectId,
                  frame,
                  seq,
                  width: clip.width,
                  height: clip.height,
                  png,
                },
                s,
                true,
              );
            }
          } finally {
            c.release(s);
          }
        },
      };
    }
    if (msg.clipId) {
      ctx.clips.get(msg.clipId);
      c.clips.set(msg.clipId, sub);
      return { result: { jobs: ctx.jobs.list(msg.clipId).map((j) => ctx.jobs.info(j)) } };
    }
    c.all = sub;
    return { result: { jobs: ctx.jobs.list().map((j) => ctx.jobs.info(j)) } };
  },

  async unsubscribe(_ctx, msg, x) {
    if (msg.jobId) x.client.jobs.delete(msg.jobId);
    if (msg.clipId) x.client.clips.delete(msg.clipId);
    if (!msg.jobId && !msg.clipId) {
      x.client.jobs.clear();
      x.client.clips.clear();
      x.client.all = undefined;
    }
    return { result: {} };
  },

  async ping() {
    return { result: { time: new Date().toISOString() } };
  },

  async getConfidence(ctx, msg) {
    ctx.clips.get(msg.clipId);
    const objectId = msg.objectId ?? DEFAULT_OBJECT;
    const evidence = await ctx.workspace.loadEvidence(msg.clipId, objectId);
    const annotated = (await ctx.workspace.loadAnnotations(msg.clipId, objectId)).map((a) => a.frame);
    const report = buildConfidenceReport(evidence, annotated, (f) => f);
    return {
      result: {
        frames: report.frames.map(({ sourceFrame: _source, ...f }) => f),
        suggest: report.suggest,
      },
    };
  },
};

/** Requests that change state: answered once per request id, replayed on retry. */
export const IDEMPOTENT_TYPES: ReadonlySet<ClientMessageType> = new Set([
  'openClip',
  'addAnnotation',
  'addCorrection',
  'fineTune',
  'segment',
  'render',
  'cancel',
]);

/** Job-starting requests, remembered across restarts through the job records. */
export const JOB_STARTING_TYPES: ReadonlySet<ClientMessageType> = new Set([
  'addCorrection',
  'fineTune',
  'segment',
  'render',
]);

export function dispatch(
  ctx: HandlerContext,
  msg: ClientMessage,
  x: RequestExtras,
): Promise<HandlerOutcome<ClientMessageType>> {
  const h = handlers[msg.type] as Handler<ClientMessageType>;
  return h(ctx, msg, x);
}
