import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { FrameSource } from '../../src/video/frame-source';
import { openFrameSource } from '../../src/video/open-frame-source';
import { sampleClip } from '../../src/video/sample-clip';
import { decodeIndex, H, H264_MP4, indexFrame, LOSSLESS_MKV, makeIndexVideo, W } from './helpers/index-video';

const N = 30;
let dir: string;
let mkv: string;
let mp4: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oneshot-video-'));
  mkv = path.join(dir, 'index.mkv');
  mp4 = path.join(dir, 'index.mp4');
  await makeIndexVideo(mkv, N, LOSSLESS_MKV);
  await makeIndexVideo(mp4, N, H264_MP4);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function collect(src: FrameSource, range?: { start?: number; end?: number }) {
  const out: Array<{ index: number; data: Uint8Array }> = [];
  for await (const { index, frame } of src.frames(range)) {
    expect(frame.channels).toBe(3);
    expect(frame.data.length).toBe(frame.width * frame.height * 3);
    out.push({ index, data: frame.data });
  }
  return out;
}

describe('video file (lossless mkv made with ffmpeg)', () => {
  it('reports size, fps and frame count, and decodes every frame exactly', async () => {
    const src = await openFrameSource(mkv);
    expect(src.kind).toBe('video');
    expect([src.width, src.height, src.frameCount, src.fps]).toEqual([W, H, N, 24]);
    const frames = await collect(src);
    expect(frames.map((f) => f.index)).toEqual([...Array(N).keys()]);
    frames.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(indexFrame(i)))).toBe(true));
    expect(src.frameName(0)).toBe('00000');
    expect(src.frameName(29)).toBe('00029');
    await src.close();
  });

  it('reads any single frame exactly by seeking, same as sequential decoding', async () => {
    const src = await openFrameSource(mkv);
    for (const i of [0, 1, 7, 13, 28, 29]) {
      const f = await src.readFrame(i);
      expect(Buffer.from(f.data).equals(Buffer.from(indexFrame(i)))).toBe(true);
    }
    await expect(src.readFrame(N)).rejects.toThrow(/out of range.*30 frames/);
  });

  it('opens a sub-range [start, end): indices relative, names absolute', async () => {
    const src = await openFrameSource(mkv, { start: 10, end: 20 });
    expect(src.frameCount).toBe(10);
    expect(src.sourceIndex(0)).toBe(10);
    expect(src.frameName(0)).toBe('00010');
    const frames = await collect(src, { start: 2, end: 5 });
    expect(frames.map((f) => f.index)).toEqual([2, 3, 4]);
    frames.forEach((f) =>
      expect(Buffer.from(f.data).equals(Buffer.from(indexFrame(10 + f.index)))).toBe(true),
    );
    expect(decodeIndex((await src.readFrame(9)).data)).toBe(19);
    await expect(openFrameSource(mkv, { start: 5, end: 31 })).rejects.toThrow(
      /Invalid frame range \[5, 31\)/,
    );
  });

  it('stops decoding when the consumer breaks out early', async () => {
    const src = await openFrameSource(mkv);
    let seen = 0;
    for await (const { index } of src.frames()) {
      seen = index;
      if (index === 3) break;
    }
    expect(seen).toBe(3);
    // The source stays usable after an early stop.
    expect(decodeIndex((await src.readFrame(4)).data)).toBe(4);
  });
});

describe('video file (H.264 yuv420p mp4 with B-frames)', () => {
  it('decodes every frame in order (lossy: checked by the encoded index)', async () => {
    const src = await openFrameSource(mp4);
    expect(src.frameCount).toBe(N);
    const frames = await collect(src);
    expect(frames.map((f) => decodeIndex(f.data))).toEqual([...Array(N).keys()]);
    // Colours (and channel order) within codec tolerance on the flat blocks.
    const ref = indexFrame(5);
    let err = 0;
    for (let p = 0; p < 32 * W * 3; p++) err += Math.abs(ref[p]! - frames[5]!.data[p]!);
    expect(err / (32 * W * 3)).toBeLessThan(6);
  });

  it('seeks to the exact frame: readFrame(i) equals the i-th sequentially decoded frame', async () => {
    const src = await openFrameSource(mp4);
    const frames = await collect(src);
    for (const i of [1, 2, 11, 12, 13, 25, 29]) {
      const f = await src.readFrame(i);
      expect(Buffer.from(f.data).equals(Buffer.from(frames[i]!.data))).toBe(true);
    }
  });

  it('decodes the embedded sample mp4 to the sample frames (24 frames, 854x480)', async () => {
    const clip = sampleClip();
    const video = await openFrameSource(clip.videoPath);
    const folder = await openFrameSource(clip.framesDir);
    expect([video.width, video.height, video.frameCount]).toEqual([854, 480, clip.frameCount]);
    expect([folder.width, folder.height, folder.frameCount]).toEqual([854, 480, clip.frameCount]);
    const a = await video.readFrame(12);
    const b = await folder.readFrame(12);
    let err = 0;
    for (let p = 0; p < a.data.length; p++) err += Math.abs(a.data[p]! - b.data[p]!);
    expect(err / a.data.length).toBeLessThan(4);
    // A neighbouring frame differs more: the seek landed on the right one.
    const c = await folder.readFrame(16);
    let other = 0;
    for (let p = 0; p < a.data.length; p++) other += Math.abs(a.data[p]! - c.data[p]!);
    expect(other).toBeGreaterThan(err * 1.5);
  });
});

describe('video file with irregular timestamps (variable frame rate, H.264 in Matroska)', () => {
  it('seeks exactly by the container timestamps, not by an assumed constant rate', async () => {
    const vfr = path.join(dir, 'vfr.mkv');
    // Frame i shown at i/24 s plus 0, 15 or 30 ms: a constant-rate seek would land one frame early.
    // (millisecond time base in the filter and the encoder, so the offsets survive)
    const jitter = "settb=1/1000,setpts='(N/24+0.015*mod(N,3))/TB'";
    await makeIndexVideo(vfr, N, ['-vf', jitter, '-vsync', '0', '-r', '1000', ...H264_MP4]);
    const src = await openFrameSource(vfr);
    expect(src.frameCount).toBe(N);
    // No declared average rate: estimated from count and duration (30 frames over ~1.25 s).
    expect(src.fps).toBeGreaterThan(20);
    expect(src.fps).toBeLessThan(28);
    const frames = await collect(src);
    expect(frames.map((f) => decodeIndex(f.data))).toEqual([...Array(N).keys()]);
    for (const i of [1, 3, 4, 14, 27, 29]) {
      const f = await src.readFrame(i);
      expect(decodeIndex(f.data)).toBe(i);
      expect(Buffer.from(f.data).equals(Buffer.from(frames[i]!.data))).toBe(true);
    }
  });
});

describe('folder of frames', () => {
  let frames: string;
  beforeAll(async () => {
    frames = path.join(dir, 'frames');
    await fs.mkdir(frames);
    // Natural order: f2 before f10; PNG and JPEG mixed.
    for (const [i, name] of [
      [0, 'f1.png'],
      [1, 'f2.png'],
      [2, 'f10.png'],
    ] as const) {
      await sharp(indexFrame(i), { raw: { width: W, height: H, channels: 3 } }).toFile(
        path.join(frames, name),
      );
    }
    await fs.writeFile(path.join(frames, 'notes.txt'), 'not a frame');
  });

  it('lists JPEG/PNG frames in natural order, named after the files', async () => {
    const src = await openFrameSource(frames);
    expect(src.kind).toBe('folder');
    expect([src.width, src.height, src.frameCount, src.fps]).toEqual([W, H, 3, 24]);
    expect([0, 1, 2].map((i) => src.frameName(i))).toEqual(['f1', 'f2', 'f10']);
    const got = await collect(src);
    got.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(indexFrame(i)))).toBe(true));
    expect(Buffer.from((await src.readFrame(2)).data).equals(Buffer.from(indexFrame(2)))).toBe(true);
  });

  it('reads the sample JPEG frames at 854x480 with the folder fps option', async () => {
    const src = await openFrameSource(sampleClip().framesDir, { fps: 30, start: 20 });
    expect([src.frameCount, src.fps, src.frameName(0)]).toEqual([4, 30, '00020']);
  });
});

describe('bad inputs', () => {
  it('missing path', async () => {
    await expect(openFrameSource(path.join(dir, 'nope.mp4'))).rejects.toThrow(/nope\.mp4" does not exist/);
  });

  it('a file that is not a video', async () => {
    const txt = path.join(dir, 'clip.mp4');
    await fs.writeFile(txt, 'this is text, not video');
    await expect(openFrameSource(txt)).rejects.toThrow(/Cannot read ".*clip\.mp4" as a video/);
  });

  it('a folder with no frames', async () => {
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    await expect(openFrameSource(empty)).rejects.toThrow(/contains no frames/);
  });

  it('a truncated JPEG in a folder: the error names the file', async () => {
    const bad = path.join(dir, 'bad');
    await fs.mkdir(bad);
    const jpg = await fs.readFile(path.join(sampleClip().framesDir, '00000.jpg'));
    await fs.writeFile(path.join(bad, '00000.jpg'), jpg);
    await fs.writeFile(path.join(bad, '00001.jpg'), jpg.subarray(0, jpg.length >> 1));
    await fs.writeFile(path.join(bad, '00002.jpg'), jpg);
    const src = await openFrameSource(bad);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const { index } of src.frames()) seen.push(index);
      })(),
    ).rejects.toThrow(/Cannot decode image ".*00001\.jpg"/);
    expect(seen).toEqual([0]);
  });

  it('a frame of another size in a folder', async () => {
    const mixed = path.join(dir, 'mixed');
    await fs.mkdir(mixed);
    await sharp(indexFrame(0), { raw: { width: W, height: H, channels: 3 } }).toFile(
      path.join(mixed, '0.png'),
    );
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#000' } }).toFile(
      path.join(mixed, '1.png'),
    );
    const src = await openFrameSource(mixed);
    await expect(src.readFrame(1)).rejects.toThrow(/1\.png" is 32x32 but the clip's first frame is 64x48/);
  });

  it('a truncated video: the error names the file and the frame where decoding stopped', async () => {
    // moov first (faststart): the header still promises 30 frames, the data ends early.
    const fast = path.join(dir, 'fast.mp4');
    await makeIndexVideo(fast, N, [...H264_MP4, '-movflags', '+faststart']);
    const full = await fs.readFile(fast);
    const cut = path.join(dir, 'cut.mp4');
    await fs.writeFile(cut, full.subarray(0, Math.floor(full.length * 0.6)));
    const src = await openFrameSource(cut);
    expect(src.frameCount).toBe(N);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const { index } of src.frames()) seen.push(index);
      })(),
    ).rejects.toThrow(/Decoding ".*cut\.mp4" failed at frame \d+ \(got \d+ of 30 frames/);
    expect(seen.length).toBeLessThan(N);
  });
});
