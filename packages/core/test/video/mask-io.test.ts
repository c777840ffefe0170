import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { binaryToMatte, MaskSequenceWriter, readMask, writeMattePng } from '../../src/video/mask-io';
import { sampleClip } from '../../src/video/sample-clip';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oneshot-mask-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** 4x2 gray values: 0, 100, 127, 128 / 200, 255, 1, 0 */
const GRAY = Uint8Array.from([0, 100, 127, 128, 200, 255, 1, 0]);

describe('readMask', () => {
  it('8-bit gray: foreground is > 127 by default, > threshold otherwise', async () => {
    const f = path.join(dir, 'gray.png');
    await sharp(GRAY, { raw: { width: 4, height: 2, channels: 1 } })
      .png()
      .toFile(f);
    const m = await readMask(f);
    expect([m.width, m.height]).toEqual([4, 2]);
    expect(Array.from(m.data)).toEqual([0, 0, 0, 1, 1, 1, 0, 0]);
    expect(Array.from((await readMask(f, { threshold: 0 })).data)).toEqual([0, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('16-bit gray is scaled to 8 bits', async () => {
    const f = path.join(dir, 'gray16.png');
    const values = new Uint16Array([0, 32000, 33000, 65535]);
    await sharp(values, { raw: { width: 4, height: 1, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(f);
    expect((await sharp(f).metadata()).depth).toBe('ushort');
    expect(Array.from((await readMask(f)).data)).toEqual([0, 0, 1, 1]);
  });

  it('RGB: the brightest channel decides (coloured labels count as foreground)', async () => {
    const f = path.join(dir, 'rgb.png');
    const rgb = Uint8Array.from([0, 0, 0, 128, 0, 0, 0, 200, 0, 90, 90, 90]);
    await sharp(rgb, { raw: { width: 4, height: 1, channels: 3 } })
      .png()
      .toFile(f);
    expect(Array.from((await readMask(f)).data)).toEqual([0, 1, 1, 0]);
  });

  it('RGBA with transparency: alpha decides, whatever the paint colour', async () => {
    const f = path.join(dir, 'rgba.png');
    // black opaque paint, white transparent background, half-transparent, nearly opaque
    const rgba = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 100, 10, 10, 10, 200]);
    await sharp(rgba, { raw: { width: 4, height: 1, channels: 4 } })
      .png()
      .toFile(f);
    expect(Array.from((await readMask(f)).data)).toEqual([1, 0, 0, 1]);
  });

  it('fully opaque RGBA falls back to the colour', async () => {
    const f = path.join(dir, 'opaque.png');
    const rgba = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255]);
    await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } })
      .png()
      .toFile(f);
    expect(Array.from((await readMask(f)).data)).toEqual([0, 1]);
  });

  it('reads the DAVIS sample annotation (0/255 gray) with a plausible object area', async () => {
    const m = await readMask(sampleClip().firstFrameMask, { width: 854, height: 480 });
    const area = m.data.reduce((a, v) => a + v, 0);
    expect(area).toBeGreaterThan(0.02 * 854 * 480);
    expect(area).toBeLessThan(0.5 * 854 * 480);
  });

  it('wrong size: the error names both sizes', async () => {
    await expect(readMask(sampleClip().firstFrameMask, { width: 1920, height: 1080 })).rejects.toThrow(
      /00000\.png" is 854x480 but the frame is 1920x1080/,
    );
  });

  it('missing or corrupt file: the error names the file', async () => {
    await expect(readMask(path.join(dir, 'none.png'))).rejects.toThrow(/none\.png" does not exist/);
    const png = await fs.readFile(sampleClip().firstFrameMask);
    const broken = path.join(dir, 'broken.png');
    await fs.writeFile(broken, png.subarray(0, 100));
    await expect(readMask(broken)).rejects.toThrow(/Cannot decode image ".*broken\.png"/);
  });
});

describe('writing mattes', () => {
  it('writes 8-bit grayscale PNGs that read back identically', async () => {
    const f = path.join(dir, 'matte.png');
    await writeMattePng(f, { data: GRAY, width: 4, height: 2 });
    const meta = await sharp(f).metadata();
    expect([meta.format, meta.channels, meta.depth, meta.width, meta.height]).toEqual([
      'png',
      1,
      'uchar',
      4,
      2,
    ]);
    const { data } = await sharp(f).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual(Array.from(GRAY));
  });

  it('MaskSequenceWriter names files after the frames, leaves no temp files, checks sizes', async () => {
    const out = path.join(dir, 'seq', 'nested');
    const writer = await MaskSequenceWriter.create(out, { width: 4, height: 2 });
    const mask = { data: Uint8Array.from([1, 0, 1, 0, 0, 1, 0, 1]), width: 4, height: 2 };
    expect(await writer.write('00000', binaryToMatte(mask))).toBe(path.join(out, '00000.png'));
    await writer.write('00001', { data: GRAY, width: 4, height: 2 });
    expect(writer.written).toBe(2);
    expect((await fs.readdir(out)).sort()).toEqual(['00000.png', '00001.png']);
    expect(Array.from((await readMask(path.join(out, '00000.png'))).data)).toEqual(Array.from(mask.data));
    await expect(writer.write('00002', { data: new Uint8Array(9), width: 3, height: 3 })).rejects.toThrow(
      /3x3, but this sequence is 4x2/,
    );
    expect(() => writer.pathFor('../escape')).toThrow(/Invalid frame name/);
  });

  it('an unwritable destination gives a clear error', async () => {
    const writer = await MaskSequenceWriter.create(path.join(dir, 'gone'), { width: 4, height: 2 });
    await fs.rm(path.join(dir, 'gone'), { recursive: true });
    await expect(writer.write('00000', { data: GRAY, width: 4, height: 2 })).rejects.toThrow(
      /Cannot write ".*00000\.png"/,
    );
  });
});
