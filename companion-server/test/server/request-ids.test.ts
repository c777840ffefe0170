/**
 * Request ids belong to the client that chose them: another client's `r1` is its own request,
 * and a client that names itself in `hello` (`clientId`) gets its answers replayed after a
 * reconnect or a server restart. Real server on a real port (restarted on the same workspace),
 * real ws clients, FAKE-SPEED synthetic backend.
 */
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { smallBearFrames, tempDir } from './helpers/fixtures';
import { discMask, pngMaskField } from './helpers/mask-png';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

let frames: { folder: string; width: number; height: number };
let workspace: string;
let srv: TestServer | undefined;
const clients: TestClient[] = [];

beforeAll(async () => {
  frames = await smallBearFrames(6, 64);
  workspace = await tempDir('ids');
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await srv?.close();
  srv = undefined;
});

async function start(): Promise<TestServer> {
  srv = await startTestServer(createSyntheticBackend({ iterationDelayMs: 20 }), { workspace });
  return srv;
}

/** Connects and says hello, naming the client when `clientId` is given. */
async function connect(clientId?: string): Promise<TestClient> {
  const c = await TestClient.connect(srv!.url, srv!.server.token);
  clients.push(c);
  await c.ack({ type: 'hello', protocol: 1, ...(clientId ? { clientId } : {}) });
  return c;
}

async function openClip(c: TestClient) {
  const { clip } = await c.ack<{ clip: { clipId: string; width: number; height: number } }>({
    type: 'openClip',
    source: { kind: 'frames', folder: frames.folder },
  });
  return clip;
}

async function annotation(clip: { clipId: string; width: number; height: number }, frame: number, r = 6) {
  return {
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame,
    mask: await pngMaskField(discMask(clip.width, clip.height, r), clip.width, clip.height),
  };
}

async function framesListed(c: TestClient, clipId: string): Promise<number[]> {
  const { clip } = await c.ack<{ clip: { objects: Array<{ annotations: Array<{ frame: number }> }> } }>({
    type: 'getClip',
    clipId,
  });
  return clip.objects.flatMap((o) => o.annotations.map((a) => a.frame));
}

test("two clients' equal request ids are two requests, named or not", async () => {
  await start();
  const a = await connect();
  const b = await connect();
  const clip = await openClip(a);
  const anonymous = await Promise.all([
    a.request({ ...(await annotation(clip, 0)), id: 'r1' }),
    b.request({ ...(await annotation(clip, 1)), id: 'r1' }),
  ]);
  expect(anonymous.map((x) => x.type)).toEqual(['ack', 'ack']);
  const named1 = await connect('panel-aaaaaaaa');
  const named2 = await connect('panel-bbbbbbbb');
  const named = await Promise.all([
    named1.request({ ...(await annotation(clip, 2)), id: 'r1' }),
    named2.request({ ...(await annotation(clip, 3)), id: 'r1' }),
  ]);
  expect(named.map((x) => x.type)).toEqual(['ack', 'ack']);
  expect((await framesListed(a, clip.clipId)).sort()).toEqual([0, 1, 2, 3]);
  // Within one client an id still names one request: the same body is answered again, another is a conflict.
  const again = await a.request({ ...(await annotation(clip, 0)), id: 'r1' });
  expect(again).toEqual(anonymous[0]);
  expect(await b.request({ ...(await annotation(clip, 4)), id: 'r1' })).toMatchObject({
    type: 'error',
    code: 'conflict',
    id: 'r1',
  });
  expect(await named2.request({ ...(await annotation(clip, 4)), id: 'r1' })).toMatchObject({
    type: 'error',
    code: 'conflict',
    id: 'r1',
  });
});

test('a named client gets its answer replayed after a reconnect; another client does not', async () => {
  await start();
  const first = await connect('panel-replay-1');
  const clip = await openClip(first);
  const message = { ...(await annotation(clip, 5, 9)), id: 'ann-5' };
  const answer = await first.request(message);
  expect(answer.type).toBe('ack');
  await first.close();

  // Same client, new connection: the retried id gets the very same answer (same annotation id).
  const back = await connect('panel-replay-1');
  expect(await back.request(message)).toEqual(answer);
  // Another client with the same id and a different body: its own request, not a conflict.
  const other = await connect('panel-replay-2');
  expect(await other.request({ ...(await annotation(clip, 4)), id: 'ann-5' })).toMatchObject({ type: 'ack' });
});

test('job-starting ids: replayed to their client after a restart, free for every other client', async () => {
  await start();
  const owner = await connect('panel-owner-1');
  const clip = await openClip(owner);
  await owner.ack({ ...(await annotation(clip, 0)), id: 'ann-0' });
  const fineTune = { type: 'fineTune', id: 'job-1', clipId: clip.clipId, preset: 'fast' };
  const { job } = await owner.ack<{ job: { jobId: string } }>(fineTune);
  await owner.ack({ type: 'subscribe', jobId: job.jobId });
  await owner.waitForJob(job.jobId);
  await srv!.close();
  clients.splice(0);

  await start();
  // The owner, reconnected after the restart, gets the job it started, not a second one.
  const owner2 = await connect('panel-owner-1');
  const replayed = await owner2.ack<{ job: { jobId: string } }>(fineTune);
  expect(replayed.job.jobId).toBe(job.jobId);
  expect(await owner2.request({ type: 'segment', id: 'job-1', clipId: clip.clipId })).toMatchObject({
    type: 'error',
    code: 'conflict',
  });
  // Other clients, named or not, use the same id for their own requests.
  for (const other of [await connect('panel-other-1'), await connect()]) {
    const own = await other.request({ type: 'segment', id: 'job-1', clipId: clip.clipId });
    expect(own).toMatchObject({ type: 'ack', request: 'segment' });
    expect((own as unknown as { result: { job: { jobId: string } } }).result.job.jobId).not.toBe(job.jobId);
  }
});

test('a connection keeps the client id its first hello gave', async () => {
  await start();
  const c = await connect('panel-first-1');
  expect(await c.request({ type: 'hello', protocol: 1, clientId: 'panel-first-1' })).toMatchObject({
    type: 'ack',
  });
  expect(await c.request({ type: 'hello', protocol: 1, clientId: 'panel-second' })).toMatchObject({
    type: 'error',
    code: 'conflict',
    path: '/clientId',
  });
  expect(await c.request({ type: 'hello', protocol: 1, clientId: 'short' })).toMatchObject({
    type: 'error',
    code: 'bad_message',
  });
});
