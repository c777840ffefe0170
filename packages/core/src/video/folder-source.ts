/** A clip given as a folder of JPEG/PNG frames, in natural filename order (frame2 before frame10). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RgbFrame } from './frame';
import {
  checkIndex,
  FrameSourceError,
  resolveRange,
  type FrameRange,
  type FrameSource,
  type IndexedFrame,
  type OpenFrameSourceOptions,
} from './frame-source';
import { decodeRgbImage, imageSize } from './image-decode';

const FRAME_EXT = /\.(jpe?g|png)$/i;
/** Frames decoded ahead of the consumer: overlaps decoding with the consumer's work, bounded memory. */
const PREFETCH = 2;

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' }).compare;

/** Lists a folder's frame files (JPEG/PNG), naturally sorted; errors when there are none. */
export async function listFrameFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new FrameSourceError(`Cannot list frames folder "${dir}".`, { cause: err });
  }
  const frames = names.filter((n) => FRAME_EXT.test(n) && !n.startsWith('.')).sort(naturalOrder);
  if (frames.length === 0) {
    throw new FrameSourceError(`Folder "${dir}" contains no frames (expected .jpg, .jpeg or .png files).`);
  }
  const seen = new Map<string, string>();
  for (const name of frames) {
    const stem = path.parse(name).name;
    const other = seen.get(stem);
    if (other) {
      throw new FrameSourceError(
        `Folder "${dir}" has two frames named "${stem}" (${other} and ${name}); output masks are named after the frames, so keep one.`,
      );
    }
    seen.set(stem, name);
  }
  return frames;
}

class FolderSource implements FrameSource {
  readonly kind = 'folder' as const;

  constructor(
    readonly path: string,
    private readonly files: string[],
    private readonly offset: number,
    readonly frameCount: number,
    readonly width: number,
    readonly height: number,
    readonly fps: number,
  ) {}

  sourceIndex(i: number): number {
    return this.offset + i;
  }

  frameName(i: number): string {
    checkIndex(i, this.frameCount, `folder "${this.path}"`);
    return path.parse(this.files[this.offset + i]!).name;
  }

  async readFrame(i: number): Promise<RgbFrame> {
    checkIndex(i, this.frameCount, `folder "${this.path}"`);
    const file = path.join(this.path, this.files[this.offset + i]!);
    const frame = await decodeRgbImage(file);
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new FrameSourceError(
        `Frame "${file}" is ${frame.width}x${frame.height} but the clip's first frame is ${this.width}x${this.height}; all frames must have the same size.`,
      );
    }
    return frame;
  }

  async *frames(range?: FrameRange): AsyncIterable<IndexedFrame> {
    const [start, end] = resolveRange(range, this.frameCount, `folder "${this.path}"`);
    const pending: Array<Promise<RgbFrame>> = [];
    let next = start;
    const fill = (): void => {
      while (pending.length < PREFETCH && next < end) {
        const p = this.readFrame(next++);
        // Errors surface when this frame's turn comes; silence the unhandled-rejection warning meanwhile.
        p.catch(() => undefined);
        pending.push(p);
      }
    };
    for (let i = start; i < end; i++) {
      fill();
      const frame = await pending.shift()!;
      fill();
      yield { index: i, frame };
    }
  }

  async close(): Promise<void> {
    // Nothing held open between reads.
  }
}

export async function openFolderSource(
  dir: string,
  options: OpenFrameSourceOptions = {},
): Promise<FrameSource> {
  const files = await listFrameFiles(dir);
  const [start, end] = resolveRange(options, files.length, `folder "${dir}"`);
  const { width, height } = await imageSize(path.join(dir, files[start]!));
  const fps = options.fps ?? 24;
  if (!(fps > 0)) throw new RangeError(`fps must be positive, got ${fps}`);
  return new FolderSource(dir, files, start, end - start, width, height, fps);
}
