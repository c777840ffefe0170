// WebSocket client of the companion server, written for UXP's WebSocket (no 'drain' event, no
// TextDecoder, send() closes the socket when its buffer overflows):
// - typed requests (one `ack` or `error` per request id) built on the shared protocol schemas;
// - reconnect with exponential backoff and jitter, then `hello` (with the same `clientId` every
//   time: the server scopes request ids to it), re-sending unanswered requests under the same id
//   (the server answers a retried id of a client once) and re-subscribing to running jobs;
// - back-pressure: messages wait in an outbox while `bufferedAmount` is above a high-water mark;
// - incoming messages validated against the server message schemas.
import {
  PROTOCOL_SUBPROTOCOL,
  PROTOCOL_VERSION,
  TOKEN_SUBPROTOCOL_PREFIX,
  LIMITS,
  ServerMessageSchema,
  createChecker,
  decodeMaskFrame,
  type AckResult,
  type ClientMessageOf,
  type ClientMessageType,
  type ErrorCode,
  type JobEvent,
  type JobInfo,
  type MaskFrameEvent,
  type ProgressEvent,
  type ServerMessage,
} from '@oneshot-roto/protocol';
import { wsUrl, type ServerAddress } from './server-address';

/** The part of the WebSocket API used here (browser and UXP agree on it). */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string | ArrayBuffer | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

const OPEN = 1;

export type ConnectionState =
  | { status: 'idle' }
  | { status: 'connecting'; attempt: number }
  | { status: 'connected'; serverVersion: string; executionProvider: string }
  | { status: 'waiting'; retryInMs: number; reason: string }
  | { status: 'unauthorized'; message: string }
  | { status: 'incompatible'; message: string };

/** An `error` answer from the server, or a local failure of a request. */
export class ServerRequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'disconnected' | 'timeout' | 'too_large',
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServerRequestError';
  }
}

export interface ClientListeners {
  state: (state: ConnectionState) => void;
  job: (event: JobEvent) => void;
  progress: (event: ProgressEvent) => void;
  /** `png` is present when the subscription asked for mask bytes (`masks: 'png'`). */
  maskFrame: (event: MaskFrameEvent, png: Uint8Array | undefined) => void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ServerClientOptions {
  address: ServerAddress;
  token: string;
  createSocket: WebSocketFactory;
  clientName?: string;
  clientVersion?: string;
  /**
   * This client's identity for the server (`hello.clientId`), the same on every reconnect so that
   * requests re-sent after a reconnect or a server restart are answered once. Default: a random
   * id made when the client is created (one per panel session).
   */
  clientId?: string;
  /** First reconnect delay and its cap (doubling in between). */
  backoffMs?: { initial: number; max: number };
  /** Bytes queued in the socket above which further sends wait. */
  highWaterBytes?: number;
  requestTimeoutMs?: number;
  timers?: Timers;
  random?: () => number;
  /**
   * Asked when a connection closes before the hello was answered: a refused upgrade looks like
   * any network failure in a WebSocket, so an HTTP probe tells a wrong token from a stopped server.
   */
  probeAuth?: () => Promise<'ok' | 'unauthorized' | 'unreachable'>;
}

type RequestBody<T extends ClientMessageType> = Omit<ClientMessageOf<T>, 'id' | 'type'>;

interface Pending {
  id: string;
  type: ClientMessageType;
  text: string;
  /** Binary payload that must follow the JSON (a PNG mask sent with encoding 'binary'). */
  binary?: Uint8Array;
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer?: unknown;
  sent: boolean;
}

const checkServerMessage = createChecker(ServerMessageSchema);

/** A random client identity: 8 to 64 characters of [A-Za-z0-9_.:-] (the server's ClientIdSchema). */
export function newClientId(random: () => number = Math.random): string {
  let tail = '';
  for (let i = 0; i < 12; i++) tail += Math.floor(random() * 36).toString(36);
  return `panel-${Date.now().toString(36)}-${tail}`;
}

let idCounter = 0;
function newRequestId(type: string): string {
  idCounter = (idCounter + 1) % 1e9;
  return `${type}-${Date.now().toString(36)}-${idCounter.toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export class ServerClient {
  private socket: WebSocketLike | undefined;
  private state: ConnectionState = { status: 'idle' };
  private readonly pending = new Map<string, Pending>();
  /** Requests waiting for the socket (disconnected or above the high-water mark), in order. */
  private readonly outbox: Pending[] = [];
  /** Jobs to re-subscribe to after a reconnect (removed when they finish). */
  private readonly subscriptions = new Map<string, { masks: 'png' | 'none' }>();
  private readonly listeners: { [K in keyof ClientListeners]: Set<ClientListeners[K]> } = {
    state: new Set(),
    job: new Set(),
    progress: new Set(),
    maskFrame: new Set(),
  };
  private attempt = 0;
  private failures = 0;
  private retryTimer: unknown;
  private flushTimer: unknown;
  private wanted = false;
  private helloId: string | undefined;
  private awaitingBinary: MaskFrameEvent | undefined;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly backoff: { initial: number; max: number };
  private readonly highWater: number;
  private readonly requestTimeoutMs: number;
  /** Sent in every hello: the server scopes this client's request ids to it. */
  readonly clientId: string;

  constructor(private readonly options: ServerClientOptions) {
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    this.random = options.random ?? Math.random;
    this.backoff = options.backoffMs ?? { initial: 500, max: 10_000 };
    this.highWater = options.highWaterBytes ?? 1024 * 1024;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.clientId = options.clientId ?? newClientId(this.random);
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  on<K extends keyof ClientListeners>(event: K, listener: ClientListeners[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  private emit<K extends keyof ClientListeners>(event: K, ...args: Parameters<ClientListeners[K]>): void {
    for (const l of this.listeners[event]) (l as (...a: Parameters<ClientListeners[K]>) => void)(...args);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit('state', state);
  }

  /** Starts connecting (and keeps reconnecting until close()). */
  connect(): void {
    this.wanted = true;
    if (!this.socket) this.open();
  }

  /** Closes the connection for good; pending requests fail. */
  close(): void {
    this.wanted = false;
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.flushTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'panel closed');
    for (const p of [...this.pending.values()]) {
      this.settle(
        p.id,
        new ServerRequestError('disconnected', 'The connection to the companion server was closed.'),
      );
    }
    this.setState({ status: 'idle' });
  }

  private open(): void {
    this.attempt++;
    this.setState({ status: 'connecting', attempt: this.attempt });
    let socket: WebSocketLike;
    try {
      socket = this.options.createSocket(wsUrl(this.options.address), [
        PROTOCOL_SUBPROTOCOL,
        TOKEN_SUBPROTOCOL_PREFIX + this.options.token,
      ]);
    } catch (err) {
      this.scheduleReconnect(`could not open a WebSocket: ${(err as Error).message}`);
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => this.sendHello();
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onerror = () => {
      /* a close event follows; it decides what to do */
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.awaitingBinary = undefined;
      for (const p of this.pending.values()) p.sent = false;
      if (!this.wanted) return;
      const reason = ev.reason || `connection closed (code ${ev.code})`;
      const refused = () =>
        this.setState({
          status: 'unauthorized',
          message: `The server refused the token. Pair again with the token that "oneshot-roto serve" prints.`,
        });
      if (ev.code === 4401 || ev.code === 1008) {
        refused();
        return;
      }
      const neverGreeted = this.state.status !== 'connected';
      if (neverGreeted && this.options.probeAuth) {
        this.options.probeAuth().then(
          (answer) => {
            if (!this.wanted || this.socket) return;
            if (answer === 'unauthorized') refused();
            else
              this.scheduleReconnect(
                answer === 'unreachable' ? 'the companion server is not running' : reason,
              );
          },
          () => this.scheduleReconnect(reason),
        );
        return;
      }
      this.scheduleReconnect(reason);
    };
  }

  private scheduleReconnect(reason: string): void {
    if (!this.wanted) return;
    // Doubles with each failed attempt since the last successful hello.
    const base = Math.min(this.backoff.max, this.backoff.initial * 2 ** this.failures);
    this.failures++;
    const delay = Math.round(base * (0.8 + 0.4 * this.random()));
    this.setState({ status: 'waiting', retryInMs: delay, reason });
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => {
      if (this.wanted && !this.socket) this.open();
    }, delay);
  }

  private sendHello(): void {
    const id = newRequestId('hello');
    this.helloId = id;
    const hello: ClientMessageOf<'hello'> = {
      type: 'hello',
      id,
      protocol: PROTOCOL_VERSION,
      client: {
        name: this.options.clientName ?? 'oneshot-roto-panel',
        version: this.options.clientVersion ?? '0.1.0',
      },
      clientId: this.clientId,
    };
    this.socket?.send(JSON.stringify(hello));
  }

  private onHello(result: AckResult<'hello'>): void {
    this.attempt = 0;
    this.failures = 0;
    this.setState({
      status: 'connected',
      serverVersion: result.serverVersion,
      executionProvider: result.executionProvider,
    });
    // Unanswered requests go again under the same id (the server answers a retried id once),
    // ahead of anything queued later; then the job subscriptions are restored.
    const resend = [...this.pending.values()].filter((p) => !p.sent && !this.outbox.includes(p));
    this.outbox.unshift(...resend);
    for (const [jobId, sub] of this.subscriptions) {
      this.request('subscribe', { jobId, masks: sub.masks, replay: false }).then(
        (r) => this.forgetFinished(r.jobs),
        () => undefined, // a job that vanished after a restart: nothing to follow
      );
    }
    this.flush();
  }

  private forgetFinished(jobs: JobInfo[]): void {
    for (const job of jobs) {
      if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') {
        this.subscriptions.delete(job.jobId);
      }
      this.emit('job', { type: 'job', job });
    }
  }

  /** Sends what the socket can take now; polls while above the high-water mark (UXP has no drain event). */
  private flush(): void {
    this.timers.clearTimeout(this.flushTimer);
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.state.status !== 'connected') return;
    while (this.outbox.length > 0) {
      if (socket.bufferedAmount > this.highWater) {
        this.flushTimer = this.timers.setTimeout(() => this.flush(), 50);
        return;
      }
      const p = this.outbox.shift() as Pending;
      if (!this.pending.has(p.id)) continue; // timed out meanwhile
      socket.send(p.text);
      if (p.binary) socket.send(p.binary);
      p.sent = true;
    }
  }

  /** Sends a request; resolves with its typed ack result or rejects with ServerRequestError. */
  request<T extends ClientMessageType>(
    type: T,
    body: RequestBody<T>,
    extra?: { binary?: Uint8Array; id?: string; timeoutMs?: number },
  ): Promise<AckResult<T>> {
    const id = extra?.id ?? newRequestId(type);
    const text = JSON.stringify({ type, id, ...body });
    const size = text.length + (extra?.binary?.length ?? 0);
    if (size > LIMITS.maxMessageBytes) {
      return Promise.reject(
        new ServerRequestError(
          'too_large',
          `The "${type}" request is ${size} bytes, over the server's ${LIMITS.maxMessageBytes}-byte limit.`,
        ),
      );
    }
    return new Promise<AckResult<T>>((resolve, reject) => {
      const p: Pending = {
        id,
        type,
        text,
        binary: extra?.binary,
        resolve: resolve,
        reject,
        sent: false,
      };
      const timeoutMs = extra?.timeoutMs ?? this.requestTimeoutMs;
      p.timer = this.timers.setTimeout(() => {
        this.settle(
          id,
          new ServerRequestError(
            'timeout',
            `The server did not answer "${type}" within ${timeoutMs / 1000} s.`,
            true,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, p);
      this.outbox.push(p);
      this.flush();
    });
  }

  /** Follows a job's events; restored automatically after reconnects until the job finishes. */
  async subscribeJob(jobId: string, masks: 'png' | 'none' = 'none'): Promise<JobInfo[]> {
    this.subscriptions.set(jobId, { masks });
    const { jobs } = await this.request('subscribe', { jobId, masks, replay: masks === 'png' });
    this.forgetFinished(jobs.filter((j) => j.state !== 'running' && j.state !== 'queued'));
    return jobs;
  }

  /** Job ids whose events this client follows (and re-subscribes to after a reconnect). */
  get followedJobs(): string[] {
    return [...this.subscriptions.keys()];
  }

  private settle(id: string, outcome: Error | { result: unknown }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.timers.clearTimeout(p.timer);
    const i = this.outbox.indexOf(p);
    if (i >= 0) this.outbox.splice(i, 1);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome.result);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.receiveBinary(data);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return; // not ours to answer; the server never sends invalid JSON
    }
    if (!checkServerMessage.check(value)) return;
    const message = value as ServerMessage;
    switch (message.type) {
      case 'ack':
        if (message.id === this.helloId) {
          this.helloId = undefined;
          this.onHello(message.result as AckResult<'hello'>);
        } else {
          this.settle(message.id, { result: message.result });
        }
        return;
      case 'error':
        if (message.id !== null && message.id === this.helloId) {
          this.helloId = undefined;
          const status = message.code === 'unsupported_version' ? 'incompatible' : 'unauthorized';
          this.setState({ status, message: message.message });
          this.wanted = false;
          this.socket?.close(1000, message.code);
          return;
        }
        if (message.id !== null) {
          this.settle(
            message.id,
            new ServerRequestError(message.code, message.message, message.retryable === true),
          );
        }
        return;
      case 'job':
        if (['done', 'failed', 'cancelled'].includes(message.job.state))
          this.subscriptions.delete(message.job.jobId);
        this.emit('job', message);
        return;
      case 'progress':
        this.emit('progress', message);
        return;
      case 'maskFrame':
        if (message.encoding === 'png') this.awaitingBinary = message;
        else this.emit('maskFrame', message, undefined);
        return;
    }
  }

  private receiveBinary(data: unknown): void {
    const header = this.awaitingBinary;
    this.awaitingBinary = undefined;
    if (!header || !(data instanceof ArrayBuffer || data instanceof Uint8Array)) return;
    try {
      const frame = decodeMaskFrame(data);
      if (frame.seq === header.seq && frame.frame === header.frame)
        this.emit('maskFrame', header, frame.payload);
    } catch {
      // A payload that doesn't pair with its header is dropped; the mask stays fetchable over HTTP.
    }
  }
}
