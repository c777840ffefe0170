import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { makeFloatMatte, type FloatMatte } from '../../src/matte/matte';
import { MatteWriteError, openMatteWriter, pngFrameName, type MatteWriter } from '../../src/matte/writers';
import { ffmpegPath, ffprobePath } from '../../src/video/ffmpeg-binaries';
import { makeRgbFrame, type RgbFrame } from '../../src/video/frame';

const run = promisify(execFile);
const W = 64;
const H = 48;

/** Frame k: a horizontal gradient matte shifted by k, over a colour pattern. */
function matteFor(k: number): FloatMatte {
  const d = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d[y * W + x] = ((x + 4 * k) % W) / (W - 1);
  return makeFloatMatte(d, W, H);
}
function frameFor(k: number): RgbFrame {
  const d = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    d[i * 3] = (i * 7 + k) & 255;
    d[i * 3 + 1] = (i * 3) & 255;
    d[i * 3 + 2] = 200;
  }
  return makeRgbFrame(d, W, H);
}
/** Closes a writer that wrote one file (one PNG, or a video) and returns that file. */
async function closeOne(w: MatteWriter): Promise<string> {
  const files = await w.close();
  expect(files).toHaveLength(1);
  return files[0]!;
}

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'matte-writers-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function decodeVideo(file: string, pixFmt: string, bytesPerPixel: number): Promise<Buffer[]> {
  const { stdout } = await run(
    await ffmpegPath(),
    ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1'],
    {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    },
  );
  const size = W * H * bytesPerPixel;
  const frames: Buffer[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) frames.push(stdout.subarray(o, o + size));
  return frames;
}

async function probe(file: string): Promise<Record<string, string>> {
  const { stdout } = await run(await ffprobePath(), [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=codec_name,width,height,pix_fmt,r_frame_rate,nb_read_frames:stream_tags=timecode:format_tags=timecode',
    '-of',
    'default=noprint_wrappers=1',
    file,
  ]);
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

describe('PNG sequence writers', () => {
  it('png8 writes numbered 8-bit gray frames that read back to the matte', async () => {
    const w = await openMatteWriter('png8', {
      outDir: dir,
      width: W,
      height: H,
      startNumber: 100,
      baseName: 'shot',
    });
    for (const k of [0, 1, 2]) await w.write(k, matteFor(k));
    const files = await w.close();
    expect(files.map((f) => path.basename(f))).toEqual([
      'shot_00100.png',
      'shot_00101.png',
      'shot_00102.png',
    ]);
    expect((await fs.readdir(dir)).sort()).toEqual(['shot_00100.png', 'shot_00101.png', 'shot_00102.png']);
    const meta = await sharp(files[1]).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([W, H, 1, 'uchar']);
    const { data } = await sharp(files[1]).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const m = matteFor(1);
    for (let i = 0; i < W * H; i++) expect(data[i]).toBe(Math.round(m.data[i]! * 255));
  });

  it('a frame written again replaces its file (the writer says it is rewritable)', async () => {
    const w = await openMatteWriter('png8', { outDir: dir, width: W, height: H });
    expect(w.rewritable).toBe(true);
    await w.write(0, matteFor(0));
    await w.write(1, matteFor(1));
    await w.write(0, matteFor(3));
    const files = await w.close();
    expect(files.map((f) => path.basename(f))).toEqual(['matte_00000.png', 'matte_00001.png']);
    const { data } = await sharp(files[0]).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const m = matteFor(3);
    for (let i = 0; i < W * H; i++) expect(data[i]).toBe(Math.round(m.data[i]! * 255));
  });

  it('png16 keeps 16-bit precision', async () => {
    const w = await openMatteWriter('png16', { outDir: dir, width: W, height: H });
    await w.write(3, matteFor(3));
    const file = await closeOne(w);
    expect(path.basename(file)).toBe(pngFrameName('matte', 3, 5));
    const meta = await sharp(file).metadata();
    expect([meta.channels, meta.depth]).toEqual([1, 'ushort']);
    const { data } = await sharp(file)
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const u16 = new Uint16Array(data.buffer, data.byteOffset, W * H);
    const m = matteFor(3);
    for (let i = 0; i < W * H; i++) expect(u16[i]).toBe(Math.round(m.data[i]! * 65535));
  });

  it('rgba holds the source pixels and alpha equal to the matte', async () => {
    const w = await openMatteWriter('rgba', { outDir: dir, width: W, height: H });
    await w.write(0, matteFor(5), frameFor(5));
    const file = await closeOne(w);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const m = matteFor(5);
    const f = frameFor(5);
    for (let i = 0; i < W * H; i++) {
      expect(data[i * 4 + 3]).toBe(Math.round(m.data[i]! * 255));
      expect(data[i * 4]).toBe(f.data[i * 3]);
      expect(data[i * 4 + 2]).toBe(f.data[i * 3 + 2]);
    }
  });

  it('rgba without the source frame is a clear error', async () => {
    const w = await openMatteWriter('rgba', { outDir: dir, width: W, height: H });
    await expect(w.write(0, matteFor(0))).rejects.toThrow(/source RGB frame/);
  });

  it('an unwritable output folder is a MatteWriteError naming the folder', async () => {
    const file = path.join(dir, 'a-file');
    await fs.writeFile(file, 'x');
    const target = path.join(file, 'out');
    await expect(openMatteWriter('png8', { outDir: target, width: W, height: H })).rejects.toThrow(
      MatteWriteError,
    );
    await expect(openMatteWriter('png8', { outDir: target, width: W, height: H })).rejects.toThrow(target);
  });

  it('a matte of the wrong size is refused', async () => {
    const w = await openMatteWriter('png8', { outDir: dir, width: W, height: H });
    await expect(w.write(0, makeFloatMatte(new Float32Array(4), 2, 2))).rejects.toThrow(/2x2/);
  });
});

describe('video writers (ffmpeg)', () => {
  it('prores (4444) .mov reads back with the frame count, size, rate, timecode and alpha = matte', async () => {
    const w = await openMatteWriter('prores', {
      outDir: dir,
      width: W,
      height: H,
      fps: '25',
      startNumber: 50,
    });
    for (const k of [0, 1, 2, 3, 4]) await w.write(k, matteFor(k), frameFor(k));
    const file = await closeOne(w);
    expect(path.basename(file)).toBe('matte.mov');
    expect(await fs.readdir(dir)).toEqual(['matte.mov']);
    const info = await probe(file);
    expect(info.codec_name).toBe('prores');
    expect(info.pix_fmt).toMatch(/^yuva444p/);
    expect([info.width, info.height, info.nb_read_frames, info.r_frame_rate]).toEqual([
      `${W}`,
      `${H}`,
      '5',
      '25/1',
    ]);
    expect(info['TAG:timecode']).toBe('00:00:02:00');
    const frames = await decodeVideo(file, 'rgba', 4);
    expect(frames).toHaveLength(5);
    for (const k of [0, 4]) {
      const m = matteFor(k);
      let worst = 0;
      for (let i = 0; i < W * H; i++)
        worst = Math.max(worst, Math.abs(frames[k]![i * 4 + 3]! - Math.round(m.data[i]! * 255)));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('h264 matte .mp4 reads back with the frame count and the matte within codec error', async () => {
    const w = await openMatteWriter('h264', { outDir: dir, width: W, height: H, fps: '30000/1001' });
    for (const k of [0, 1, 2]) await w.write(k, matteFor(k));
    const file = await closeOne(w);
    const info = await probe(file);
    expect([info.codec_name, info.nb_read_frames, info.r_frame_rate]).toEqual(['h264', '3', '30000/1001']);
    const frames = await decodeVideo(file, 'gray', 1);
    const m = matteFor(2);
    let err = 0;
    for (let i = 0; i < W * H; i++) err += Math.abs(frames[2]![i]! - m.data[i]! * 255);
    expect(err / (W * H)).toBeLessThan(3);
  });

  it('ffv1 matte .mkv is lossless', async () => {
    const w = await openMatteWriter('ffv1', { outDir: dir, width: W, height: H, fps: 24 });
    for (const k of [0, 1]) await w.write(k, matteFor(k));
    const file = await closeOne(w);
    const frames = await decodeVideo(file, 'gray', 1);
    expect(frames).toHaveLength(2);
    const m = matteFor(1);
    for (let i = 0; i < W * H; i++) expect(frames[1]![i]).toBe(Math.round(m.data[i]! * 255));
  });

  it('refuses out-of-order frames and a missing frame rate', async () => {
    await expect(openMatteWriter('prores', { outDir: dir, width: W, height: H })).rejects.toThrow(
      /frame rate/,
    );
    const w = await openMatteWriter('ffv1', { outDir: dir, width: W, height: H, fps: 25 });
    expect(w.rewritable).toBe(false);
    await w.write(0, matteFor(0));
    await expect(w.write(0, matteFor(0))).rejects.toThrow(/expected frame 1/);
    await expect(w.write(2, matteFor(2))).rejects.toThrow(/expected frame 1/);
    await w.abort();
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
