/**
 * A render finishes the matte as the fine-tuned network's preset chose (its threshold and edge
 * snap, stored with the weights), unless the request's matte controls set their own. Real server
 * on a real port, FAKE-SPEED synthetic backend (its soft mattes have soft edges for a snap to move),
 * the product's matte pipeline and PNG writer.
 */
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { bearMask, smallBearFrames } from './helpers/fixtures';
import { openTunedClip, renderPngMattes } from './helpers/bear-clip';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

let srv: TestServer;
let client: TestClient;
let clipId: string;

beforeAll(async () => {
  // The fine-tune recommends no edge snap, as `best` does; the matte's own default is the dense CRF.
  srv = await startTestServer(createSyntheticBackend({ edgeSnap: 'none' }));
  client = await TestClient.connect(srv.url, srv.server.token);
  const frames = await smallBearFrames(6, 128);
  const clip = await openTunedClip(client, frames.folder, (w, h) => bearMask(0, w, h), 'best');
  clipId = clip.clipId;
});

afterAll(async () => {
  await client?.close();
  await srv?.close();
});

/** Renders the clip's matte with `matte` controls; the matte of every frame, concatenated. */
async function render(name: string, matte?: Record<string, unknown>): Promise<Buffer> {
  const frames = await renderPngMattes(client, clipId, name, matte ? { matte } : {});
  expect(frames).toHaveLength(6);
  return Buffer.concat(frames);
}

const differing = (a: Buffer, b: Buffer) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

test("a render without controls uses the weights' edge snap; a control still overrides it", async () => {
  const byWeights = await render('weights');
  const none = await render('none', { edgeSnap: 'none' });
  const crf = await render('crf', { edgeSnap: 'crf' });
  // The dense CRF really moves these edges, so equality with "none" says which one was used.
  expect(differing(none, crf)).toBeGreaterThan(50);
  expect(differing(byWeights, none)).toBe(0);
});
