/**
 * Fan-out of job events to WebSocket clients, with back-pressure: the producer of mask frames
 * waits while any subscriber's socket buffer is over the high-water mark, and a subscriber stalled
 * longer than `stallTimeoutMs` is disconnected so it can't hold the job forever.
 * Every subscriber of a job receives its frames in production order (late subscribers with
 * `replay` first get the frames produced so far, then the live ones, without gaps).
 */
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import {
  encodeMaskFrame,
  maskUrl,
  type JobInfo,
  type MaskFrameEvent,
  type ProgressEvent,
  type ServerMessage,
} from '@oneshot-roto/protocol';
import type { JobEventSink, MaskFrameOut } from './job-events';

export interface HubOptions {
  logger: Logger;
  /** Bytes buffered per client above which the producer waits. */
  highWaterBytes: number;
  stallTimeoutMs: number;
}

export type MaskMode = 'png' | 'none';

export interface Subscription {
  masks: MaskMode;
  /** While a replay is being sent, live frames wait here. */
  held?: MaskFrameOut[];
}

export class Client {
  readonly jobs = new Map<string, Subscription>();
  readonly clips = new Map<string, Subscription>();
  all: Subscription | undefined;
  /** The identity the client gave in its first `hello` (`clientId`), if any. */
  clientId: string | undefined;
  private heldBytes = 0;

  constructor(
    readonly ws: WebSocket,
    readonly id: number,
  ) {}

  /**
   * Whose request ids these are: the named client's (shared by its connections, also after a
   * restart), or this connection's alone.
   */
  get requestScope(): string {
    return this.clientId !== undefined ? `client:${this.clientId}` : `connection:${this.id}`;
  }

  get open(): boolean {
    return this.ws.readyState === 1;
  }

  send(msg: ServerMessage): void {
    if (this.open) this.ws.send(JSON.stringify(msg));
  }

  pendingBytes(): number {
    return this.ws.bufferedAmount + this.heldBytes;
  }

  subscriptionFor(jobId: string, clipId: string): Subscription | undefined {
    return this.jobs.get(jobId) ?? this.clips.get(clipId) ?? this.all;
  }

  deliver(f: MaskFrameOut, sub: Subscription, replay = false): void {
    if (sub.held && !replay) {
      sub.held.push(f);
      this.heldBytes += f.png.length;
      return;
    }
    const header: MaskFrameEvent = {
      type: 'maskFrame',
      jobId: f.jobId,
      clipId: f.clipId,
      objectId: f.objectId,
      frame: f.frame,
      seq: f.seq,
      width: f.width,
      height: f.height,
      encoding: sub.masks,
      byteLength: sub.masks === 'png' ? f.png.length : 0,
      url: maskUrl(f.clipId, f.objectId, f.frame),
    };
    if (replay) header.replay = true;
    this.send(header);
    if (sub.masks === 'png' && this.open)
      this.ws.send(encodeMaskFrame({ seq: f.seq, frame: f.frame }, f.png));
  }

  /** Ends a replay: sends the live frames that arrived meanwhile, then goes live. */
  release(sub: Subscription): void {
    const held = sub.held ?? [];
    sub.held = undefined;
    for (const f of held) {
      this.heldBytes -= f.png.length;
      this.deliver(f, sub);
    }
  }
}

export class Hub implements JobEventSink {
  readonly clients = new Set<Client>();
  private nextId = 1;

  constructor(private readonly o: HubOptions) {}

  add(ws: WebSocket): Client {
    const c = new Client(ws, this.nextId++);
    this.clients.add(c);
    return c;
  }

  remove(c: Client): void {
    this.clients.delete(c);
  }

  private subscribers(jobId: string, clipId: string): Array<[Client, Subscription]> {
    const out: Array<[Client, Subscription]> = [];
    for (const c of this.clients) {
      const s = c.subscriptionFor(jobId, clipId);
      if (s && c.open) out.push([c, s]);
    }
    return out;
  }

  jobChanged(job: JobInfo): void {
    for (const [c] of this.subscribers(job.jobId, job.clipId)) c.send({ type: 'job', job });
  }

  progress(event: ProgressEvent): void {
    for (const [c] of this.subscribers(event.jobId, event.clipId)) c.send(event);
  }

  async maskFrame(f: MaskFrameOut): Promise<void> {
    const subs = this.subscribers(f.jobId, f.clipId);
    for (const [c, s] of subs) c.deliver(f, s);
    await this.drain(subs.map(([c]) => c));
  }

  /** Waits until every given client is under the high-water mark (or drops the stalled ones). */
  private async drain(clients: Client[]): Promise<void> {
    const started = Date.now();
    let waiting = clients.filter((c) => c.open && c.pendingBytes() > this.o.highWaterBytes);
    while (waiting.length > 0) {
      if (Date.now() - started > this.o.stallTimeoutMs) {
        for (const c of waiting) {
          this.o.logger.warn(
            { client: c.id, buffered: c.pendingBytes() },
            'client stalled; disconnecting it (it can re-subscribe with replay)',
          );
          c.ws.terminate();
        }
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
      waiting = waiting.filter((c) => c.open && c.pendingBytes() > this.o.highWaterBytes);
    }
  }
}
