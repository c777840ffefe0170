/**
 * A render tracks the object's pieces from the annotated frame when its controls ask for it:
 * a twin of the object that appears far from it (the same bear, a gap away, from frame 2 on) is
 * cleared from the matte, and the rest of the matte is as the frames give it alone; the panel's
 * overlay leaves out what the render clears. Real server
 * on a real port, FAKE-SPEED synthetic backend (it labels pixels by the annotation's colours, so
 * it marks the twin as it marks the bear), the product's piece track, matte pipeline and writer.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { inTwin, twinBearFrames, twinBearMask } from './helpers/fixtures';
import { openTunedClip, renderPngMattes } from './helpers/bear-clip';
import { startTestServer, authHeaders, type TestServer } from './helpers/start-server';
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

/** GET `path` from the server as raw pixels: RGB (frames, overlays) or one channel (masks). */
async function pixels(path: string, channels: 1 | 3): Promise<Buffer> {
  const res = await fetch(`${srv.url}${path}`, { headers: authHeaders() });
  expect(res.status).toBe(200);
  const image = sharp(Buffer.from(await res.arrayBuffer()));
  return (channels === 1 ? image.extractChannel(0) : image.removeAlpha()).raw().toBuffer();
}

/**
 * Pixels the overlay tints as object (mask >= 128 of 255 scales green by 0.75 or less; 0.74 leaves
 * room for rounding), in the twin's part or not. The soft rim of a cleared piece, below the
 * matte's threshold, is not cleared (nor is it in the matte).
 */
function tintedInPart(overlay: Buffer, frame: Buffer, twin: boolean): number {
  let n = 0;
  for (let i = 0; i * 3 < frame.length; i++) {
    const g = frame[3 * i + 1]!;
    if (g > 60 && overlay[3 * i + 1]! <= 0.74 * g && inTwin(i, size.width) === twin) n++;
  }
  return n;
}

test("the panel's overlay leaves out the pieces the track clears; the stored masks keep them", async () => {
  for (let n = 0; n < FRAMES; n++) {
    const frame = await pixels(`/clips/${clipId}/frames/${n}.png`, 3);
    const overlay = await pixels(`/clips/${clipId}/overlay/${n}.png`, 3);
    const mask = await pixels(`/clips/${clipId}/objects/main/masks/${n}.png`, 1);
    expect(tintedInPart(overlay, frame, false)).toBeGreaterThan(100);
    if (n >= 2) {
      expect(inPart(mask, true)).toBeGreaterThan(100);
      expect(tintedInPart(overlay, frame, true)).toBe(0);
      // As a render with the track off: the whole mask.
      const whole = await pixels(`/clips/${clipId}/overlay/${n}.png?track=false`, 3);
      expect(tintedInPart(whole, frame, true)).toBeGreaterThan(100);
    }
  }
  const bad = await fetch(`${srv.url}/clips/${clipId}/overlay/2.png?track=maybe`, { headers: authHeaders() });
  expect(bad.status).toBe(400);
  expect(await bad.text()).toMatch(/track/);
});

test('a damaged track file: after a restart the overlay is drawn without it, and the log names the file', async () => {
  const file = join(srv.workspace, 'clips', clipId, 'objects', 'main', 'track.json');
  expect(JSON.parse(await fs.readFile(file, 'utf8'))).toHaveProperty('cuts');
  await client.close();
  await srv.close();
  await fs.writeFile(file, '{"width": 3');
  srv = await startTestServer(createSyntheticBackend({ edgeSnap: 'none' }), { workspace: srv.workspace });
  client = await TestClient.connect(srv.url, srv.server.token);
  const frame = await pixels(`/clips/${clipId}/frames/3.png`, 3);
  const overlay = await pixels(`/clips/${clipId}/overlay/3.png`, 3);
  expect(tintedInPart(overlay, frame, true)).toBeGreaterThan(100);
  const warning = srv.logs.find((l) => l.msg === 'overlay drawn without the piece track');
  expect(JSON.stringify(warning?.err)).toContain('track.json is unreadable');
});
