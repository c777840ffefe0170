/**
 * Load and back-pressure: 20 concurrent clients subscribed to one job all receive every mask
 * frame, in order, with identical bytes; a client that stops reading holds production back
 * (bounded memory) and is disconnected after the stall timeout while the others finish.
 * FAKE-SPEED synthetic backend: what is measured here is the server's fan-out, not the model.
 */
import { createHash } from 'node:crypto';
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { smallBearFrames } from './helpers/fixtures';
import { startTestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

let frames: { folder: string };
beforeAll(async () => {
  frames = await smallBearFrames(24, 128);
});

const md5 = (b: Buffer | null) =>
  createHash('md5')
    .update(b ?? Buffer.alloc(0))
    .digest('hex');

test('20 concurrent clients on one job all get every frame in order', async () => {
  const srv = await startTestServer(createSyntheticBackend({ frameDelayMs: 5 }));
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < 20; i++) clients.push(await TestClient.connect(srv.url, srv.server.token));
    const { clip } = await clients[0]!.ack<{ clip: { clipId: string } }>({
      type: 'openClip',
      source: { kind: 'frames', folder: frames.folder },
    });
    const { job } = await clients[0]!.ack<{ job: { jobId: string } }>({
      type: 'segment',
      clipId: clip.clipId,
      playheadFrame: 10,
    });
    // Subscribe concurrently while the job runs; replay makes late subscribers miss nothing.
    await Promise.all(clients.map((c) => c.ack({ type: 'subscribe', jobId: job.jobId, replay: true })));
    await Promise.all(clients.map((c) => c.waitForJob(job.jobId)));
    const expected = [
      ...Array.from({ length: 14 }, (_, i) => 10 + i),
      ...Array.from({ length: 10 }, (_, i) => 9 - i),
    ];
    const reference = clients[0]!.masksOf(job.jobId).map((m) => md5(m.payload));
    for (const c of clients) {
      const got = c.masksOf(job.jobId);
      expect(got.map((m) => m.header.frame)).toEqual(expected);
      expect(got.map((m) => m.header.seq)).toEqual(expected.map((_, i) => i));
      expect(got.map((m) => md5(m.payload))).toEqual(reference);
      expect(c.pairingErrors).toEqual([]);
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await srv.close();
  }
});

test('a client that stops reading holds production back, then is dropped after the stall timeout; the others get every frame', async () => {
  // Full-size frames with noise mattes (~400 KB of PNG each, ~10 MB in all) out-fill the loopback socket buffers.
  const big = await smallBearFrames(24, 854);
  const srv = await startTestServer(createSyntheticBackend({ noise: true }), {
    highWaterBytes: 64 * 1024,
    stallTimeoutMs: 1500,
  });
  const good = await TestClient.connect(srv.url, srv.server.token);
  const stalled = await TestClient.connect(srv.url, srv.server.token);
  try {
    const { clip } = await good.ack<{ clip: { clipId: string } }>({
      type: 'openClip',
      source: { kind: 'frames', folder: big.folder },
    });
    await stalled.ack({ type: 'subscribe', clipId: clip.clipId });
    await good.ack({ type: 'subscribe', clipId: clip.clipId });
    // The stalled client stops reading from its socket: its server-side buffer fills up.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const { job } = await good.ack<{ job: { jobId: string } }>({ type: 'segment', clipId: clip.clipId });
    await good.waitForJob(job.jobId);
    expect(good.masksOf(job.jobId).map((m) => m.header.frame)).toEqual(
      Array.from({ length: 24 }, (_, i) => i),
    );
    expect(
      srv.logs.some((l) => l.msg === 'client stalled; disconnecting it (it can re-subscribe with replay)'),
    ).toBe(true);
    // While it was stalled, production waited: the job did not finish before the stall timeout dropped it.
    const stalledAt = srv.logs.find((l) => String(l.msg).startsWith('client stalled'))!.time as number;
    const doneAt = srv.logs.find((l) => l.msg === 'job done' && l.jobId === job.jobId)!.time as number;
    expect(doneAt).toBeGreaterThanOrEqual(stalledAt);
    const health = (await (
      await fetch(`${srv.url}/health`, { headers: { authorization: `Bearer ${srv.server.token}` } })
    ).json()) as { clients: number };
    expect(health.clients).toBe(1);
  } finally {
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    stalled.ws.terminate();
    await good.close();
    await srv.close();
  }
});
