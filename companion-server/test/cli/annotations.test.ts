import {
  AnnotationError,
  mergeAnnotations,
  validateAnnotation,
  type Annotation,
  openFrameSource,
  sampleClip,
  MaskSizeError,
} from '@oneshot-roto/core';
import { loadAnnotations } from '../../src/cli/commands/segment';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const frame = { width: 8, height: 4 };
function mask(fill: (i: number) => number, w = 8, h = 4): Annotation {
  return { frameIndex: 0, mask: Uint8Array.from({ length: w * h }, (_, i) => fill(i)), width: w, height: h };
}

describe('annotation validation', () => {
  it('accepts a mask with foreground and background', () => {
    expect(() =>
      validateAnnotation(
        mask((i) => (i < 5 ? 1 : 0)),
        frame,
      ),
    ).not.toThrow();
  });
  it('rejects an empty mask, saying to paint the object', () => {
    expect(() =>
      validateAnnotation(
        mask(() => 0),
        frame,
      ),
    ).toThrow(/empty.*paint the object/);
  });
  it('rejects an all-foreground mask', () => {
    expect(() =>
      validateAnnotation(
        mask(() => 1),
        frame,
      ),
    ).toThrow(/covers the whole frame/);
  });
  it("counts don't-care pixels as neither", () => {
    expect(() =>
      validateAnnotation(
        mask((i) => (i === 0 ? 1 : 255)),
        frame,
      ),
    ).toThrow(AnnotationError);
  });
  it('rejects a mask of the wrong size, naming both sizes', () => {
    expect(() =>
      validateAnnotation(
        mask((i) => i % 2, 6, 4),
        frame,
      ),
    ).toThrow(/6x4.*8x4/);
  });
  it('rejects a frame index outside the clip', () => {
    expect(() => validateAnnotation({ ...mask((i) => i % 2), frameIndex: 9 }, frame, 5)).toThrow(
      /frames 0\.\.4/,
    );
  });
  it('merges annotations by frame, a later one replacing the earlier', () => {
    const a = { ...mask((i) => i % 2), frameIndex: 3 };
    const b = { ...mask((i) => (i + 1) % 2), frameIndex: 3 };
    const c = { ...mask((i) => i % 2), frameIndex: 1 };
    const merged = mergeAnnotations([a, c], [b]);
    expect(merged.map((x) => x.frameIndex)).toEqual([1, 3]);
    expect(merged[1]).toBe(b);
  });
});

describe('annotation files for the segment command', () => {
  const sample = sampleClip();
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roto-ann-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('loads the sample first-frame mask as a valid annotation', async () => {
    const source = await openFrameSource(sample.framesDir);
    try {
      const [a] = await loadAnnotations(source, [{ frameIndex: 0, maskPath: sample.firstFrameMask }]);
      expect(a!.width).toBe(source.width);
      expect(a!.mask.reduce((s, v) => s + v, 0)).toBeGreaterThan(1000);
    } finally {
      await source.close();
    }
  });

  it.each([
    [
      'wrong size',
      async (f: string) =>
        sharp({ create: { width: 100, height: 50, channels: 3, background: { r: 255, g: 255, b: 255 } } })
          .png()
          .toFile(f),
      MaskSizeError,
    ],
    [
      'empty',
      async (f: string) =>
        sharp({ create: { width: 854, height: 480, channels: 3, background: { r: 0, g: 0, b: 0 } } })
          .png()
          .toFile(f),
      /empty/,
    ],
    [
      'all foreground',
      async (f: string) =>
        sharp({ create: { width: 854, height: 480, channels: 3, background: { r: 255, g: 255, b: 255 } } })
          .png()
          .toFile(f),
      /whole frame/,
    ],
  ])('a %s mask file is a clear error', async (_name, make, expected) => {
    const file = path.join(dir, `${_name}.png`);
    await make(file);
    const source = await openFrameSource(sample.framesDir);
    try {
      await expect(loadAnnotations(source, [{ frameIndex: 0, maskPath: file }])).rejects.toThrow(expected);
    } finally {
      await source.close();
    }
  });

  it('a missing mask file names the file', async () => {
    const source = await openFrameSource(sample.framesDir);
    try {
      await expect(
        loadAnnotations(source, [{ frameIndex: 0, maskPath: path.join(dir, 'nope.png') }]),
      ).rejects.toThrow(/nope\.png/);
    } finally {
      await source.close();
    }
  });
});
