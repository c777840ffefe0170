import {
  ServerClient,
  type ConnectionState,
  type Timers,
  type WebSocketLike,
} from '../src/client/server-client';
import { createChecker, encodeMaskFrame, HelloSchema, type JobInfo } from '@oneshot-roto/protocol';

/** A scripted socket: records what the client sends; the test plays the server. */
class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  readonly sent: (string | ArrayBuffer | Uint8Array)[] = [];
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string | ArrayBuffer | Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(data);
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  json(): Array<Record<string, unknown>> {
    return this.sent
      .filter((m): m is string => typeof m === 'string')
      .map((m) => JSON.parse(m) as Record<string, unknown>);
  }
  reply(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  ackHello(): void {
    const hello = this.json().find((m) => m.type === 'hello')!;
    this.reply({
      type: 'ack',
      id: hello.id,
      request: 'hello',
      result: { protocol: 1, serverVersion: '0.1.0', executionProvider: 'cpu', maxMessageBytes: 16777216 },
    });
  }
}

class ManualTimers implements Timers {
  private next = 1;
  readonly queue = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue.delete(handle as number);
  }
  /** Runs the pending timers of at most `ms` (the reconnect delays, not the request timeouts). */
  runUpTo(ms: number): number[] {
    const ran: number[] = [];
    for (const [id, t] of [...this.queue]) {
      if (t.ms <= ms) {
        this.queue.delete(id);
        ran.push(t.ms);
        t.fn();
      }
    }
    return ran;
  }
}

function job(over: Partial<JobInfo> = {}): JobInfo {
  return {
    jobId: 'job1',
    kind: 'fineTune',
    clipId: 'c0ffee',
    objectId: 'main',
    state: 'running',
    phase: 'fineTune',
    createdAt: '2026-11-24T00:00:00Z',
    ...over,
  };
}

function setup() {
  const sockets: ScriptedSocket[] = [];
  const timers = new ManualTimers();
  const states: ConnectionState[] = [];
  const client = new ServerClient({
    address: { host: '127.0.0.1', port: 8765 },
    token: 'abc123',
    createSocket: (url, protocols) => {
      const s = new ScriptedSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    timers,
    random: () => 0.5, // no jitter
    highWaterBytes: 1000,
  });
  client.on('state', (s) => states.push(s));
  const last = () => {
    const s = sockets[sockets.length - 1];
    if (!s) throw new Error('the client has opened no socket yet');
    return s;
  };
  return { client, sockets, timers, states, last };
}

test('connects with the protocol and token subprotocols, says hello, then sends requests', async () => {
  const { client, last, states } = setup();
  client.connect();
  const socket = last();
  expect(socket.url).toBe('ws://127.0.0.1:8765/ws');
  expect(socket.protocols).toEqual(['oneshot-roto.v1', 'oneshot-roto.token.abc123']);
  const pending = client.request('listClips', {});
  socket.open();
  expect(socket.json().map((m) => m.type)).toEqual(['hello']); // nothing before the hello is answered
  socket.ackHello();
  expect(states.map((s) => s.status)).toEqual(['connecting', 'connected']);
  const list = socket.json()[1]!;
  expect(list.type).toBe('listClips');
  socket.reply({ type: 'ack', id: list.id, request: 'listClips', result: { clips: [] } });
  await expect(pending).resolves.toEqual({ clips: [] });
});

test('an error answer rejects the request with the server code and message', async () => {
  const { client, last } = setup();
  client.connect();
  last().open();
  last().ackHello();
  const p = client.request('getClip', { clipId: 'nope' });
  const req = last().json()[1]!;
  last().reply({ type: 'error', id: req.id, code: 'not_found', message: 'no clip "nope"' });
  await expect(p).rejects.toMatchObject({
    name: 'ServerRequestError',
    code: 'not_found',
    message: 'no clip "nope"',
  });
});

test('reconnects with doubling backoff, resends unanswered requests under the same id and resubscribes', async () => {
  const { client, sockets, timers, states, last } = setup();
  client.connect();
  last().open();
  last().ackHello();
  const sub = client.subscribeJob('job1');
  const subReq = last().json()[1]!;
  last().reply({ type: 'ack', id: subReq.id, request: 'subscribe', result: { jobs: [job()] } });
  await sub;
  const pending = client.request('listJobs', {});
  const firstId = last().json()[2]!.id;

  last().drop();
  expect(states[states.length - 1]).toMatchObject({ status: 'waiting', retryInMs: 500 });
  expect(timers.runUpTo(10_000)).toEqual([500]);
  last().drop(); // server still down: the next wait doubles
  expect(states[states.length - 1]).toMatchObject({ status: 'waiting', retryInMs: 1000 });
  timers.runUpTo(10_000);
  expect(sockets).toHaveLength(3);

  const socket = last();
  socket.open();
  socket.ackHello();
  const after = socket.json().slice(1);
  expect(after.map((m) => m.type)).toEqual(['listJobs', 'subscribe']);
  expect(after[0]!.id).toBe(firstId); // same id: the server answers a retried request once
  expect(after[1]).toMatchObject({ jobId: 'job1', masks: 'none' });
  socket.reply({ type: 'ack', id: firstId, request: 'listJobs', result: { jobs: [] } });
  await expect(pending).resolves.toEqual({ jobs: [] });
  // After a successful hello the backoff starts over.
  socket.drop();
  expect(states[states.length - 1]).toMatchObject({ status: 'waiting', retryInMs: 500 });
});

test('stops following a job once it finished, so reconnects do not resubscribe to it', async () => {
  const { client, last, timers } = setup();
  const jobs: string[] = [];
  client.on('job', (e) => jobs.push(`${e.job.jobId}:${e.job.state}`));
  client.connect();
  last().open();
  last().ackHello();
  const sub = client.subscribeJob('job1');
  last().reply({ type: 'ack', id: last().json()[1]!.id, request: 'subscribe', result: { jobs: [job()] } });
  await sub;
  last().reply({ type: 'job', job: job({ state: 'done', phase: 'finished' }) });
  expect(jobs).toEqual(['job1:done']);
  expect(client.followedJobs).toEqual([]);
  last().drop();
  timers.runUpTo(10_000);
  last().open();
  last().ackHello();
  expect(
    last()
      .json()
      .map((m) => m.type),
  ).toEqual(['hello']);
});

test('holds messages while the socket buffer is above the high-water mark', () => {
  const { client, last, timers } = setup();
  client.connect();
  last().open();
  last().ackHello();
  last().bufferedAmount = 5000;
  void client.request('ping', {}).catch(() => undefined);
  expect(
    last()
      .json()
      .map((m) => m.type),
  ).toEqual(['hello']);
  last().bufferedAmount = 0;
  timers.runUpTo(50); // the drain poll
  expect(
    last()
      .json()
      .map((m) => m.type),
  ).toEqual(['hello', 'ping']);
});

test('refuses a request over the message size limit before sending it', async () => {
  const { client, last } = setup();
  client.connect();
  last().open();
  last().ackHello();
  const huge = 'A'.repeat(17 * 1024 * 1024);
  await expect(
    client.request('addAnnotation', {
      clipId: 'c',
      frame: 0,
      mask: { kind: 'png', encoding: 'base64', data: huge },
    }),
  ).rejects.toMatchObject({ code: 'too_large' });
  expect(last().json()).toHaveLength(1);
});

test('pairs a binary mask payload with its maskFrame header', () => {
  const { client, last } = setup();
  const got: [number, number | undefined][] = [];
  client.on('maskFrame', (e, png) => got.push([e.frame, png?.length]));
  client.connect();
  last().open();
  last().ackHello();
  last().reply({
    type: 'maskFrame',
    jobId: 'job1',
    clipId: 'c',
    objectId: 'main',
    frame: 7,
    seq: 3,
    width: 4,
    height: 4,
    encoding: 'png',
    byteLength: 5,
    url: '/x',
  });
  last().onmessage?.({ data: encodeMaskFrame({ seq: 3, frame: 7 }, new Uint8Array(5)).buffer });
  expect(got).toEqual([[7, 5]]);
});

test('a wrong token ends reconnecting with a pairing message', async () => {
  const sockets: ScriptedSocket[] = [];
  const timers = new ManualTimers();
  const states: ConnectionState[] = [];
  const client = new ServerClient({
    address: { host: '127.0.0.1', port: 8765 },
    token: 'wrong',
    createSocket: (url, protocols) => {
      const s = new ScriptedSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    timers,
    probeAuth: async () => 'unauthorized',
  });
  client.on('state', (s) => states.push(s));
  client.connect();
  sockets[0]!.drop(); // a refused upgrade looks like a dropped connection
  await new Promise((r) => setImmediate(r));
  expect(states[states.length - 1]).toMatchObject({ status: 'unauthorized' });
  expect(timers.queue.size).toBe(0);
});

test('every hello names the same client (the server scopes request ids to it); each client has its own', () => {
  const { client, sockets, timers, last } = setup();
  client.connect();
  last().open();
  last().ackHello();
  last().drop();
  timers.runUpTo(10_000);
  last().open();
  last().ackHello();
  const hellos = sockets.map((s) => s.json().find((m) => m.type === 'hello')!);
  expect(hellos).toHaveLength(2);
  const checkHello = createChecker(HelloSchema);
  for (const h of hellos) {
    expect(checkHello.firstError(h)).toBeUndefined();
    expect(h.clientId).toBe(client.clientId);
  }
  const other = (clientId?: string) =>
    new ServerClient({
      address: { host: '127.0.0.1', port: 8765 },
      token: 'abc123',
      createSocket: (url, protocols) => new ScriptedSocket(url, protocols),
      clientId,
    });
  expect(other().clientId).not.toBe(other().clientId);
  expect(other('panel-chosen-id').clientId).toBe('panel-chosen-id');
});
