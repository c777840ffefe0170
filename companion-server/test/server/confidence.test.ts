/**
 * getConfidence through a real server and ws client, with the parent-only backend (the real parent
 * network, no fine-tuning) on bear frames where one frame is occluded on purpose.
 */
import { createParentOnlyBackend } from '../../src/server/parent-only-backend';
import { occludedBearFrames } from './helpers/fixtures';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

// The parent at 320² on 16 frames takes ~15 s on two idle cores.
jest.setTimeout(300_000);

const HARD = 9;
let srv: TestServer;
let client: TestClient;

beforeAll(async () => {
  srv = await startTestServer(createParentOnlyBackend());
  client = await TestClient.connect(srv.url, srv.server.token);
});

afterAll(async () => {
  await client?.close();
  await srv?.close();
});

interface Confidence {
  frames: { frame: number; confidence: number; crispness: number; consistency: number; annotated: boolean }[];
  suggest: number[];
}

test('the server scores every segmented frame; the occluded frame is among the least sure and suggested', async () => {
  const frames = await occludedBearFrames(16, HARD, 427);
  const { clip } = await client.ack<{ clip: { clipId: string } }>({
    type: 'openClip',
    source: { kind: 'frames', folder: frames.folder },
  });
  const before = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  expect(before).toEqual({ frames: [], suggest: [] });

  const { job } = await client.ack<{ job: { jobId: string } }>({ type: 'segment', clipId: clip.clipId });
  await client.ack({ type: 'subscribe', jobId: job.jobId });
  expect((await client.waitForJob(job.jobId)).state).toBe('done');

  const report = await client.ack<Confidence>({ type: 'getConfidence', clipId: clip.clipId });
  expect(report.frames.map((f) => f.frame)).toEqual([...Array(16).keys()]);
  for (const f of report.frames) {
    expect(f.confidence).toBeGreaterThanOrEqual(0);
    expect(f.confidence).toBeLessThanOrEqual(1);
    expect(f.annotated).toBe(false);
  }
  const leastSure = [...report.frames]
    .sort((a, b) => a.confidence - b.confidence)
    .slice(0, 3)
    .map((f) => f.frame);
  expect(leastSure).toContain(HARD);
  expect(report.suggest.slice(0, 3)).toContain(HARD);
  expect([...report.suggest].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
});

test('getConfidence on an unknown clip is a not_found error naming it', async () => {
  const reply = await client.request({ type: 'getConfidence', clipId: 'feedfacefeedface' });
  expect(reply).toMatchObject({ type: 'error', code: 'not_found' });
});
