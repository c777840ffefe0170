/**
 * `kill -9` of a real `oneshot-roto serve` process (the CLI, from source; the REAL one-shot
 * backend's parent network at 128 px) in the middle of a render job, twice: while it segments
 * the frames it lacks (with annotations being written at that moment) and while it writes the
 * matte files. After each kill every PNG in the workspace and the output folder is complete; after
 * the restarts no temp file or partial output is left anywhere, every acknowledged annotation is
 * listed with the mask it was stored with, and the render finishes with every frame.
 */
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { bearMask, smallBearFrames, tempDir } from '../companion-server/test/server/helpers/fixtures';
import { pngMaskField } from '../companion-server/test/server/helpers/mask-png';
import { startServeCli, type ServeProcess } from '../companion-server/test/server/helpers/serve-cli';
import { TestClient } from '../companion-server/test/server/helpers/ws-client';

// Idle, the whole file takes about a minute; the waits below leave 5x that on a busy machine.
jest.setTimeout(900_000);

const TOKEN = 'kill-test-token-0123456789abcdef';
const CLIENT_ID = 'kill-test-client';
const FRAMES = 24;
let env: NodeJS.ProcessEnv;
let workspace: string;
let out: string;
const servers: ServeProcess[] = [];
const clients: TestClient[] = [];

interface Annotation {
  annotationId: string;
  frame: number;
  foregroundPixels: number;
}

beforeAll(async () => {
  workspace = await tempDir('kill-ws');
  out = join(await tempDir('kill-out'), 'mattes');
  env = { ONESHOT_ROTO_TOKEN: TOKEN, ONESHOT_ROTO_CONFIG_DIR: await tempDir('kill-cfg') };
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const s of servers) await s.kill9();
});

async function start(): Promise<{ server: ServeProcess; client: TestClient }> {
  const server = await startServeCli(['--port', '0', '--workspace', workspace, '--resolution', '128'], env);
  servers.push(server);
  const client = await TestClient.connect(server.url, TOKEN);
  clients.push(client);
  await client.ack({ type: 'hello', protocol: 1, clientId: CLIENT_ID });
  return { server, client };
}

async function allFiles(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.map((n) => join(dir, n));
}

/** Every finished PNG and JSON file under the folders decodes whole (atomic writes: no torn file). */
async function expectNoTornFiles(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    for (const file of await allFiles(dir)) {
      const name = file.split('/').pop()!;
      if (name.startsWith('.tmp-')) continue; // a write the kill cut: cleaned on the next start
      if (name.endsWith('.png')) {
        const { info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
        expect(info.width).toBeGreaterThan(0);
      } else if (name.endsWith('.json')) {
        expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
      }
    }
  }
}

function progressOf(client: TestClient, jobId: string, phase: string): number {
  return Math.max(
    0,
    ...client.events.flatMap((e) =>
      e.type === 'progress' && e.jobId === jobId && e.phase === phase ? [e.framesDone ?? 0] : [],
    ),
  );
}

async function foreground(file: string): Promise<number> {
  const { data } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (const v of data) if (v >= 128) n++;
  return n;
}

test('kill -9 during a render (segmenting, then writing mattes): nothing torn, nothing left over, no acknowledged annotation lost', async () => {
  const frames = await smallBearFrames(FRAMES, 96);
  let { server, client } = await start();
  const { clip } = await client.ack<{ clip: { clipId: string; width: number; height: number } }>({
    type: 'openClip',
    source: { kind: 'frames', folder: frames.folder },
  });
  const objectDir = join(workspace, 'clips', clip.clipId, 'objects', 'main');
  const annotate = async (frame: number, id: string) =>
    client.request({
      type: 'addAnnotation',
      id,
      clipId: clip.clipId,
      frame,
      mask: await pngMaskField(await bearMask(frame, clip.width, clip.height), clip.width, clip.height),
    });
  const acked: Annotation[] = [];
  for (const frame of [0, 8, 16]) {
    const a = await annotate(frame, `ann-${frame}`);
    expect(a.type).toBe('ack');
    acked.push((a as unknown as { result: { annotation: Annotation } }).result.annotation);
  }
  const before = new Map<number, Buffer>();
  for (const a of acked)
    before.set(
      a.frame,
      await fs.readFile(join(objectDir, 'annotations', `${String(a.frame).padStart(5, '0')}.png`)),
    );

  const render = {
    type: 'render',
    id: 'render-1',
    clipId: clip.clipId,
    format: 'png8',
    outputFolder: out,
    name: 'shot',
  };
  const { job } = await client.ack<{ job: { jobId: string } }>(render);
  await client.ack({ type: 'subscribe', jobId: job.jobId, masks: 'none' });

  // Kill 1: while the job segments, with annotations of other frames in flight.
  await client.waitFor(() => progressOf(client, job.jobId, 'segment') >= 2, 300_000, 'segmentation');
  const inFlight = [1, 2, 3, 4, 5, 6, 7, 9].map((frame) =>
    annotate(frame, `late-${frame}`).then((a) => {
      if (a.type === 'ack')
        acked.push((a as unknown as { result: { annotation: Annotation } }).result.annotation);
    }),
  );
  await client.waitFor(() => acked.length > 3, 60_000, 'a late annotation acknowledged');
  await server.kill9();
  void Promise.allSettled(inFlight);
  await expectNoTornFiles([workspace, out]);
  const ackedBeforeKill = acked.slice();

  // Kill 2: while the restarted job writes the matte files.
  ({ server, client } = await start());
  await client.ack({ type: 'subscribe', jobId: job.jobId, masks: 'none' });
  const finished = () =>
    client.events.some(
      (e) => e.type === 'job' && e.job.jobId === job.jobId && ['done', 'failed'].includes(e.job.state),
    );
  await client.waitFor(
    () => progressOf(client, job.jobId, 'render') >= 1 || finished(),
    300_000,
    'the render phase',
  );
  await server.kill9();
  await expectNoTornFiles([workspace, out]);
  // The kill may land between two frames; what it leaves when it cuts a write (a PNG temp file not
  // yet renamed, an unfinished video) is put there too, beside a file of the user's own.
  const cut = !finished();
  if (cut) {
    await fs.writeFile(join(out, '.tmp-shot_00005.png.0a1b2c3d'), 'half a png');
    await fs.writeFile(join(out, 'shot.partial.mov'), 'half a video');
  }
  await fs.writeFile(join(out, 'notes.txt'), "the user's own file");

  // The last server: afterAll stops it with the others.
  ({ client } = await start());
  // The same client's retry after two restarts is the same job, not a second render.
  const retried = await client.ack<{ job: { jobId: string; state: string } }>(render);
  expect(retried.job.jobId).toBe(job.jobId);
  await client.ack({ type: 'subscribe', jobId: job.jobId, masks: 'none' });
  const { jobs } = await client.ack<{ jobs: Array<{ jobId: string; state: string }> }>({ type: 'listJobs' });
  if (jobs.find((j) => j.jobId === job.jobId)?.state !== 'done') {
    expect(await client.waitForJob(job.jobId, 300_000)).toMatchObject({ state: 'done' });
  }

  // Nothing left over anywhere: no temp file, no partial weights or video, no stray folder.
  const everything = [...(await allFiles(workspace)), ...(await allFiles(out))];
  expect(everything.filter((f) => /\.tmp-|\.partial/.test(f))).toEqual([]);
  await expectNoTornFiles([workspace, out]);
  // Every frame rendered once, whole.
  const expected = Array.from({ length: FRAMES }, (_, i) => `shot_${String(i).padStart(5, '0')}.png`);
  expect((await fs.readdir(out)).sort()).toEqual(['notes.txt', ...expected]);
  if (!cut)
    process.stderr.write('the second kill came after the render finished: no cut write to clean up\n');
  for (const name of expected) {
    const meta = await sharp(join(out, name)).metadata();
    expect(meta).toMatchObject({ width: clip.width, height: clip.height });
  }
  expect((await fs.readdir(join(objectDir, 'masks'))).sort()).toEqual(
    Array.from({ length: FRAMES }, (_, i) => `${String(i).padStart(5, '0')}.png`),
  );

  // Every annotation acknowledged before the kill is listed, with the mask it was stored with.
  const { clip: info } = await client.ack<{
    clip: { objects: Array<{ objectId: string; annotations: Annotation[] }> };
  }>({ type: 'getClip', clipId: clip.clipId });
  const listed = info.objects.find((o) => o.objectId === 'main')!.annotations;
  for (const a of ackedBeforeKill) expect(listed).toContainEqual(expect.objectContaining(a));
  for (const a of listed) {
    const file = join(objectDir, 'annotations', `${String(a.frame).padStart(5, '0')}.png`);
    expect(await foreground(file)).toBe(a.foregroundPixels);
  }
  for (const [frame, png] of before) {
    const file = join(objectDir, 'annotations', `${String(frame).padStart(5, '0')}.png`);
    expect(Buffer.compare(await fs.readFile(file), png)).toBe(0);
  }
});
