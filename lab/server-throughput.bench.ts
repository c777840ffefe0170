/**
 * Companion server throughput: request round trips (messages/s), validation cost, and mask
 * frame fan-out (frames/s produced vs delivered) to 1, 5 and 20 subscribers. The backend replays
 * the DAVIS bear ground-truth masks (854x480, blurred to soft edges) as mattes at full speed, so the numbers are the
 * server's (PNG encoding, atomic writes, fan-out, back-pressure), not the network's.
 * Server and clients share this process (and the machine's cores).
 *   nice npx tsx lab/server-throughput.bench.ts
 */
import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import WebSocket from 'ws';
import { parseClientMessage } from '@oneshot-roto/protocol';
import { type SegmentationBackend, createServer } from '@oneshot-roto/companion-server';

const REPO = join(__dirname, '..');
const MASKS = join(REPO, 'samples', 'davis-bear', 'Annotations', '480p', 'bear');
const FRAMES_DIR = join(REPO, 'samples', 'davis-bear', 'JPEGImages', '480p', 'bear');
const TOKEN = 'bench-token-0123456789abcdef';

/** Ground-truth masks, blurred (sigma 4) so their edges are soft like a network's matte. */
async function loadMattes(): Promise<Uint8Array[]> {
  const names = (await fs.readdir(MASKS)).filter((n) => n.endsWith('.png')).sort();
  return Promise.all(
    names.map(
      async (n) =>
        new Uint8Array((await sharp(join(MASKS, n)).extractChannel(0).blur(4).raw().toBuffer()).buffer),
    ),
  );
}

function replayBackend(mattes: Uint8Array[]): SegmentationBackend {
  return {
    name: 'replay-bench',
    executionProvider: () => 'cpu',
    async fineTune(req) {
      await fs.writeFile(req.weightsOut, '{}');
      return { weightsPath: req.weightsOut, threshold: 0.5 };
    },
    async segment(req) {
      for (const i of req.frameOrder) {
        req.signal.throwIfAborted();
        await req.onFrame(i, mattes[i % mattes.length]!, 854, 480);
      }
    },
  };
}

function connect(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
  return new Promise((res, rej) => {
    ws.once('open', () => res(ws));
    ws.once('error', rej);
  });
}

async function pingThroughput(port: number, clients: number, perClient: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => connect(port)));
  const started = process.hrtime.bigint();
  await Promise.all(
    sockets.map(
      (ws, c) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let got = 0;
          const window = 200;
          const send = () => {
            while (sent < perClient && sent - got < window) ws.send(`{"type":"ping","id":"c${c}-${sent++}"}`);
          };
          ws.on('message', () => {
            got += 1;
            if (got === perClient) resolve();
            else send();
          });
          send();
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  sockets.forEach((s) => s.close());
  return (clients * perClient) / seconds;
}

function validationThroughput(): number {
  const strokes = Array.from({ length: 50 }, (_, k) => ({
    kind: 'polyline',
    label: k % 5 ? 'fg' : 'bg',
    radius: 12,
    points: Array.from({ length: 80 }, (_, i) => 100 + i * 3 + k),
  }));
  const text = JSON.stringify({
    type: 'addAnnotation',
    id: 'x1',
    clipId: '0123456789abcdef',
    frame: 3,
    mask: { kind: 'strokes', space: { width: 640, height: 360 }, strokes },
  });
  const n = 5000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (!parseClientMessage(text).ok) throw new Error('invalid');
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function fanOut(
  port: number,
  clipId: string,
  subscribers: number,
): Promise<{ produced: number; delivered: number; mbps: number; frames: number }> {
  const sockets = await Promise.all(Array.from({ length: subscribers }, () => connect(port)));
  const control = await connect(port);
  let received = 0;
  let bytes = 0;
  const done = new Promise<number>((resolve) => {
    let finished = 0;
    for (const ws of sockets) {
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) {
          received += 1;
          bytes += data.length;
          return;
        }
        const m = JSON.parse(data.toString()) as { type: string; job?: { state: string } };
        if (m.type === 'job' && m.job?.state === 'done' && ++finished === sockets.length) resolve(Date.now());
      });
    }
  });
  await Promise.all(
    sockets.map(
      (ws, i) =>
        new Promise<void>((res) => {
          ws.once('message', () => res());
          ws.send(JSON.stringify({ type: 'subscribe', id: `s${i}`, clipId, masks: 'png' }));
        }),
    ),
  );
  const started = Date.now();
  let jobDoneAt = 0;
  control.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as { type: string; job?: { state: string } };
    if (m.type === 'job' && m.job?.state === 'done') jobDoneAt = Date.now();
  });
  control.send(JSON.stringify({ type: 'subscribe', id: 'ctl', clipId, masks: 'none' }));
  control.send(JSON.stringify({ type: 'segment', id: `seg-${subscribers}-${Date.now()}`, clipId }));
  const endAt = await done;
  while (!jobDoneAt) await new Promise((r) => setTimeout(r, 5));
  const frames = received / subscribers;
  sockets.forEach((s) => s.close());
  control.close();
  return {
    produced: frames / ((jobDoneAt - started) / 1000),
    delivered: received / ((endAt - started) / 1000),
    mbps: bytes / 2 ** 20 / ((endAt - started) / 1000),
    frames,
  };
}

async function main(): Promise<void> {
  const mattes = await loadMattes();
  const workspace = await mkdtemp(join(tmpdir(), 'oneshot-bench-'));
  const server = await createServer({
    workspace,
    backend: replayBackend(mattes),
    port: 0,
    token: TOKEN,
    logger: pino({ level: 'warn' }),
  });
  const { port } = await server.listen();
  const ctl = await connect(port);
  const clipId = await new Promise<string>((resolve) => {
    ctl.once('message', (d: Buffer) =>
      resolve((JSON.parse(d.toString()) as { result: { clip: { clipId: string } } }).result.clip.clipId),
    );
    ctl.send(
      JSON.stringify({ type: 'openClip', id: 'open', source: { kind: 'frames', folder: FRAMES_DIR } }),
    );
  });
  ctl.close();

  console.log(`date: ${new Date().toISOString()}`);
  await pingThroughput(port, 1, 2000); // warm-up
  console.log(
    `ping round trips, 1 client (window 200): ${(await pingThroughput(port, 1, 20000)).toFixed(0)} msg/s`,
  );
  console.log(
    `ping round trips, 20 clients (window 200 each): ${(await pingThroughput(port, 20, 1000)).toFixed(0)} msg/s`,
  );
  console.log(
    `parse+validate addAnnotation (50 strokes, 4000 coordinates): ${validationThroughput().toFixed(0)} msg/s`,
  );
  await fanOut(port, clipId, 1); // warm-up
  for (const n of [1, 5, 20]) {
    const r = await fanOut(port, clipId, n);
    console.log(
      `mask fan-out, ${n} subscriber(s), ${r.frames} frames 854x480: produced ${r.produced.toFixed(1)} frames/s, delivered ${r.delivered.toFixed(1)} frames/s (${r.mbps.toFixed(1)} MiB/s)`,
    );
  }
  await server.close();
  await fs.rm(workspace, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
