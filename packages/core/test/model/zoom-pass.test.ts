import path from 'node:path';
import sharp from 'sharp';
import { SegmentationModel } from '../../src/model';
import { blendZoomed, cropFrame, zoomBox } from '../../src/model/zoom-pass';
import { makeRgbFrame } from '../../src/video/frame';
import { loadBearFrame, makeTempDir, silenceLogs } from './fixtures';

silenceLogs();
const tmp = makeTempDir('zoom');
const cacheDir = path.join(tmp.dir, 'cache');
afterAll(() => tmp.cleanup());

const W = 854;
const H = 480;
function square(x0: number, y0: number, w: number, h: number): Float32Array {
  const m = new Float32Array(W * H);
  for (let y = y0; y < y0 + h; y++) m.fill(0.9, y * W + x0, y * W + x0 + w);
  return m;
}

describe('zoom pass', () => {
  it('boxes a small object at the frame aspect, at most 3x zoom, inside the frame; none for a large or absent one', () => {
    // 40x30 object: grown by 40 % each side to 72x54, widened to the frame's aspect, then to a third of the frame.
    const box = zoomBox(square(400, 200, 40, 30), W, H)!;
    expect(box).toEqual({ x: 278, y: 135, width: 285, height: 160 });
    // A larger object: margin and aspect decide (200x100 → 360x180 → 360x202).
    const mid = zoomBox(square(300, 150, 200, 100), W, H)!;
    expect(mid.width).toBe(360);
    expect(mid.height).toBe(Math.round(360 / (W / H)));
    // At the frame's edge the box moves inside.
    const edge = zoomBox(square(830, 460, 24, 20), W, H)!;
    expect(edge.x + edge.width).toBe(W);
    expect(edge.y + edge.height).toBe(H);
    expect(zoomBox(square(100, 50, 500, 300), W, H)).toBeNull();
    expect(zoomBox(new Float32Array(W * H), W, H)).toBeNull();
  });

  it('averages the crop map into the box and leaves the rest', () => {
    const map = new Float32Array(W * H).fill(0.2);
    const box = { x: 10, y: 20, width: 30, height: 15 };
    blendZoomed(map, W, new Float32Array(30 * 15).fill(0.8), box);
    expect(map[20 * W + 10]).toBeCloseTo(0.5, 6);
    expect(map[34 * W + 39]).toBeCloseTo(0.5, 6);
    expect(map[20 * W + 9]).toBeCloseTo(0.2, 6);
    expect(map[35 * W + 39]).toBeCloseTo(0.2, 6);
  });

  it('the parent with the zoom pass = its map averaged with its map of the crop, inside the box', async () => {
    // The bear at a third of the frame size over grey: a small object.
    const { frame: bear } = await loadBearFrame(3);
    const small = await sharp(Buffer.from(bear.data), {
      raw: { width: bear.width, height: bear.height, channels: 3 },
    })
      .resize(284, 160)
      .raw()
      .toBuffer();
    const canvas = await sharp({
      create: { width: W, height: H, channels: 3, background: { r: 128, g: 128, b: 128 } },
    })
      .composite([{ input: small, raw: { width: 284, height: 160, channels: 3 }, left: 500, top: 260 }])
      .removeAlpha()
      .raw()
      .toBuffer();
    const frame = makeRgbFrame(new Uint8Array(canvas), W, H);
    const plain = await SegmentationModel.load({ resolution: 320, cacheDir, threads: 2 });
    const zoom = await SegmentationModel.load({ resolution: 320, cacheDir, threads: 2, zoomPass: true });
    const full = await plain.predict(frame);
    const box = zoomBox(full, W, H);
    expect(box).not.toBeNull();
    const expected = full.slice();
    blendZoomed(expected, W, await plain.predict(cropFrame(frame, box!)), box!);
    const got = await zoom.predict(frame);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-6);
    // The second look changed the map (inside the box only).
    let changed = 0;
    for (let i = 0; i < got.length; i++) if (Math.abs(got[i]! - full[i]!) > 0.01) changed++;
    expect(changed).toBeGreaterThan(100);
    expect(got[0]).toBe(full[0]);
    await plain.dispose();
    await zoom.dispose();
  });
});
