/**
 * The render output folder may not lie in the server's workspace (outside its `renders/` folder),
 * however it is named: a folder that does not exist yet, a path through a symbolic link, a
 * workspace that is itself reached through a link, or a link put in place after the request was
 * accepted. Real server on a real port, FAKE-SPEED synthetic backend.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { bearMask, smallBearFrames, tempDir } from './helpers/fixtures';
import { pngMaskField } from './helpers/mask-png';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

let frames: { folder: string; width: number; height: number };
const servers: TestServer[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  frames = await smallBearFrames(4, 64);
});

afterAll(async () => {
  for (const c of clients) await c.close();
  for (const s of servers) await s.close();
});

async function start(workspace?: string, iterationDelayMs = 0) {
  const srv = await startTestServer(
    createSyntheticBackend({ iterationDelayMs }),
    workspace ? { workspace } : {},
  );
  servers.push(srv);
  const client = await TestClient.connect(srv.url, srv.server.token);
  clients.push(client);
  const { clip } = await client.ack<{ clip: { clipId: string; width: number; height: number } }>({
    type: 'openClip',
    source: { kind: 'frames', folder: frames.folder },
  });
  return { srv, client, clip };
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

async function objectsOf(client: TestClient, clipId: string): Promise<string[]> {
  const { clip } = await client.ack<{ clip: { objects: Array<{ objectId: string }> } }>({
    type: 'getClip',
    clipId,
  });
  return clip.objects.map((o) => o.objectId);
}

test('a folder inside the workspace that does not exist yet, or is reached through a link, is refused', async () => {
  const { srv, client, clip } = await start();
  const objects = join(srv.workspace, 'clips', clip.clipId, 'objects');
  const render = (outputFolder: string) =>
    client.request({ type: 'render', clipId: clip.clipId, format: 'png8', outputFolder });

  // Not there yet: a render would create it, and with it an object nobody annotated.
  const phantom = join(objects, 'phantom', 'out');
  expect(await render(phantom)).toMatchObject({ type: 'error', code: 'path_forbidden' });

  // A link outside the workspace that points into it, with a tail that does not exist yet.
  const outside = await tempDir('links');
  await fs.symlink(objects, join(outside, 'objects-link'));
  const viaLink = join(outside, 'objects-link', 'phantom2');
  expect(await render(viaLink)).toMatchObject({ type: 'error', code: 'path_forbidden' });
  // A link to the workspace root itself, with an existing tail.
  await fs.symlink(srv.workspace, join(outside, 'ws-link'));
  expect(await render(join(outside, 'ws-link', 'clips'))).toMatchObject({
    type: 'error',
    code: 'path_forbidden',
  });
  // A link that points nowhere (yet) is not a folder anyone can vouch for.
  await fs.symlink(join(objects, 'phantom3'), join(outside, 'dangling'));
  expect(await render(join(outside, 'dangling'))).toMatchObject({ type: 'error', code: 'path_forbidden' });

  // Nothing was created in the workspace and no phantom object appeared.
  for (const p of [join(objects, 'phantom'), join(objects, 'phantom2'), join(objects, 'phantom3')])
    expect(await exists(p)).toBe(false);
  expect(await objectsOf(client, clip.clipId)).toEqual([]);

  // Still allowed: the workspace's own renders folder (not there yet) and any folder outside.
  for (const ok of [join(srv.workspace, 'renders', 'shot1'), join(outside, 'new', 'mattes')]) {
    const { job } = await client.ack<{ job: { jobId: string } }>({
      type: 'render',
      clipId: clip.clipId,
      format: 'png8',
      outputFolder: ok,
    });
    const jobId = job.jobId;
    await client.ack({ type: 'subscribe', jobId });
    expect(await client.waitForJob(jobId)).toMatchObject({ state: 'done' });
    expect((await fs.readdir(ok)).filter((n) => n.endsWith('.png'))).toHaveLength(4);
  }
});

test('a workspace configured through a link is protected under its real path too', async () => {
  const real = await tempDir('ws-real');
  const link = join(await tempDir('ws-link'), 'workspace');
  await fs.symlink(real, link);
  const { client, clip } = await start(link);
  for (const outputFolder of [join(real, 'clips'), join(real, 'clips', clip.clipId, 'objects', 'x')]) {
    expect(
      await client.request({ type: 'render', clipId: clip.clipId, format: 'png8', outputFolder }),
    ).toMatchObject({ type: 'error', code: 'path_forbidden' });
  }
  expect(await exists(join(real, 'clips', clip.clipId, 'objects', 'x'))).toBe(false);
});

test('a link put in place after the render was accepted is caught when the job runs', async () => {
  // A slow fine-tune holds the single worker while the output folder is swapped for a link.
  const { srv, client, clip } = await start(undefined, 100);
  const gt = await bearMask(0, clip.width, clip.height);
  await client.ack({
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame: 0,
    mask: await pngMaskField(gt, clip.width, clip.height),
  });
  const { job: fineTune } = await client.ack<{ job: { jobId: string } }>({
    type: 'fineTune',
    clipId: clip.clipId,
    preset: 'best',
  });
  const parent = await tempDir('swap');
  const { job } = await client.ack<{ job: { jobId: string; state: string } }>({
    type: 'render',
    clipId: clip.clipId,
    format: 'png8',
    outputFolder: join(parent, 'later', 'mattes'),
  });
  expect(job.state).toBe('queued');
  const objects = join(srv.workspace, 'clips', clip.clipId, 'objects');
  await fs.symlink(objects, join(parent, 'later'));
  await client.ack({ type: 'subscribe', jobId: job.jobId });
  await client.ack({ type: 'subscribe', jobId: fineTune.jobId });
  expect(await client.waitForJob(fineTune.jobId)).toMatchObject({ state: 'done' });
  expect(await client.waitForJob(job.jobId)).toMatchObject({
    state: 'failed',
    error: { code: 'path_forbidden' },
  });
  expect(await exists(join(objects, 'mattes'))).toBe(false);
  expect(await objectsOf(client, clip.clipId)).toEqual(['main']);
});
