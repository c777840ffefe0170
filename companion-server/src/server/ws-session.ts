/**
 * One WebSocket connection: parses and validates each message, answers every request exactly
 * once (ack or structured error), makes state-changing requests idempotent by request id, and
 * pairs binary mask uploads with the request that announced them.
 */
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { type ClientMessage, type ErrorMessage, parseClientMessage, LIMITS } from '@oneshot-roto/protocol';
import { asProtocolError, ProtocolError } from './errors';
import { dispatch, IDEMPOTENT_TYPES, JOB_STARTING_TYPES, type HandlerContext } from './handlers';
import type { Client } from './hub';
import { hashMessage, type RequestCache } from './request-cache';
import { scanRequestId } from './scan-request-id';

const BINARY_WAIT_MS = 30_000;

interface AwaitingBinary {
  byteLength: number;
  resolve(bytes: Uint8Array): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class WsSession {
  private readonly awaiting: AwaitingBinary[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly client: Client,
    private readonly ctx: HandlerContext,
    private readonly cache: RequestCache,
    private readonly log: Logger,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => {
      // Nobody can retry under an anonymous connection's scope once it is closed.
      if (this.client.clientId === undefined) this.cache.forget(this.client.requestScope);
      for (const a of this.awaiting.splice(0)) {
        clearTimeout(a.timer);
        a.reject(new ProtocolError('bad_message', 'connection closed before the binary mask arrived'));
      }
    });
  }

  private sendError(id: string | null, err: ProtocolError): void {
    const msg: ErrorMessage = { type: 'error', id, code: err.code, message: err.message };
    if (err.path) msg.path = err.path;
    if (err.retryable) msg.retryable = true;
    this.send(JSON.stringify(msg));
  }

  private send(text: string): void {
    if (this.ws.readyState === 1) this.ws.send(text);
  }

  private onMessage(raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (bytes.length > LIMITS.maxMessageBytes) {
      const tooLarge = new ProtocolError(
        'too_large',
        `message of ${bytes.length} bytes exceeds the ${LIMITS.maxMessageBytes}-byte limit; send big masks as files or smaller PNGs`,
      );
      // A binary mask answers to the request that announced it; a text message to its own id.
      const waiting = isBinary ? this.awaiting.shift() : undefined;
      if (waiting) {
        clearTimeout(waiting.timer);
        waiting.reject(tooLarge);
      } else this.sendError(isBinary ? null : scanRequestId(bytes), tooLarge);
      return;
    }
    if (isBinary) {
      const waiting = this.awaiting.shift();
      if (!waiting) {
        this.sendError(
          null,
          new ProtocolError(
            'unexpected_binary',
            'binary message received but no request announced one; send addAnnotation with mask {kind:"png", encoding:"binary"} first',
          ),
        );
        return;
      }
      clearTimeout(waiting.timer);
      if (bytes.length !== waiting.byteLength) {
        waiting.reject(
          new ProtocolError(
            'bad_mask',
            `the binary mask has ${bytes.length} bytes but the request announced ${waiting.byteLength}`,
            { path: '/mask/byteLength' },
          ),
        );
      } else {
        waiting.resolve(new Uint8Array(bytes));
      }
      return;
    }
    const text = bytes.toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.sendError(parsed.id, new ProtocolError(parsed.code, parsed.message, { path: parsed.path }));
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'hello' && msg.clientId !== undefined) {
      // Set before any await, so requests pipelined behind the hello are already the client's.
      if (this.client.clientId === undefined) this.client.clientId = msg.clientId;
      else if (this.client.clientId !== msg.clientId) {
        this.sendError(
          msg.id,
          new ProtocolError(
            'conflict',
            `this connection is client "${this.client.clientId}"; a connection keeps the clientId of its first hello (reconnect to change it)`,
            { path: '/clientId' },
          ),
        );
        return;
      }
    }
    // Register the wait for a binary payload now, before any await, so the next binary message pairs with it.
    let binary: Promise<Uint8Array> | undefined;
    if (
      (msg.type === 'addAnnotation' || msg.type === 'addCorrection') &&
      msg.mask.kind === 'png' &&
      msg.mask.encoding === 'binary'
    ) {
      const byteLength = msg.mask.byteLength;
      binary = new Promise<Uint8Array>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = this.awaiting.findIndex((a) => a.timer === timer);
          if (i >= 0) this.awaiting.splice(i, 1);
          reject(
            new ProtocolError(
              'bad_message',
              `the binary mask (${byteLength} bytes) did not arrive within ${BINARY_WAIT_MS / 1000} s`,
              { path: '/mask' },
            ),
          );
        }, BINARY_WAIT_MS);
        this.awaiting.push({ byteLength, resolve, reject, timer });
      });
      binary.catch(() => undefined);
    }
    void this.handle(msg, binary);
  }

  private async handle(msg: ClientMessage, binaryPending: Promise<Uint8Array> | undefined): Promise<void> {
    const requestHash = hashMessage(msg);
    const idempotent = IDEMPOTENT_TYPES.has(msg.type);
    // Request ids are the client's own: looked up and remembered under its scope only.
    const scope = this.client.requestScope;
    const request = { scope, id: msg.id, hash: requestHash, clientId: this.client.clientId };
    if (idempotent) {
      const previous = this.cache.get(scope, msg.id);
      if (previous) {
        if (previous.hash !== requestHash) {
          this.sendError(
            msg.id,
            new ProtocolError(
              'conflict',
              `request id "${msg.id}" was already used for a different request; use a new id per request`,
              { path: '/id' },
            ),
          );
        } else {
          this.send(await previous.answer);
        }
        return;
      }
      // A job-starting request answered before a restart: answer with its job again.
      const job = JOB_STARTING_TYPES.has(msg.type) ? this.ctx.jobs.byRequestId(scope, msg.id) : undefined;
      if (job) {
        if (job.requestHash !== requestHash) {
          this.sendError(
            msg.id,
            new ProtocolError(
              'conflict',
              `request id "${msg.id}" was already used for a different request; use a new id per request`,
              { path: '/id' },
            ),
          );
          return;
        }
        const result: Record<string, unknown> = { job: this.ctx.jobs.info(job) };
        if (msg.type === 'addCorrection') {
          const anns = await this.ctx.workspace.loadAnnotations(job.clipId, job.objectId);
          result.annotation = anns.find((a) => a.frame === msg.frame);
        }
        this.send(JSON.stringify({ type: 'ack', id: msg.id, request: msg.type, result }));
        return;
      }
    }
    let after: (() => Promise<void>) | undefined;
    const answer = (async (): Promise<string> => {
      try {
        const binary = binaryPending ? await binaryPending : undefined;
        const out = await dispatch(this.ctx, msg, { client: this.client, binary, requestHash, request });
        after = out.after;
        return JSON.stringify({ type: 'ack', id: msg.id, request: msg.type, result: out.result });
      } catch (err) {
        const pe = asProtocolError(err);
        if (pe.code === 'internal') this.log.error({ err, type: msg.type, id: msg.id }, 'request failed');
        else
          this.log.debug(
            { code: pe.code, type: msg.type, id: msg.id, message: pe.message },
            'request refused',
          );
        const e: ErrorMessage = { type: 'error', id: msg.id, code: pe.code, message: pe.message };
        if (pe.path) e.path = pe.path;
        if (pe.retryable) e.retryable = true;
        return JSON.stringify(e);
      }
    })();
    if (idempotent) {
      this.cache.set(scope, msg.id, requestHash, answer);
      // Only successes are remembered: a failed request changed nothing, so a retry may run again.
      void answer.then((a) => {
        if (a.startsWith('{"type":"error"')) this.cache.delete(scope, msg.id);
      });
    }
    this.send(await answer);
    if (after) await after().catch((err) => this.log.error({ err }, 'post-ack step failed'));
  }
}
