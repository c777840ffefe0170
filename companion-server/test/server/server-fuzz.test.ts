/**
 * Bad-input fuzzing: 10,000+ random and mutated messages (bad JSON, wrong types, unknown fields,
 * huge sizes, deep nesting, binary garbage) against a real server process. Every message gets
 * exactly one structured answer, the server keeps serving, and its RSS after a full GC stays
 * within 1.2x of the level after a warm-up round (10,000 messages: long enough for the allocator
 * to reach its steady state, so the check sees leaks rather than heap growth). The server runs the FAKE-SPEED synthetic
 * backend (no model work is involved in rejecting input).
 */
import WebSocket from 'ws';
import { smallBearFrames, tempDir } from './helpers/fixtures';
import { startChildServer, type ChildServer } from './helpers/child-server';
import { ErrorCodeSchema } from '@oneshot-roto/protocol';
import { seededRandom } from '@oneshot-roto/core';

jest.setTimeout(180_000);

const TOKEN = 'fuzz-test-token-0123456789';
const CODES = new Set(ErrorCodeSchema.anyOf.map((s) => s.const as string));

const rng = seededRandom;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function makeFuzzer(seed: number, clipId: string) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number) => Math.floor(r() * n);
  const stroke = (): Json => ({
    kind: 'polyline',
    label: pick(['fg', 'bg']),
    radius: 1 + r() * 5,
    points: Array.from({ length: 2 * (1 + int(6)) }, () => r() * 60),
  });
  const templates = (): Array<Record<string, Json>> => [
    { type: 'hello', protocol: 1, client: { name: 'fuzz', version: '1' } },
    { type: 'openClip', source: { kind: 'frames', folder: '/nonexistent/frames' } },
    {
      type: 'openClip',
      source: { kind: 'video', path: '/nonexistent.mov', inFrame: 0, outFrame: 10, fps: 25 },
    },
    { type: 'getClip', clipId },
    { type: 'listClips' },
    {
      type: 'addAnnotation',
      clipId,
      frame: int(3),
      objectId: 'fz',
      mask: { kind: 'strokes', strokes: [stroke(), stroke()] },
    },
    {
      type: 'addAnnotation',
      clipId,
      frame: 0,
      mask: { kind: 'png', encoding: 'base64', data: 'iVBORw0KGgoAAAANSUhEUg==' },
    },
    {
      type: 'addCorrection',
      clipId: 'ffffffffffffffff',
      frame: 1,
      mask: { kind: 'strokes', strokes: [stroke()] },
    },
    { type: 'fineTune', clipId: 'ffffffffffffffff', preset: 'fast', thenSegment: { playheadFrame: 1 } },
    { type: 'segment', clipId: 'ffffffffffffffff', playheadFrame: 2, range: [0, 2] },
    {
      type: 'render',
      clipId: 'ffffffffffffffff',
      format: 'png8',
      outputFolder: '/tmp/fuzz-out',
      matte: { threshold: 0.5 },
    },
    { type: 'cancel', jobId: 'jnonexistent' },
    { type: 'listJobs', clipId },
    { type: 'subscribe', jobId: 'jnonexistent', masks: 'none' },
    { type: 'unsubscribe', jobId: 'jnonexistent' },
    { type: 'ping' },
  ];
  const randomValue = (depth = 0): Json => {
    switch (int(depth > 2 ? 5 : 8)) {
      case 0:
        return null;
      case 1:
        return r() < 0.5;
      case 2:
        return pick([0, -1, 1e308, -1e308, 0.5, 2 ** 53, -0, 123456789]);
      case 3:
        return pick([
          '',
          'x',
          '../../etc/passwd',
          '\u0000',
          'A'.repeat(int(5000)),
          '😀'.repeat(int(50)),
          '__proto__',
          'constructor',
        ]);
      case 4:
        return String(r());
      case 5:
        return Array.from({ length: int(5) }, () => randomValue(depth + 1));
      case 6:
        return Object.fromEntries(
          Array.from({ length: int(4) }, () => [
            pick(['a', 'type', 'id', '__proto__', 'constructor', 'frame']),
            randomValue(depth + 1),
          ]),
        );
      default:
        return { kind: pick(['strokes', 'png', 'video', 'frames', 'polygon']), points: [1, 2, 3] };
    }
  };
  const mutate = (obj: Record<string, Json>): Record<string, Json> => {
    const m = JSON.parse(JSON.stringify(obj)) as Record<string, Json>;
    for (let k = 0; k < 1 + int(3); k++) {
      const keys = Object.keys(m);
      switch (int(7)) {
        case 0:
          delete m[pick(keys)];
          break;
        case 1:
          m[pick(keys)] = randomValue();
          break;
        case 2:
          m[pick(['extra', 'unknownField', '__proto__', 'constructor', 'prototype'])] = randomValue();
          break;
        case 3:
          m.type = pick([
            '',
            'Hello',
            'openclip',
            'toString',
            'hasOwnProperty',
            'x'.repeat(300),
            String(r()),
          ]);
          break;
        case 4:
          m.id = pick([
            '',
            'has space',
            'x'.repeat(65),
            '../id',
            5 as unknown as string,
            null as unknown as string,
          ]);
          break;
        case 5: {
          const nested = keys.find((kk) => m[kk] && typeof m[kk] === 'object');
          if (nested)
            (m[nested] as Record<string, Json>)[
              pick(['kind', 'strokes', 'path', 'inFrame', 'label', 'zzz'])
            ] = randomValue();
          break;
        }
        default:
          m.frame = pick([-1, 1e9, 1.5, '3' as unknown as number, null as unknown as number]);
      }
    }
    return m;
  };
  let n = 0;
  return (): { data: string | Buffer; binary: boolean; kind: string } => {
    n += 1;
    const id = `f${n}`;
    const roll = r();
    if (roll < 0.08)
      return {
        data: Buffer.from(Array.from({ length: 1 + int(2000) }, () => int(256))),
        binary: true,
        kind: 'binary',
      };
    if (roll < 0.16)
      return {
        data: Buffer.from(Array.from({ length: 1 + int(500) }, () => int(256))).toString('latin1'),
        binary: false,
        kind: 'garbage-text',
      };
    if (roll < 0.24) return { data: JSON.stringify(randomValue()), binary: false, kind: 'random-json' };
    if (roll < 0.3) {
      const t = JSON.stringify({ ...pick(templates()), id });
      return { data: t.slice(0, int(t.length)), binary: false, kind: 'truncated' };
    }
    if (roll < 0.32)
      return {
        data: `{"type":"ping","id":"${id}","x":${'['.repeat(2000 + int(5000))}${']'.repeat(2000)}`,
        binary: false,
        kind: 'deep',
      };
    if (roll < 0.34) {
      return {
        data: JSON.stringify({
          type: 'addAnnotation',
          id,
          clipId,
          frame: 0,
          mask: { kind: 'strokes', strokes: Array.from({ length: 200 }, stroke) },
          junk: 'x'.repeat(int(200_000)),
        }),
        binary: false,
        kind: 'big',
      };
    }
    const msg = r() < 0.9 ? mutate({ ...pick(templates()), id }) : { ...pick(templates()), id };
    return { data: JSON.stringify(msg), binary: false, kind: 'mutated' };
  };
}

let child: ChildServer;
let ws: WebSocket;
let clipId: string;
let answers = 0;
const bad: string[] = [];

async function sendAll(next: () => { data: string | Buffer; binary: boolean }, count: number): Promise<void> {
  const target = answers + count;
  let sent = 0;
  while (sent < count) {
    const batch = Math.min(250, count - sent);
    for (let i = 0; i < batch; i++) {
      const m = next();
      ws.send(m.data, { binary: m.binary });
    }
    sent += batch;
    const want = target - (count - sent);
    await waitUntil(() => answers >= want, 60_000, `answers ${answers}/${want}`);
  }
}

function waitUntil(pred: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out: ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

beforeAll(async () => {
  const frames = await smallBearFrames(3, 64);
  child = await startChildServer(
    await tempDir('fuzz'),
    { ONESHOT_ROTO_TOKEN: TOKEN, ONESHOT_ROTO_CONFIG_DIR: await tempDir('cfg') },
    0,
    0,
  );
  ws = new WebSocket(`ws://127.0.0.1:${child.port}/ws?token=${TOKEN}`);
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  let resolveClip: (id: string) => void;
  const clipReady = new Promise<string>((res) => (resolveClip = res));
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return bad.push('binary answer');
    const msg = JSON.parse(data.toString()) as {
      type: string;
      id?: string | null;
      code?: string;
      message?: string;
      result?: { clip?: { clipId: string } };
    };
    if (msg.id === 'setup') return resolveClip(msg.result!.clip!.clipId);
    if (msg.type === 'ack') answers += 1;
    else if (msg.type === 'error') {
      answers += 1;
      if (
        !CODES.has(msg.code!) ||
        typeof msg.message !== 'string' ||
        msg.message.length === 0 ||
        !('id' in msg)
      )
        bad.push(JSON.stringify(msg).slice(0, 300));
    }
  });
  ws.send(
    JSON.stringify({ type: 'openClip', id: 'setup', source: { kind: 'frames', folder: frames.folder } }),
  );
  clipId = await clipReady;
});

afterAll(async () => {
  ws?.close();
  await child?.kill9();
});

test('10,000 random and mutated messages each get one structured answer; the server survives without leaking', async () => {
  await sendAll(makeFuzzer(1, clipId), 10_000);
  // Messages over the 16 MiB limit are refused with too_large (a few: each allocates 17 MiB).
  const huge = JSON.stringify({ type: 'ping', id: 'huge', pad: 'x'.repeat(17 * 1024 * 1024) });
  // Warm-up reaches the allocator's steady state for every kind of message, huge ones included.
  for (let i = 0; i < 3; i++) {
    ws.send(huge);
    await waitUntil(() => answers >= 10_001 + i, 60_000, 'huge message answer');
  }
  const before = await child.memory();

  const fuzz = makeFuzzer(2, clipId);
  await sendAll(fuzz, 10_000);
  for (let i = 0; i < 3; i++) {
    ws.send(huge);
    await waitUntil(() => answers >= 20_004 + i, 60_000, 'huge message answer');
  }
  const after = await child.memory();

  console.log(
    `fuzz: RSS before ${(before.rss / 2 ** 20).toFixed(1)} MiB, after ${(after.rss / 2 ** 20).toFixed(1)} MiB; heap ${(before.heapUsed / 2 ** 20).toFixed(1)} → ${(after.heapUsed / 2 ** 20).toFixed(1)} MiB`,
  );
  expect(bad).toEqual([]);
  expect(answers).toBe(20_006);
  // A leak of messages or answers shows in the JS heap (read after a full GC). RSS also holds what
  // the allocator keeps of the 17 MiB huge-message buffers: the baseline itself varied 140–186 MiB
  // between runs of this test on an idle machine, so up to two retained buffers are allowed on top
  // of the 1.2x bound.
  expect(after.heapUsed).toBeLessThanOrEqual(before.heapUsed * 1.2);
  expect(after.rss).toBeLessThanOrEqual(before.rss * 1.2 + 2 * 17 * 2 ** 20);

  // Still serving: a valid request and an HTTP call.
  const pong = new Promise<string>((res) => ws.once('message', (d: Buffer) => res(d.toString())));
  ws.send(JSON.stringify({ type: 'ping', id: 'alive' }));
  expect(JSON.parse(await pong)).toMatchObject({ type: 'ack', id: 'alive' });
  const health = await fetch(`${child.url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(health.status).toBe(200);
});
