/**
 * Soft maps kept on disk between a clip's segmentation and its finishing, for a stage that needs
 * every frame's map before it finishes any (piece tracking from an annotation later in the clip).
 * A clip's maps would not fit in memory (a 1080p map is 8 MB as Float32); deflated, a map of
 * mostly 0 and 1 is a few hundred kilobytes. Exact: the Float32 values come back bit for bit.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { makeFloatMatte, type FloatMatte } from './matte';

const deflate = promisify(zlib.deflateRaw);
const inflate = promisify(zlib.inflateRaw);

export class SoftMapSpill {
  private constructor(
    /** The folder holding the maps (removed by `dispose`). */
    readonly dir: string,
    readonly width: number,
    readonly height: number,
  ) {}

  /** A new, empty spill in a fresh folder under `parent` (default: the OS's temp folder). */
  static async create(width: number, height: number, parent = os.tmpdir()): Promise<SoftMapSpill> {
    const dir = await fs.mkdtemp(path.join(parent, 'oneshot-roto-soft-'));
    return new SoftMapSpill(dir, width, height);
  }

  #file(index: number): string {
    return path.join(this.dir, `${index}.f32`);
  }

  async write(index: number, soft: FloatMatte): Promise<void> {
    if (soft.width !== this.width || soft.height !== this.height)
      throw new RangeError(
        `soft map of frame ${index} is ${soft.width}x${soft.height}, the spill holds ${this.width}x${this.height}`,
      );
    const bytes = Buffer.from(soft.data.buffer, soft.data.byteOffset, soft.data.byteLength);
    await fs.writeFile(this.#file(index), await deflate(bytes, { level: 1 }));
  }

  async read(index: number): Promise<FloatMatte> {
    let bytes: Buffer;
    try {
      bytes = await inflate(await fs.readFile(this.#file(index)));
    } catch (err) {
      throw new Error(`the soft map of frame ${index} kept in ${this.dir} could not be read back`, {
        cause: err,
      });
    }
    const data = new Float32Array(this.width * this.height);
    if (bytes.byteLength !== data.byteLength)
      throw new Error(`the soft map of frame ${index} kept in ${this.dir} is truncated`);
    new Uint8Array(data.buffer).set(bytes);
    return makeFloatMatte(data, this.width, this.height);
  }

  /** Removes the folder and every map in it. */
  async dispose(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
