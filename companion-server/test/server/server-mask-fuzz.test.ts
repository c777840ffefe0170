/**
 * Stroke masks that stalled or killed the server (issue 22, item 2), and random ones like them,
 * sent over the real socket to a server in its own process: polygons and polylines with many
 * points, huge coordinates and radii, on a 3840x2160 clip and a tall 720x8192 one. Every request
 * is answered exactly once (counted per id), and /health keeps answering while masks are painted
 * (they are rasterised on a worker thread, within limits both sides know). FAKE-SPEED synthetic
 * backend: no model work is involved. How fast /health answers meanwhile is a benchmark's figure
 * (lab/mask-limits.bench.ts, BENCHMARKS.md), not a bound here.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { tempDir } from './helpers/fixtures';
import { startChildServer, type ChildServer } from './helpers/child-server';
import { seededRandom } from '@oneshot-roto/core';
import { LIMITS } from '@oneshot-roto/protocol';

jest.setTimeout(300_000);

const TOKEN = 'mask-fuzz-token-0123456789';
let child: ChildServer;
let clips: Array<{ clipId: string; width: number; height: number }> = [];

async function framesFolder(width: number, height: number): Promise<string> {
  const folder = await tempDir(`frames-${width}x${height}`);
  for (const n of ['00000.png', '00001.png'])
    await sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 60 } } })
      .png({ compressionLevel: 1 })
      .toFile(join(folder, n));
  return folder;
}

/** A raw socket that records every answer by id. */
class Counter {
  readonly answers = new Map<string, Array<{ type: string; code?: string }>>();
  readonly unmatched: unknown[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const m = JSON.parse(data.toString()) as { type: string; id?: string | null; code?: string };
      if ((m.type === 'ack' || m.type === 'error') && typeof m.id === 'string') {
        const list = this.answers.get(m.id) ?? [];
        list.push({ type: m.type, code: m.code });
        this.answers.set(m.id, list);
      } else if (m.type === 'ack' || m.type === 'error') this.unmatched.push(m);
    });
  }
  static open(port: number): Promise<Counter> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Counter(ws)));
      ws.once('error', reject);
    });
  }
  close(): void {
    this.ws.close();
  }
}

/** The status /health answers with (its body read whole). */
async function health(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/health`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(60_000), // a hang guard, not a latency bound
  });
  await res.json();
  return res.status;
}

beforeAll(async () => {
  const workspace = await tempDir('mask-fuzz');
  child = await startChildServer(workspace, { ONESHOT_ROTO_TOKEN: TOKEN }, 0, 0);
  const c = await Counter.open(child.port);
  for (const [i, [w, h]] of (
    [
      [3840, 2160],
      [720, 8192],
    ] as const
  ).entries()) {
    const folder = await framesFolder(w, h);
    c.ws.send(JSON.stringify({ type: 'openClip', id: `open-${i}`, source: { kind: 'frames', folder } }));
  }
  const deadline = Date.now() + 60_000;
  while (c.answers.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  c.close();
  // The clip ids come back in the acks; read them from /clips instead of parsing twice.
  const res = await fetch(`http://127.0.0.1:${child.port}/clips`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const body = (await res.json()) as { clips: Array<{ clipId: string; width: number; height: number }> };
  clips = body.clips.sort((a, b) => b.width - a.width);
  expect(clips.map((c) => [c.width, c.height])).toEqual([
    [3840, 2160],
    [720, 8192],
  ]);
});

afterAll(async () => {
  await child?.kill9();
});

type Json = Record<string, unknown>;

function annotation(id: string, clipId: string, strokes: Json[], space?: Json): Json {
  return {
    type: 'addAnnotation',
    id,
    clipId,
    frame: 0,
    mask: { kind: 'strokes', ...(space ? { space } : {}), strokes },
  };
}

/** The messages of the issue, the largest the limits allow, and one step beyond each limit. */
function namedMessages(): Json[] {
  const [wide, tall] = clips;
  if (!wide || !tall) throw new Error('beforeAll opened no clips');
  const ring = (n: number, cx: number, cy: number, r: number) => {
    const p: number[] = [];
    for (let i = 0; i < n; i++)
      p.push(cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n));
    return p;
  };
  const zig = (n: number, w: number, h: number) => {
    const p: number[] = [];
    for (let i = 0; i < n; i++) p.push((i * 37) % w, i % 2 ? h : 0);
    return p;
  };
  const spansPerSeg = wide.height + 1;
  const maxZig = Math.floor(LIMITS.maxRasterRowSpans / spansPerSeg);
  return [
    // Issue 22: 200,000-point polygon (froze 152 s), 100,000 points on a tall frame (heap OOM),
    // a polyline of radius 4096 (froze 16 s).
    annotation('issue-polygon-200k', wide.clipId, [
      { kind: 'polygon', label: 'fg', points: ring(200_000, 1900, 1000, 900) },
    ]),
    annotation('issue-tall-100k', tall.clipId, [
      { kind: 'polygon', label: 'fg', points: ring(100_000, 360, 4000, 350) },
    ]),
    annotation('issue-radius-4096', wide.clipId, [
      { kind: 'polyline', label: 'fg', radius: 4096, points: zig(5000, 3840, 2160).map((v) => v / 2) },
    ]),
    // The largest the limits allow, and just beyond them.
    annotation('max-polyline', wide.clipId, [
      { kind: 'polyline', label: 'fg', radius: LIMITS.maxStrokeRadius, points: zig(maxZig, 3840, 2160) },
      { kind: 'polygon', label: 'bg', points: [0, 0, 10, 0, 10, 10] },
    ]),
    annotation('over-row-spans', wide.clipId, [
      { kind: 'polyline', label: 'fg', radius: 4, points: zig(maxZig + 50, 3840, 2160) },
      { kind: 'polyline', label: 'fg', radius: 4, points: zig(maxZig + 50, 3840, 2160) },
    ]),
    annotation('max-polygon-tall', tall.clipId, [
      { kind: 'polygon', label: 'fg', points: zig(Math.floor(LIMITS.maxRasterRowSpans / 8200), 720, 8192) },
      { kind: 'polygon', label: 'bg', points: [0, 0, 10, 0, 10, 10] },
    ]),
    annotation('over-points', wide.clipId, [
      { kind: 'polygon', label: 'fg', points: ring(LIMITS.maxStrokeCoordinates / 2 + 1, 1900, 1000, 900) },
    ]),
    annotation('over-radius', wide.clipId, [
      { kind: 'polyline', label: 'fg', radius: LIMITS.maxStrokeRadius + 1, points: [10, 10] },
    ]),
  ];
}

function randomMessages(seed: number, count: number): Json[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: Json[] = [];
  for (let m = 0; m < count; m++) {
    const clip = pick(clips);
    const scale = pick([1, 1, 10, 1e3, 1e6]);
    const strokes: Json[] = [];
    for (let s = 0, ns = 1 + Math.floor(r() * 3); s < ns; s++) {
      const n = pick([1, 3, 50, 2000, 9000, 10_000, 10_001, 30_000]);
      const points: number[] = [];
      for (let i = 0; i < Math.max(n, 3); i++)
        points.push(
          (r() * 2 - 0.5) * clip.width * (scale > 1 ? scale / 1e3 : 1),
          (r() * 2 - 0.5) * clip.height,
        );
      const clamp = (v: number) => Math.max(-1e6, Math.min(1e6, v));
      const label = pick(['fg', 'bg']);
      strokes.push(
        r() < 0.5
          ? {
              kind: 'polyline',
              label,
              radius: pick([0.5, 3, 80, 1024, 1025, 5000]),
              points: points.slice(0, 2 * n).map(clamp),
            }
          : { kind: 'polygon', label, points: points.map(clamp) },
      );
    }
    const space =
      r() < 0.3
        ? { width: pick([1, 100, clip.width / 4]), height: pick([1, 100, clip.height / 4]) }
        : undefined;
    out.push(annotation(`rnd-${seed}-${m}`, clip.clipId, strokes, space));
  }
  return out;
}

test('every request is answered exactly once and /health answers while masks are painted', async () => {
  const messages = [...namedMessages(), ...randomMessages(22, 40)];
  const ids = messages.map((m) => m.id as string);
  const a = await Counter.open(child.port);
  const b = await Counter.open(child.port);
  // /health is polled from before the first message until every answer is in (and a second after).
  const statuses: number[] = [];
  const answered = () => a.answers.size + b.answers.size;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      statuses.push(await health(child.port));
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  try {
    messages.forEach((m, i) => (i % 2 ? b : a).ws.send(JSON.stringify(m)));
    const deadline = Date.now() + 240_000;
    while (answered() < ids.length && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    // Duplicates would come late: listen a little longer.
    await new Promise((res) => setTimeout(res, 1000));
  } finally {
    polling = false;
    await poller;
  }
  const counts = ids.map((id, i) => [id, ((i % 2 ? b : a).answers.get(id) ?? []).length]);
  expect(counts.filter(([, n]) => n !== 1)).toEqual([]);
  expect(a.unmatched.concat(b.unmatched)).toEqual([]);
  const answer = (id: string) => {
    const x = (a.answers.get(id) ?? b.answers.get(id))?.[0];
    if (!x) throw new Error(`no answer to ${id}`);
    return x;
  };
  expect(answer('issue-polygon-200k')).toMatchObject({ type: 'error', code: 'bad_message' });
  expect(answer('issue-tall-100k')).toMatchObject({ type: 'error', code: 'bad_message' });
  expect(answer('issue-radius-4096')).toMatchObject({ type: 'error', code: 'bad_message' });
  expect(answer('max-polyline')).toMatchObject({ type: 'ack' });
  expect(answer('max-polygon-tall')).toMatchObject({ type: 'ack' });
  expect(answer('over-row-spans')).toMatchObject({ type: 'error', code: 'too_large' });
  expect(answer('over-points')).toMatchObject({ type: 'error', code: 'bad_message' });
  expect(answer('over-radius')).toMatchObject({ type: 'error', code: 'bad_message' });
  for (const id of ids) {
    const x = answer(id);
    expect({
      id,
      ok: x.type === 'ack' || ['bad_message', 'too_large', 'bad_mask'].includes(x.code!),
    }).toEqual({ id, ok: true });
  }
  // /health kept answering, 200 every time, while the masks were painted and after.
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  // And the server still works.
  const c = await Counter.open(child.port);
  c.ws.send(JSON.stringify({ type: 'ping', id: 'after' }));
  const until = Date.now() + 10_000;
  while (!c.answers.has('after') && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
  expect(c.answers.get('after')).toEqual([{ type: 'ack' }]);
  a.close();
  b.close();
  c.close();
});
