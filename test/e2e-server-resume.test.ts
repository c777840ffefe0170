/**
 * A `best` fine-tune (two networks) interrupted by a server shutdown continues on the next start
 * with its second network, against the real server and the REAL one-shot backend on the repo's
 * bear sample (128 px, 12 steps per network, so it stays around a minute on 2 shared cores).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createOsvosBackend } from '@oneshot-roto/core';
import { bearMask, REPO, strokesFromMask, tempDir } from '../companion-server/test/server/helpers/fixtures';
import { startTestServer, type TestServer } from '../companion-server/test/server/helpers/start-server';
import { TestClient } from '../companion-server/test/server/helpers/ws-client';

jest.setTimeout(300_000);

const backend = () =>
  createOsvosBackend({
    resolution: 128,
    overrides: {
      iterations: 12,
      timeBudgetSeconds: 1e6,
      augmentationsPerAnnotation: 3,
      // The parent guide has its own tests (parent-guide.test.ts, e2e-server.test.ts).
      parentGuideResolution: 0,
    },
  });

async function connect(srv: TestServer): Promise<TestClient> {
  const client = await TestClient.connect(srv.url, srv.server.token);
  await client.ack({ type: 'hello', protocol: 1 });
  return client;
}

async function findFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith(suffix)).map((e) => join(dir, e));
}

const trainingSteps = (client: TestClient, jobId: string): number[] =>
  client.events.flatMap((e) =>
    e.type === 'progress' && e.jobId === jobId && e.phase === 'fineTune' && e.iteration !== undefined
      ? [e.iteration]
      : [],
  );

test('a fine-tune cut by a shutdown continues after its finished network on the next start', async () => {
  const workspace = await tempDir('ws-resume');
  let srv = await startTestServer(backend(), { workspace });
  let client = await connect(srv);
  const { clip } = await client.ack<{ clip: { clipId: string } }>({
    type: 'openClip',
    source: { kind: 'video', path: join(REPO, 'samples', 'bear.mp4'), inFrame: 0, outFrame: 4, fps: 24 },
    name: 'bear',
  });
  const half = await bearMask(0, 427, 240);
  await client.ack({
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame: 0,
    mask: { kind: 'strokes', space: { width: 427, height: 240 }, strokes: strokesFromMask(half, 427, 240) },
  });
  const { job } = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    clipId: clip.clipId,
    preset: 'best',
    thenSegment: {},
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true });
  // Shut down while the second network trains (steps 13…24).
  await client.waitFor(
    () => trainingSteps(client, job.jobId).some((i) => i >= 14),
    240_000,
    'second network',
  );
  await client.close();
  await srv.close();
  const [progressFile] = await findFiles(workspace, `fine-tune-${job.jobId}.progress`);
  expect(progressFile).toBeDefined();

  srv = await startTestServer(backend(), { workspace });
  client = await connect(srv);
  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true });
  const final = await client.waitForJob(job.jobId, 240_000);
  expect(final.state).toBe('done');
  // Only the second network trained after the restart.
  const steps = trainingSteps(client, job.jobId);
  expect(Math.min(...steps)).toBe(13);
  expect(steps.at(-1)).toBe(24);
  const masks = client.masksOf(job.jobId);
  expect(masks.map((m) => m.header.frame).sort()).toEqual([0, 1, 2, 3]);
  for (const m of masks) {
    const { data } = await sharp(m.payload!).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    const pred = Uint8Array.from(data, (v) => (v >= 128 ? 1 : 0));
    const gt = await bearMask(m.header.frame, 854, 480);
    let inter = 0;
    let union = 0;
    for (let i = 0; i < gt.length; i++) {
      inter += pred[i]! & gt[i]!;
      union += pred[i]! | gt[i]!;
    }
    expect(inter / union).toBeGreaterThan(0.5);
  }
  // The job is done: its progress file is gone.
  expect(await findFiles(workspace, '.progress')).toEqual([]);
  await client.close();
  await srv.close();
});
