/**
 * Fault tests: kill -9 of the server process during fine-tuning and during segmentation, then a
 * restart on the same workspace. Runs the server as a child process with the FAKE-SPEED synthetic
 * backend (helpers/synthetic-backend.ts): the real network would take minutes per fine-tune here.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { openAnnotatedBearClip } from './helpers/bear-clip';
import { smallBearFrames, tempDir } from './helpers/fixtures';
import { startChildServer, type ChildServer } from './helpers/child-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

const TOKEN = 'crash-test-token-0123456789';
let env: NodeJS.ProcessEnv;
let frames: { folder: string; width: number; height: number };
let workspace: string;
const children: ChildServer[] = [];
const clients: TestClient[] = [];

async function start(): Promise<{ child: ChildServer; client: TestClient }> {
  const child = await startChildServer(workspace, env, 120, 150);
  children.push(child);
  const client = await TestClient.connect(child.url, TOKEN);
  clients.push(client);
  // The same client identity on every start: its request ids are answered once, also across restarts.
  await client.ack({ type: 'hello', protocol: 1, clientId: 'crash-test-client' });
  return { child, client };
}

beforeAll(async () => {
  frames = await smallBearFrames(8, 64);
  workspace = await tempDir('crash');
  env = { ONESHOT_ROTO_TOKEN: TOKEN, ONESHOT_ROTO_CONFIG_DIR: await tempDir('cfg') };
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const c of children) await c.kill9();
});

test('kill -9 during fine-tuning, then during segmentation: annotations and finished frames survive and the job completes', async () => {
  let { child, client } = await start();
  const clip = await openAnnotatedBearClip(client, frames.folder);
  const objDir = join(workspace, 'clips', clip.clipId, 'objects', 'main');
  const annotationBefore = await fs.readFile(join(objDir, 'annotations', '00000.png'));

  const { job } = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    id: 'ft-1',
    clipId: clip.clipId,
    preset: 'balanced',
    thenSegment: { playheadFrame: 2 },
  });
  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true });
  await client.waitFor(
    () =>
      client.events.some((e) => e.type === 'progress' && e.phase === 'fineTune' && (e.iteration ?? 0) >= 2),
    60_000,
    'fine-tune progress',
  );
  await child.kill9();

  // Restart: the annotation is intact and the job resumes from the queue.
  ({ child, client } = await start());
  expect(Buffer.compare(await fs.readFile(join(objDir, 'annotations', '00000.png')), annotationBefore)).toBe(
    0,
  );
  const listed = await client.ack<{
    clips: Array<{ clipId: string; objects: Array<{ annotations: unknown[] }> }>;
  }>({ type: 'listClips' });
  expect(listed.clips.find((c) => c.clipId === clip.clipId)?.objects[0]!.annotations).toHaveLength(1);
  // Retrying the request after the restart returns the same job rather than a second one.
  const retried = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    id: 'ft-1',
    clipId: clip.clipId,
    preset: 'balanced',
    thenSegment: { playheadFrame: 2 },
  });
  expect(retried.job.jobId).toBe(job.jobId);

  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true, masks: 'png' });
  // Kill again once a few frames of the segmentation phase are finished.
  await client.waitFor(() => client.masksOf(job.jobId).length >= 3, 60_000, 'three mask frames');
  const before = client.masksOf(job.jobId).map((m) => ({ frame: m.header.frame, png: m.payload! }));
  await child.kill9();
  for (const m of before) {
    const file = join(objDir, 'masks', `${String(m.frame).padStart(5, '0')}.png`);
    expect(Buffer.compare(await fs.readFile(file), m.png)).toBe(0);
    await sharp(file).metadata(); // a complete, decodable PNG
  }

  // The last server: afterAll stops it with the others.
  ({ client } = await start());
  await client.ack({ type: 'subscribe', jobId: job.jobId, replay: true, masks: 'none' });
  const final = await client.waitForJob(job.jobId);
  expect(final.state).toBe('done');
  const frameOrder = client.masksOf(job.jobId).map((m) => m.header.frame);
  // Every frame exactly once across the runs; the frames finished before the crash were kept, not redone.
  expect([...frameOrder].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(frameOrder.slice(0, before.length)).toEqual(before.map((b) => b.frame));
  expect(frameOrder[0]).toBe(2);
  for (const m of before) {
    const file = join(objDir, 'masks', `${String(m.frame).padStart(5, '0')}.png`);
    expect(Buffer.compare(await fs.readFile(file), m.png)).toBe(0);
  }
  const files = (await fs.readdir(join(objDir, 'masks'))).sort();
  expect(files).toEqual([
    '00000.png',
    '00001.png',
    '00002.png',
    '00003.png',
    '00004.png',
    '00005.png',
    '00006.png',
    '00007.png',
  ]);
  // No temp files or partial weights left behind.
  expect((await fs.readdir(objDir)).filter((n) => n.includes('.tmp-') || n.endsWith('.partial'))).toEqual([]);
});
