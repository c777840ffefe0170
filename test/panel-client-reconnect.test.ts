/**
 * The panel's WebSocket client against the real companion server: a job keeps running across a
 * server restart, and the client reconnects (backoff), says hello again, re-subscribes and gets
 * the job's end without the panel doing anything.
 *
 * The backend here is a TIMING-CONTROLLED TEST BACKEND (not the product's segmentation): it only
 * makes the job last long enough to restart the server in the middle of it.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import WebSocket from 'ws';
import { createServer, type RunningServer, type SegmentationBackend } from '@oneshot-roto/companion-server';
import { ServerClient, type ConnectionState, type WebSocketLike } from '../plugin/src/client/server-client';
import type { JobInfo, ProgressEvent } from '@oneshot-roto/protocol';

const TOKEN = 'reconnect-test-token-0123456789';
const FRAMES = path.resolve(__dirname, '..', 'samples', 'davis-bear', 'JPEGImages', '480p', 'bear');

function slowBackend(): SegmentationBackend {
  return {
    name: 'slow-test',
    executionProvider: () => 'cpu',
    async fineTune(req) {
      const total = 30;
      for (let i = 1; i <= total; i++) {
        await sleep(100, undefined, { signal: req.signal });
        req.onProgress({ iteration: i, total, loss: 1 / i, etaSeconds: (total - i) / 10 });
      }
      await fs.promises.writeFile(req.weightsOut, '{}');
      return { weightsPath: req.weightsOut, threshold: 0.5 };
    },
    async segment(req) {
      for (const index of req.frameOrder) {
        req.signal.throwIfAborted();
        await req.onFrame(
          index,
          new Uint8Array(req.clip.width * req.clip.height).fill(200),
          req.clip.width,
          req.clip.height,
        );
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const v = check();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

let server: RunningServer | undefined;
let client: ServerClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
});

test('a job survives a server restart and the client follows it to the end', async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'reconnect-ws-'));
  const port = await freePort();
  const start = async () => {
    const s = await createServer({
      workspace,
      backend: slowBackend(),
      port,
      token: TOKEN,
      logger: pino({ level: 'silent' }),
    });
    await s.listen();
    return s;
  };
  server = await start();

  const states: ConnectionState['status'][] = [];
  const progress: ProgressEvent[] = [];
  const jobs: JobInfo[] = [];
  client = new ServerClient({
    address: { host: '127.0.0.1', port },
    token: TOKEN,
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
    backoffMs: { initial: 200, max: 1000 },
  });
  client.on('state', (s) => states.push(s.status));
  client.on('progress', (p) => progress.push(p));
  client.on('job', (e) => jobs.push(e.job));
  client.connect();

  const { clip } = await client.request('openClip', { source: { kind: 'frames', folder: FRAMES, fps: 24 } });
  expect(clip.frameCount).toBe(24);
  await client.request('addAnnotation', {
    clipId: clip.clipId,
    frame: 0,
    mask: {
      kind: 'strokes',
      strokes: [{ kind: 'polyline', label: 'fg', radius: 40, points: [400, 250, 500, 300] }],
    },
  });
  const { job } = await client.request('fineTune', { clipId: clip.clipId, preset: 'fast', thenSegment: {} });
  await client.subscribeJob(job.jobId);
  await waitFor('fine-tuning progress', () =>
    progress.find((p) => p.jobId === job.jobId && (p.iteration ?? 0) >= 2),
  );

  // The server stops mid-job (the job stays "running" on disk) and comes back on the same port.
  await server.close();
  await waitFor('the client to notice', () => (states.includes('waiting') ? true : undefined));
  expect(jobs.some((j) => j.jobId === job.jobId && j.state === 'done')).toBe(false);
  server = await start();

  const done = await waitFor('the job to finish after the restart', () =>
    jobs.find((j) => j.jobId === job.jobId && (j.state === 'done' || j.state === 'failed')),
  );
  expect(done.state).toBe('done');
  expect(states.filter((s) => s === 'connected').length).toBeGreaterThanOrEqual(2);
  expect(client.followedJobs).toEqual([]); // finished: no more resubscription
  const info = await client.request('getClip', { clipId: clip.clipId });
  expect(info.clip.objects[0]).toMatchObject({ fineTuned: true, framesDone: 24 });
}, 120_000);
