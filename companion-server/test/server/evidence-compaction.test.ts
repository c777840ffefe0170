/**
 * evidence.jsonl (each segmented frame's confidence evidence) stays about one line per frame
 * however often a clip is segmented again, and its scores survive the rewrite. Real server on a
 * real port with a ws client; the FAKE-SPEED synthetic backend, whose mattes the server measures
 * itself. The Workspace half checks the rewrite against appends that race it. After a correction,
 * a frame segmented by the networks before and after it carries their agreement (steadiness).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Workspace } from '../../src/server/workspace';
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { bearMask, smallBearFrames, tempDir } from './helpers/fixtures';
import { openTunedClip } from './helpers/bear-clip';
import { pngMaskField } from './helpers/mask-png';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

const FRAMES = 12;
let srv: TestServer;
let client: TestClient;

beforeAll(async () => {
  srv = await startTestServer(createSyntheticBackend());
  client = await TestClient.connect(srv.url, srv.server.token);
});

afterAll(async () => {
  await client?.close();
  await srv?.close();
});

interface Confidence {
  frames: { frame: number; confidence: number; steadiness?: number; annotated: boolean }[];
}

async function runJob(message: Record<string, unknown>): Promise<void> {
  const { job } = await client.ack<{ job: { jobId: string } }>(message);
  await client.ack({ type: 'subscribe', jobId: job.jobId });
  expect((await client.waitForJob(job.jobId)).state).toBe('done');
}

const segmentAll = (clipId: string): Promise<void> => runJob({ type: 'segment', clipId });

async function evidenceLines(clipId: string): Promise<string[]> {
  const text = await fs.readFile(
    join(srv.workspace, 'clips', clipId, 'objects', 'main', 'evidence.jsonl'),
    'utf8',
  );
  return text.split('\n').filter((l) => l.length > 0);
}

test('segmenting a clip five times leaves one evidence line per frame, and the same scores', async () => {
  const frames = await smallBearFrames(FRAMES, 64);
  const { clip } = await client.ack<{ clip: { clipId: string } }>({
    type: 'openClip',
    source: { kind: 'frames', folder: frames.folder },
  });
  await segmentAll(clip.clipId);
  const first = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  expect(first.frames).toHaveLength(FRAMES);
  for (let k = 0; k < 4; k++) await segmentAll(clip.clipId);

  const lines = await evidenceLines(clip.clipId);
  // Compaction runs once the superseded lines pass half the file: at most two lines per frame.
  expect(lines.length).toBeGreaterThanOrEqual(FRAMES);
  expect(lines.length).toBeLessThanOrEqual(2 * FRAMES);
  const frameIds = new Set(lines.map((l) => (JSON.parse(l) as { frame: number }).frame));
  expect([...frameIds].sort((a, b) => a - b)).toEqual([...Array(FRAMES).keys()]);

  const after = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  expect(after.frames).toEqual(first.frames);
});

describe('Workspace.compactEvidence', () => {
  const evidence = (area: number) => ({ area, cx: 0.5, cy: 0.5, uncertain: 0.1 });

  test('keeps each frame latest line, drops torn ones, and loses no append made while it runs', async () => {
    const ws = new Workspace(await tempDir('ws-evidence'));
    await ws.init();
    const dir = ws.objectDir('c0ffee', 'main');
    await fs.mkdir(dir, { recursive: true });
    for (let round = 1; round <= 3; round++)
      for (let f = 0; f < 4; f++) await ws.appendEvidence('c0ffee', 'main', f, evidence(round / 10));
    await fs.appendFile(join(dir, 'evidence.jsonl'), '{"frame": 2, "area": 0.9, "cx"'); // a torn write
    await fs.appendFile(join(dir, 'evidence.jsonl'), '\n');

    // Appends issued beside the compaction: each is either in the file it rewrites or after it.
    const racing = [4, 5, 6].map((f) => ws.appendEvidence('c0ffee', 'main', f, evidence(0.7)));
    const dropped = await ws.compactEvidence('c0ffee', 'main');
    await Promise.all(racing);

    expect(dropped).toBeGreaterThanOrEqual(8);
    const latest = await ws.loadEvidence('c0ffee', 'main');
    expect([...latest.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (let f = 0; f < 4; f++) expect(latest.get(f)?.area).toBeCloseTo(0.3);
    for (const f of [4, 5, 6]) expect(latest.get(f)?.area).toBeCloseTo(0.7);
    const text = await fs.readFile(join(dir, 'evidence.jsonl'), 'utf8');
    expect(text.split('\n').filter((l) => l.length > 0)).toHaveLength(7);
    // A file already compact is left alone.
    expect(await ws.compactEvidence('c0ffee', 'main')).toBe(0);
  });

  test('an object never segmented has nothing to compact', async () => {
    const ws = new Workspace(await tempDir('ws-evidence-empty'));
    await ws.init();
    expect(await ws.compactEvidence('c0ffee', 'main')).toBe(0);
  });
});

test('frames segmented before and after a correction carry steadiness; the same network again keeps it', async () => {
  const frames = await smallBearFrames(6, 64);
  const clip = await openTunedClip(client, frames.folder, (w, h) => bearMask(0, w, h), 'fast');
  const first = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  expect(first.frames).toHaveLength(6);
  expect(first.frames.every((f) => f.steadiness === undefined)).toBe(true);

  // A correction on frame 3: an object a quarter of the frame's size at the top left, so the
  // refined network's masks move.
  const wrong = new Uint8Array(clip.width * clip.height);
  for (let y = 0; y < clip.height / 2; y++)
    for (let x = 0; x < clip.width / 2; x++) wrong[y * clip.width + x] = 1;
  await client.ack({
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame: 3,
    mask: await pngMaskField(wrong, clip.width, clip.height),
  });
  await runJob({ type: 'fineTune', clipId: clip.clipId, preset: 'fast', thenSegment: {} });
  const second = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  const open = second.frames.filter((f) => !f.annotated);
  expect(open.length).toBeGreaterThan(0);
  for (const f of open) {
    expect(f.steadiness).toBeGreaterThanOrEqual(0);
    expect(f.steadiness).toBeLessThanOrEqual(1);
  }
  expect(open.some((f) => f.steadiness! < 0.99)).toBe(true);

  await runJob({ type: 'segment', clipId: clip.clipId });
  const third = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  expect(third.frames.filter((f) => !f.annotated).map((f) => f.steadiness)).toEqual(
    open.map((f) => f.steadiness),
  );
});
