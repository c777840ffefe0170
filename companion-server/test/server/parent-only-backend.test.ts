/** The parent-only development backend: real ISNet parent network at a low resolution, no learning. */
import { createParentOnlyBackend } from '../../src/server/parent-only-backend';
import { decodeRgbImage } from '@oneshot-roto/core';
import { bearMask, smallBearFrames, tempDir } from './helpers/fixtures';
import { join } from 'node:path';
import { promises as fs } from 'node:fs';

jest.setTimeout(120_000);

test('segments real frames with the parent network; fine-tuning is a no-op that still reports progress', async () => {
  const { folder, width, height } = await smallBearFrames(2, 427); // the parent needs detail: on 160-px frames it misses the bear;
  const names = (await fs.readdir(folder)).sort();
  const clip = {
    clipId: 'c',
    width,
    height,
    frameCount: 2,
    readFrame: (i: number) => decodeRgbImage(join(folder, names[i]!)),
  };
  const backend = createParentOnlyBackend(); // its default 320²: at 128² the parent alone misses the bear;
  try {
    const progress: number[] = [];
    const weightsOut = join(await tempDir('po'), 'w.partial');
    const ft = await backend.fineTune({
      clip,
      annotations: [],
      preset: 'fast',
      resumeFrom: null,
      weightsOut,
      signal: new AbortController().signal,
      onProgress: (p) => progress.push(p.iteration),
    });
    expect(progress).toEqual([1]);
    expect(ft).toEqual({ weightsPath: weightsOut, threshold: 0.5 });

    const got: Array<{ index: number; p: Uint8Array }> = [];
    await backend.segment({
      clip,
      weightsPath: ft.weightsPath,
      frameOrder: [1, 0],
      signal: new AbortController().signal,
      onFrame: async (index, p, w, h) => {
        expect([w, h]).toEqual([width, height]);
        got.push({ index, p });
      },
    });
    expect(got.map((g) => g.index)).toEqual([1, 0]);
    expect(backend.executionProvider()).toBe('cpu');
    // The bear is the salient object: the parent alone finds it.
    for (const g of got) {
      const gt = await bearMask(g.index, width, height);
      let inter = 0;
      let union = 0;
      for (let i = 0; i < gt.length; i++) {
        const p = g.p[i]! >= 128 ? 1 : 0;
        inter += p & gt[i]!;
        union += p | gt[i]!;
      }
      expect(inter / union).toBeGreaterThan(0.5);
    }
  } finally {
    await backend.close?.();
  }
});
