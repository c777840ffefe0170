/**
 * Concurrent writes of workspace state through the public socket interface: every acknowledged
 * annotation is kept, whatever the number of connections and however the requests interleave.
 * Real server on a real port with real ws clients; the FAKE-SPEED synthetic backend (no job runs).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { smallBearFrames } from './helpers/fixtures';
import { discMask, pngMaskField } from './helpers/mask-png';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

let srv: TestServer;
let a: TestClient;
let b: TestClient;
let clip: { clipId: string; width: number; height: number; frameCount: number };

beforeAll(async () => {
  const frames = await smallBearFrames(24, 64);
  srv = await startTestServer(createSyntheticBackend());
  a = await TestClient.connect(srv.url, srv.server.token);
  b = await TestClient.connect(srv.url, srv.server.token);
  ({ clip } = await a.ack<{ clip: typeof clip }>({
    type: 'openClip',
    source: { kind: 'frames', folder: frames.folder },
  }));
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await srv?.close();
});

/** A foreground disc of `radius` px in the middle of the frame (the rest is background), as a PNG. */
async function dab(frame: number, radius: number, objectId?: string) {
  return {
    type: 'addAnnotation',
    clipId: clip.clipId,
    frame,
    ...(objectId ? { objectId } : {}),
    mask: await pngMaskField(discMask(clip.width, clip.height, radius), clip.width, clip.height),
  };
}

/** Builds every message first, then sends them all without waiting for answers (pipelined). */
type Sent = [TestClient, Promise<Record<string, unknown>>, string];

async function pipelined(list: Sent[]) {
  const messages = await Promise.all(list.map(([, m]) => m));
  return Promise.all(list.map(([c, , id], i) => c.request({ ...messages[i], id })));
}

async function foregroundOf(file: string): Promise<number> {
  const { data } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (const v of data) if (v >= 128) n++;
  return n;
}

interface Listed {
  clip: {
    objects: Array<{ objectId: string; annotations: Array<{ frame: number; foregroundPixels: number }> }>;
  };
}

test('twenty addAnnotation requests at once on two connections: all acknowledged, all twenty listed', async () => {
  // Ten pipelined on each connection (sent without waiting for answers), distinct ids and frames.
  const answers = await pipelined([
    ...Array.from({ length: 10 }, (_, i): Sent => [a, dab(2 * i, 6, 'pair'), `wa-${i}`]),
    ...Array.from({ length: 10 }, (_, i): Sent => [b, dab(2 * i + 1, 6, 'pair'), `wb-${i}`]),
  ]);
  expect(answers.filter((x) => x.type === 'ack')).toHaveLength(20);

  const { clip: info } = await a.ack<Listed>({ type: 'getClip', clipId: clip.clipId });
  const object = info.objects.find((o) => o.objectId === 'pair');
  expect(object?.annotations.map((x) => x.frame)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  // And on disk, after the answers: the index names twenty frames, each with its PNG.
  const dir = join(srv.workspace, 'clips', clip.clipId, 'objects', 'pair');
  const index = JSON.parse(await fs.readFile(join(dir, 'annotations.json'), 'utf8')) as unknown[];
  expect(index).toHaveLength(20);
  expect((await fs.readdir(join(dir, 'annotations'))).filter((n) => n.endsWith('.png'))).toHaveLength(20);
});

test('concurrent replacements of one frame leave an index that matches the stored mask', async () => {
  // Twelve different masks for frame 3 of one object, from both connections at once: whichever
  // is last, the index entry and the PNG must be the same request's.
  const answers = await pipelined(
    Array.from({ length: 12 }, (_, i) => [i % 2 ? b : a, dab(3, 2 + i, 'same'), `rep-${i}`]),
  );
  expect(answers.every((x) => x.type === 'ack')).toBe(true);
  const { clip: info } = await a.ack<Listed>({ type: 'getClip', clipId: clip.clipId });
  const listed = info.objects.find((o) => o.objectId === 'same')!.annotations;
  expect(listed).toHaveLength(1);
  const file = join(srv.workspace, 'clips', clip.clipId, 'objects', 'same', 'annotations', '00003.png');
  expect(await foregroundOf(file)).toBe(listed[0]!.foregroundPixels);
});

test('annotations of several objects of one clip, all at once, are all kept', async () => {
  const answers = await pipelined(
    Array.from({ length: 16 }, (_, i) => [i % 2 ? b : a, dab(i, 5, `obj${i % 4}`), `objs-${i}`]),
  );
  expect(answers.every((x) => x.type === 'ack')).toBe(true);
  const { clip: info } = await a.ack<Listed>({ type: 'getClip', clipId: clip.clipId });
  for (let k = 0; k < 4; k++) {
    const object = info.objects.find((o) => o.objectId === `obj${k}`);
    expect(object?.annotations.map((x) => x.frame)).toEqual([k, k + 4, k + 8, k + 12]);
  }
});
