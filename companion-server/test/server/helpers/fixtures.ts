/** Small real frames for server tests: the repo's DAVIS "bear" sample, downscaled. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';

export const REPO = join(__dirname, '..', '..', '..', '..');
export const BEAR_FRAMES = join(REPO, 'samples', 'davis-bear', 'JPEGImages', '480p', 'bear');
export const BEAR_MASKS = join(REPO, 'samples', 'davis-bear', 'Annotations', '480p', 'bear');

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), `oneshot-${prefix}-`));
}

/** Writes the first `count` bear frames at `width` px wide (PNG) into a new folder. */
export async function smallBearFrames(
  count: number,
  width = 128,
): Promise<{ folder: string; width: number; height: number }> {
  const folder = await tempDir('frames');
  const names = (await fs.readdir(BEAR_FRAMES))
    .filter((n) => n.endsWith('.jpg'))
    .sort()
    .slice(0, count);
  let height = 0;
  for (const n of names) {
    const info = await sharp(join(BEAR_FRAMES, n))
      .resize({ width })
      .png()
      .toFile(join(folder, n.replace('.jpg', '.png')));
    height = info.height;
  }
  return { folder, width, height };
}

/** The ground-truth mask of bear frame `n` at the given size, 0/1. */
export async function bearMask(n: number, width: number, height: number): Promise<Uint8Array> {
  const file = join(BEAR_MASKS, `${String(n).padStart(5, '0')}.png`);
  const { data } = await sharp(file)
    .resize({ width, height, fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const m = new Uint8Array(width * height);
  for (let i = 0; i < m.length; i++) m[i] = data[i]! >= 128 ? 1 : 0;
  return m;
}

/**
 * Brush strokes that trace a mask the way an editor would scribble it: a fg polyline along the
 * middle of each object run on every 3rd row, and a bg stroke along the image border.
 */
export function strokesFromMask(mask: Uint8Array, width: number, height: number) {
  const strokes: Array<{ kind: 'polyline'; label: 'fg' | 'bg'; radius: number; points: number[] }> = [];
  for (let y = 1; y < height; y += 3) {
    let x = 0;
    while (x < width) {
      if (mask[y * width + x] === 1) {
        const start = x;
        while (x < width && mask[y * width + x] === 1) x++;
        if (x - start >= 3)
          strokes.push({
            kind: 'polyline',
            label: 'fg',
            radius: 1.2,
            points: [start + 1.5, y + 0.5, x - 1.5, y + 0.5],
          });
      }
      x++;
    }
  }
  strokes.push({
    kind: 'polyline',
    label: 'bg',
    radius: 2,
    points: [1, 1, width - 1, 1, width - 1, height - 1, 1, height - 1, 1, 1],
  });
  return strokes;
}

/**
 * The first `count` bear frames at `width` px wide, frame `hard` with a grey block over the whole
 * bear (its ground-truth box): a frame made hard on purpose, for confidence tests.
 */
export async function occludedBearFrames(
  count: number,
  hard: number,
  width: number,
): Promise<{ folder: string; width: number; height: number }> {
  const frames = await smallBearFrames(count, width);
  const { height } = frames;
  const mask = await bearMask(hard, width, height);
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % width;
    const y = Math.floor(i / width);
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  const block = await sharp({
    create: { width: x1 - x0 + 1, height: y1 - y0 + 1, channels: 3, background: { r: 128, g: 128, b: 128 } },
  })
    .png()
    .toBuffer();
  const file = join(frames.folder, `${String(hard).padStart(5, '0')}.png`);
  const covered = await sharp(file)
    .composite([{ input: block, left: x0, top: y0 }])
    .png()
    .toBuffer();
  await fs.writeFile(file, covered);
  return frames;
}

/**
 * The first `count` bear frames at `width` px wide, each beside a grey panel one and a half times
 * as wide; from frame `from` on, the panel's right part shows the same bear frame again: a twin
 * of the object that appears far from it (a distractor that any network fine-tuned on frame 0
 * marks too), with a grey gap half a frame wide between the two.
 */
export async function twinBearFrames(
  count: number,
  from: number,
  width: number,
): Promise<{ folder: string; width: number; height: number }> {
  const frames = await smallBearFrames(count, width);
  const { height } = frames;
  const twinLeft = width + Math.round(width / 2);
  for (let n = 0; n < count; n++) {
    const file = join(frames.folder, `${String(n).padStart(5, '0')}.png`);
    const original = await fs.readFile(file);
    const twin = n >= from ? [{ input: original, left: twinLeft, top: 0 }] : [];
    const wide = await sharp({
      create: { width: twinLeft + width, height, channels: 3, background: { r: 128, g: 128, b: 128 } },
    })
      .composite([{ input: original, left: 0, top: 0 }, ...twin])
      .png()
      .toBuffer();
    await fs.writeFile(file, wide);
  }
  return { folder: frames.folder, width: twinLeft + width, height };
}

/** Whether pixel `i` of a twinBearFrames frame `width` px wide is in the twin's part. */
export const inTwin = (i: number, width: number): boolean => i % width >= (width * 3) / 5;

/** Bear frame `n`'s mask in a twinBearFrames frame (`width` its full width): 0 outside the bear's part. */
export async function twinBearMask(n: number, width: number, height: number): Promise<Uint8Array> {
  const bearWidth = (width * 2) / 5;
  const bear = await bearMask(n, bearWidth, height);
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) m.set(bear.subarray(y * bearWidth, (y + 1) * bearWidth), y * width);
  return m;
}
