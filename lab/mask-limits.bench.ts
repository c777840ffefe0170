/**
 * The largest stroke masks the limits allow (LIMITS in src/protocol/version.ts) on a 3840x2160
 * clip: time from sending `addAnnotation` to its ack, the server's peak RSS, and `/health`
 * latency (polled every 20 ms from another process) while the mask is painted. The server runs
 * in its own process (this file with --serve) so its RSS and event loop are its own.
 *   nice npx tsx lab/mask-limits.bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import WebSocket from 'ws';
import { type Stroke, strokeCost, LIMITS } from '@oneshot-roto/protocol';
import { type SegmentationBackend, createServer } from '@oneshot-roto/companion-server';
import { percentile } from './timing-stats';

const TOKEN = 'bench-token-0123456789abcdef';
const W = 3840;
const H = 2160;

async function serve(workspace: string): Promise<void> {
  const backend: SegmentationBackend = {
    name: 'none',
    executionProvider: () => 'cpu',
    async fineTune() {
      throw new Error('not in this bench');
    },
    async segment() {
      throw new Error('not in this bench');
    },
  };
  const server = await createServer({
    workspace,
    backend,
    port: 0,
    token: TOKEN,
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  const { port } = await server.listen();
  process.on('SIGUSR2', () =>
    process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`),
  );
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

function zig(n: number, h: number): number[] {
  const p: number[] = [];
  for (let i = 0; i < n; i++) p.push((i * 37) % W, i % 2 ? h : 0);
  return p;
}

/** The largest masks the limits allow, one per limit that binds. */
function cases(): Array<{ name: string; strokes: Stroke[] }> {
  const corner: Stroke = { kind: 'polygon', label: 'bg', points: [0, 0, 10, 0, 10, 10] };
  const full: Stroke = { kind: 'polygon', label: 'fg', points: [0, 0, W, 0, W, H, 0, H] };
  return [
    {
      name: `polyline at the row-span limit (${Math.floor(LIMITS.maxRasterRowSpans / H)} points, radius ${LIMITS.maxStrokeRadius}, full-height zigzag)`,
      strokes: [
        {
          kind: 'polyline',
          label: 'fg',
          radius: LIMITS.maxStrokeRadius,
          points: zig(Math.floor(LIMITS.maxRasterRowSpans / H), H),
        },
        corner,
      ],
    },
    {
      name: `polygon at the row-span limit (${Math.floor(LIMITS.maxRasterRowSpans / H)} points, full-height zigzag)`,
      strokes: [
        { kind: 'polygon', label: 'fg', points: zig(Math.floor(LIMITS.maxRasterRowSpans / H), H) },
        corner,
      ],
    },
    {
      name: `painted-area limit (${Math.floor(LIMITS.maxRasterArea / (W * H))} full-frame polygons)`,
      strokes: [...new Array<Stroke>(Math.floor(LIMITS.maxRasterArea / (W * H))).fill(full), corner],
    },
  ];
}

async function health(port: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/health`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await res.arrayBuffer();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') {
    const workspace = process.argv[3];
    if (!workspace) throw new Error('usage: mask-limits.bench.ts --serve <workspace>');
    return serve(workspace);
  }
  const folder = await mkdtemp(join(tmpdir(), 'mask-limits-frames-'));
  for (const n of ['00000.png', '00001.png'])
    await sharp({ create: { width: W, height: H, channels: 3, background: { r: 90, g: 120, b: 60 } } })
      .png({ compressionLevel: 1 })
      .toFile(join(folder, n));
  const workspace = await mkdtemp(join(tmpdir(), 'mask-limits-ws-'));
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve', workspace], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve) => {
    const t = setInterval(() => {
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 50);
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
  await new Promise((r) => ws.once('open', r));
  const waiters = new Map<string, (m: Record<string, unknown>) => void>();
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as Record<string, unknown>;
    waiters.get(m.id as string)?.(m);
  });
  const request = (msg: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiters.set(msg.id as string, resolve);
      ws.send(JSON.stringify(msg));
    });
  const opened = await request({ type: 'openClip', id: 'open', source: { kind: 'frames', folder } });
  const clipId = (opened.result as { clip: { clipId: string } }).clip.clipId;

  const idle: number[] = [];
  for (let i = 0; i < 50; i++) idle.push(await health(port));
  console.log(
    `/health idle: median ${percentile(idle, 0.5).toFixed(1)} ms, p95 ${percentile(idle, 0.95).toFixed(1)} ms`,
  );
  console.log(`limits: ${JSON.stringify(LIMITS)}`);
  for (const [i, c] of cases().entries()) {
    const cost = strokeCost(c.strokes, W, H);
    const json = JSON.stringify({
      type: 'addAnnotation',
      id: `mask-${i}`,
      clipId,
      frame: 0,
      mask: { kind: 'strokes', strokes: c.strokes },
    });
    const latencies: number[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        latencies.push(await health(port));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const t0 = performance.now();
    const answer = new Promise<Record<string, unknown>>((resolve) => waiters.set(`mask-${i}`, resolve));
    ws.send(json);
    const a = await answer;
    const ms = performance.now() - t0;
    done = true;
    await poll;
    console.log(
      `${c.name}: ${(json.length / 1024).toFixed(0)} KiB JSON, ${cost.rowSpans} row spans, ${cost.area} px area → ${String(a.type)}${typeof a.code === 'string' ? ` ${a.code}` : ''} in ${ms.toFixed(0)} ms; ` +
        `/health during it (${latencies.length} polls): median ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
    );
  }
  const rss = await new Promise<number>((resolve) => {
    const before = out.length;
    const t = setInterval(() => {
      const m = /\{"maxRssKb":(\d+)\}/.exec(out.slice(before));
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      }
    }, 50);
    child.kill('SIGUSR2');
  });
  console.log(`server peak RSS over the run: ${(rss / 1024).toFixed(0)} MiB`);
  ws.close();
  child.kill('SIGKILL');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
