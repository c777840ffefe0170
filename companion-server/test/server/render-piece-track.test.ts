/**
 * A render tracks the object's pieces from the annotated frame when its controls ask for it:
 * a twin of the object that appears far from it (the same bear, a gap away, from frame 2 on) is
 * cleared from the matte, and the rest of the matte is as the frames give it alone. Real server
 * on a real port, FAKE-SPEED synthetic backend (it labels pixels by the annotation's colours, so
 * it marks the twin as it marks the bear), the product's piece track, matte pipeline and writer.
 */
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { inTwin, twinBearFrames, twinBearMask } from './helpers/fixtures';
import { openTunedClip, renderPngMattes } from './helpers/bear-clip';
import { startTestServer, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(120_000);

const FRAMES = 5;
let srv: TestServer;
let client: TestClient;
let clipId: string;
let size: { width: number; height: number };

beforeAll(async () => {
  srv = await startTestServer(createSyntheticBackend({ edgeSnap: 'none' }));
  client = await TestClient.connect(srv.url, srv.server.token);
  const frames = await twinBearFrames(FRAMES, 2, 128);
  const clip = await openTunedClip(client, frames.folder, (w, h) => twinBearMask(0, w, h), 'fast');
  clipId = clip.clipId;
  size = { width: clip.width, height: clip.height };
});

afterAll(async () => {
  await client?.close();
  await srv?.close();
});

/** Renders the clip's matte with `matte` controls; each frame's matte, 0/255. */
async function render(
  name: string,
  matte: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Buffer[]> {
  const frames = await renderPngMattes(client, clipId, name, { matte, ...extra });
  expect(frames).toHaveLength(FRAMES);
  return frames;
}

/** Foreground pixels of a matte in the twin's part (`twin`) or in the rest. */
function inPart(matte: Buffer, twin: boolean): number {
  let n = 0;
  for (let i = 0; i < matte.length; i++) if (matte[i]! >= 128 && inTwin(i, size.width) === twin) n++;
  return n;
}

test('pieceTrack clears the twin from the frames it appears in and leaves the rest as it was', async () => {
  const independent = await render('independent', { pieceTrack: false });
  const tracked = await render('tracked', { pieceTrack: true });
  for (let n = 2; n < FRAMES; n++) {
    expect(inPart(independent[n]!, true)).toBeGreaterThan(100);
    expect(inPart(tracked[n]!, true)).toBe(0);
    expect(inPart(tracked[n]!, false)).toBe(inPart(independent[n]!, false));
  }
  for (let n = 0; n < 2; n++) expect(Buffer.compare(tracked[n]!, independent[n]!)).toBe(0);
});

test("the track starts from the editor's mask even when the render does not keep it as painted", async () => {
  const tracked = await render('tracked-network', { pieceTrack: true }, { keepPainted: false });
  for (let n = 2; n < FRAMES; n++) expect(inPart(tracked[n]!, true)).toBe(0);
});

test('a bad pieceTrack control is refused, naming it', async () => {
  await expect(render('bad', { pieceTrack: 'yes' })).rejects.toThrow(/pieceTrack/);
});
