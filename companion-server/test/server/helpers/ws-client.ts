/** A real WebSocket client for server tests: request/answer by id, event log, paired mask frames. */
import WebSocket from 'ws';
import {
  decodeMaskFrame,
  type MaskFrameEvent,
  type ServerMessage,
  type ErrorMessage,
  PROTOCOL_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '@oneshot-roto/protocol';

export interface ReceivedMask {
  header: MaskFrameEvent;
  payload: Buffer | null;
}

type Answer = { type: 'ack'; id: string; request: string; result: Record<string, unknown> } | ErrorMessage;

let nextId = 0;

export class TestClient {
  readonly events: ServerMessage[] = [];
  readonly masks: ReceivedMask[] = [];
  readonly errors: ErrorMessage[] = [];
  /** Pairing problems seen (binary without header, seq/frame mismatch). */
  readonly pairingErrors: string[] = [];
  private readonly waiters = new Map<string, (a: Answer) => void>();
  private pendingHeader: MaskFrameEvent | null = null;
  private listeners: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        if (!this.pendingHeader) {
          this.pairingErrors.push('binary message without a maskFrame header');
        } else {
          const d = decodeMaskFrame(new Uint8Array(data));
          if (d.seq !== this.pendingHeader.seq || d.frame !== this.pendingHeader.frame)
            this.pairingErrors.push(
              `prefix ${d.seq}/${d.frame} vs header ${this.pendingHeader.seq}/${this.pendingHeader.frame}`,
            );
          if (d.payload.length !== this.pendingHeader.byteLength)
            this.pairingErrors.push('payload length differs from byteLength');
          this.masks.push({ header: this.pendingHeader, payload: Buffer.from(d.payload) });
          this.pendingHeader = null;
        }
      } else {
        const msg = JSON.parse(data.toString('utf8')) as ServerMessage;
        if ((msg.type === 'ack' || msg.type === 'error') && msg.id && this.waiters.has(msg.id)) {
          const w = this.waiters.get(msg.id)!;
          this.waiters.delete(msg.id);
          w(msg);
        } else if (msg.type === 'error') {
          this.errors.push(msg);
        } else if (msg.type === 'maskFrame') {
          if (this.pendingHeader) this.pairingErrors.push('header while a binary was expected');
          if (msg.encoding === 'png') this.pendingHeader = msg;
          else this.masks.push({ header: msg, payload: null });
          this.events.push(msg);
        } else {
          this.events.push(msg);
        }
      }
      for (const l of this.listeners.slice()) l();
    });
  }

  static connect(
    baseUrl: string,
    token: string | null,
    opts: { via?: 'query' | 'subprotocol'; headers?: Record<string, string> } = {},
  ): Promise<TestClient> {
    const wsUrl =
      baseUrl.replace(/^http/, 'ws') +
      '/ws' +
      (token !== null && opts.via !== 'subprotocol' ? `?token=${encodeURIComponent(token)}` : '');
    const protocols =
      opts.via === 'subprotocol' && token !== null
        ? [PROTOCOL_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token]
        : undefined;
    const ws = new WebSocket(wsUrl, protocols, { headers: opts.headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })),
      );
      ws.once('error', reject);
    });
  }

  /** Sends a request and resolves with its ack or error. */
  request(msg: Record<string, unknown>, timeoutMs = 60_000): Promise<Answer> {
    const id = (msg.id as string | undefined) ?? `t${++nextId}`;
    const full = { ...msg, id };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${String(msg.type)} ${id} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.set(id, (a) => {
        clearTimeout(timer);
        resolve(a);
      });
      this.ws.send(JSON.stringify(full));
    });
  }

  /** Sends a request and returns its result; throws with the server's error. */
  async ack<T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T> {
    const a = await this.request(msg);
    if (a.type === 'error') throw Object.assign(new Error(`${a.code}: ${a.message}`), { code: a.code });
    return a.result as T;
  }

  /** Waits until `pred` holds (checked on every message). */
  waitFor(pred: () => boolean, timeoutMs = 60_000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (pred()) {
          clearTimeout(timer);
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve();
        }
      };
      this.listeners.push(check);
    });
  }

  /** Waits for a job to reach a final state; returns the final job event's job. */
  async waitForJob(jobId: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    const final = () =>
      this.events.find(
        (e) =>
          e.type === 'job' && e.job.jobId === jobId && ['done', 'failed', 'cancelled'].includes(e.job.state),
      ) as { type: 'job'; job: Record<string, unknown> } | undefined;
    await this.waitFor(() => final() !== undefined, timeoutMs, `job ${jobId} to finish`);
    return final()!.job;
  }

  masksOf(jobId: string): ReceivedMask[] {
    return this.masks.filter((m) => m.header.jobId === jobId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
