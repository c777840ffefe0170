/**
 * End to end against the real server: real port, real ws client, real video decoding of the
 * repo's DAVIS "bear" sample (samples/bear.mp4), the REAL one-shot backend (osvos/backend.ts:
 * ISNet parent + train-step graphs), shortened to a low resolution and few iterations so the
 * file stays around a minute on 2 shared cores. Flow: open clip, annotate with strokes drawn in
 * a half-size display space, fine-tune + segment (every mask frame streamed, playhead first),
 * a correction round, render, files on disk; and cancel mid-job.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createOsvosBackend } from '@oneshot-roto/core';
import { bearMask, REPO, strokesFromMask, tempDir } from '../companion-server/test/server/helpers/fixtures';
import {
  startTestServer,
  authHeaders,
  type TestServer,
} from '../companion-server/test/server/helpers/start-server';
import { TestClient } from '../companion-server/test/server/helpers/ws-client';

jest.setTimeout(300_000);

const FRAMES = 6;
let srv: TestServer;
let client: TestClient;
let clip: { clipId: string; width: number; height: number; frameCount: number };

beforeAll(async () => {
  const backend = createOsvosBackend({
    resolution: 128,
    overrides: {
      iterations: 12,
      timeBudgetSeconds: 1e6,
      augmentationsPerAnnotation: 3,
      // The parent guide runs in the server's path too, at 320² here instead of the presets' 1024²
      // (at 160² the parent collapses, and its half of the mean with it).
      parentGuideResolution: 320,
    },
  });
  srv = await startTestServer(backend);
  client = await TestClient.connect(srv.url, srv.server.token);
  await client.ack({ type: 'hello', protocol: 1 });
  const opened = await client.ack<{ clip: typeof clip }>({
    type: 'openClip',
    source: { kind: 'video', path: join(REPO, 'samples', 'bear.mp4'), inFrame: 0, outFrame: FRAMES, fps: 24 },
    name: 'bear',
  });
  clip = opened.clip;
});

afterAll(async () => {
  await client?.close();
  await srv?.close();
});

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union ? inter / union : 1;
}

test('open a video clip, annotate with strokes, fine-tune, receive every mask frame, correct, render', async () => {
  expect(clip).toMatchObject({ width: 854, height: 480, frameCount: FRAMES });
  // The panel's <img> preview of the frame.
  const preview = await fetch(`${srv.url}/clips/${clip.clipId}/frames/0.png?maxSide=427`, {
    headers: authHeaders(),
  });
  expect(preview.status).toBe(200);
  expect(await sharp(Buffer.from(await preview.arrayBuffer())).metadata()).toMatchObject({
    width: 427,
    height: 240,
  });

  // Strokes drawn over the half-size preview, scaled by the server to 854x480.
  const half = await bearMask(0, 427, 240);
  const ann = await client.ack<{ annotation: { foregroundPixels: number } }>({
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame: 0,
    mask: { kind: 'strokes', space: { width: 427, height: 240 }, strokes: strokesFromMask(half, 427, 240) },
  });
  const gt0 = await bearMask(0, 854, 480);
  expect(ann.annotation.foregroundPixels / gt0.reduce((s, v) => s + v, 0)).toBeGreaterThan(0.6);

  const { job } = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    clipId: clip.clipId,
    preset: 'fast',
    thenSegment: { playheadFrame: 3 },
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true });
  const final = await client.waitForJob(job.jobId, 240_000);
  expect(final.state).toBe('done');
  const training = client.events.filter(
    (e) => e.type === 'progress' && e.jobId === job.jobId && e.phase === 'fineTune',
  );
  expect(training.length).toBeGreaterThan(0);
  expect(training.at(-1)).toMatchObject({ iteration: 12, iterations: 12 });
  const masks = client.masksOf(job.jobId);
  expect(masks.map((m) => m.header.frame)).toEqual([3, 4, 5, 2, 1, 0]);
  expect(client.pairingErrors).toEqual([]);
  // The masks are of the bear: compare with DAVIS ground truth.
  for (const m of masks) {
    const { data, info } = await sharp(m.payload!)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 854, height: 480, channels: 1 });
    const pred = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) pred[i] = data[i]! >= 128 ? 1 : 0;
    expect(iou(pred, await bearMask(m.header.frame, 854, 480))).toBeGreaterThan(0.5);
  }

  // Correction round: background polygon in a corner over the current prediction.
  const corr = await client.ack<{ job: { jobId: string } }>({
    type: 'addCorrection',
    clipId: clip.clipId,
    frame: 5,
    mask: {
      kind: 'strokes',
      base: 'prediction',
      strokes: [{ kind: 'polygon', label: 'bg', points: [0, 0, 200, 0, 200, 120, 0, 120] }],
    },
  });
  await client.ack({ type: 'subscribe', jobId: corr.job.jobId, replay: true, masks: 'none' });
  const corrFinal = await client.waitForJob(corr.job.jobId, 240_000);
  expect(corrFinal.state).toBe('done');
  expect(client.masksOf(corr.job.jobId).map((m) => m.header.frame)).toEqual([5, 4, 3, 2, 1, 0]);
  const info = await client.ack<{
    clip: {
      objects: Array<{ annotations: Array<{ role: string }>; fineTuned: boolean; framesDone: number }>;
    };
  }>({ type: 'getClip', clipId: clip.clipId });
  expect(info.clip.objects[0]!.annotations.map((a) => a.role)).toEqual(['initial', 'correction']);
  expect(info.clip.objects[0]).toMatchObject({ fineTuned: true, framesDone: FRAMES });

  // Every frame's confidence, from the backend's own evidence: with the parent guide, each frame
  // carries the fine-tuned network's agreement with the parent. Annotated frames are never suggested.
  const confidence = await client.ack<{
    frames: Array<{ frame: number; confidence: number; agreement?: number; annotated: boolean }>;
    suggest: number[];
  }>({ type: 'getConfidence', clipId: clip.clipId });
  expect(confidence.frames.map((f) => f.frame)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(confidence.frames.filter((f) => f.annotated).map((f) => f.frame)).toEqual([0, 5]);
  for (const f of confidence.frames) expect(f.agreement).toEqual(expect.any(Number));
  expect([...confidence.suggest].sort()).toEqual([1, 2, 3, 4]);

  // Render the matte and find the files.
  const out = join(await tempDir('e2e-out'), 'mattes');
  const render = await client.ack<{ job: { jobId: string } }>({
    type: 'render',
    clipId: clip.clipId,
    format: 'png8',
    outputFolder: out,
    name: 'bear_matte',
    matte: { threshold: 0.5, edgeSnap: 'none' },
  });
  await client.ack({ type: 'subscribe', jobId: render.job.jobId });
  const rendered = await client.waitForJob(render.job.jobId);
  expect(rendered.state).toBe('done');
  const outputs = rendered.outputs as string[];
  expect(outputs).toEqual(
    Array.from({ length: FRAMES }, (_, i) => join(out, `bear_matte_${String(i).padStart(5, '0')}.png`)),
  );
  expect((await fs.readdir(out)).sort()).toEqual(outputs.map((o) => o.slice(out.length + 1)));
  expect(await sharp(outputs[0]).metadata()).toMatchObject({ width: 854, height: 480 });
});

test('cancel mid-job stops the real backend and the server keeps serving', async () => {
  const { job } = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    clipId: clip.clipId,
    preset: 'fast',
    thenSegment: {},
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId, masks: 'none' });
  await client.waitFor(
    () => client.events.some((e) => e.type === 'progress' && e.jobId === job.jobId),
    120_000,
    'first progress',
  );
  const r = await client.ack<{ job: { state: string } }>({ type: 'cancel', jobId: job.jobId });
  expect(r.job.state).toBe('cancelled');
  const health = (await (await fetch(`${srv.url}/health`, { headers: authHeaders() })).json()) as {
    ok: boolean;
    queue: { running: number };
    backend: string;
  };
  expect(health).toMatchObject({ ok: true, backend: 'osvos', queue: { running: 0 } });
});

test('Best fine-tunes two networks and segments every frame with their average', async () => {
  const { job } = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    clipId: clip.clipId,
    preset: 'best',
    thenSegment: {},
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true });
  const final = await client.waitForJob(job.jobId, 240_000);
  expect(final.state).toBe('done');
  // The preset's second network (presets.ts `ensembleViews`) trains after the first: 12 steps each.
  const training = client.events.filter(
    (e) => e.type === 'progress' && e.jobId === job.jobId && e.phase === 'fineTune',
  );
  expect(training.at(-1)).toMatchObject({ iteration: 24, iterations: 24 });
  const masks = client.masksOf(job.jobId);
  expect(masks.map((m) => m.header.frame).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  for (const m of masks) {
    const { data } = await sharp(m.payload!).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const pred = Uint8Array.from(data, (v) => (v >= 128 ? 1 : 0));
    expect(iou(pred, await bearMask(m.header.frame, 854, 480))).toBeGreaterThan(0.5);
  }
});
