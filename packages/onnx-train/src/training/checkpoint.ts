/**
 * Checkpoint files: named float32 tensors (parameters and optimizer state) plus the step count and
 * free-form metadata, stored bit-exactly.
 *
 * Layout: 8-byte magic "ORCKPT01", uint32 LE header length, UTF-8 JSON header, zero padding to a
 * multiple of 4, then each tensor's raw little-endian float32 data at its header offset.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-file';
import { TrainingGraphError } from './errors';

const MAGIC = 'ORCKPT01';

export interface CheckpointTensor {
  dims: number[];
  data: Float32Array;
}

export interface Checkpoint {
  step: number;
  /** JSON-serialisable description (optimizer settings, model identity...). */
  meta: Record<string, unknown>;
  tensors: Map<string, CheckpointTensor>;
}

interface Header {
  version: 1;
  step: number;
  meta: Record<string, unknown>;
  tensors: { name: string; dims: number[]; offset: number; length: number }[];
}

export function encodeCheckpoint(ckpt: Checkpoint): Buffer {
  const entries: Header['tensors'] = [];
  let offset = 0;
  for (const [name, t] of ckpt.tensors) {
    entries.push({ name, dims: t.dims, offset, length: t.data.length });
    offset += t.data.length * 4;
  }
  const header: Header = { version: 1, step: ckpt.step, meta: ckpt.meta, tensors: entries };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerEnd = 12 + json.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const buf = Buffer.alloc(dataStart + offset);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(json.length, 8);
  json.copy(buf, 12);
  let i = 0;
  for (const t of ckpt.tensors.values()) {
    const e = entries[i++]!;
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(buf, dataStart + e.offset);
  }
  return buf;
}

export function decodeCheckpoint(buf: Buffer, source = 'checkpoint'): Checkpoint {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC)
    throw new TrainingGraphError(`${source} is not a training checkpoint (bad magic)`);
  const len = buf.readUInt32LE(8);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + len)) as Header;
  } catch (cause) {
    throw new TrainingGraphError(`${source}: corrupt checkpoint header`, { cause });
  }
  if (header.version !== 1)
    throw new TrainingGraphError(`${source}: checkpoint version ${String(header.version)} is not supported`);
  const dataStart = Math.ceil((12 + len) / 4) * 4;
  const tensors = new Map<string, CheckpointTensor>();
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    const end = start + e.length * 4;
    if (end > buf.length)
      throw new TrainingGraphError(`${source}: checkpoint is truncated (tensor "${e.name}")`);
    const data = new Float32Array(e.length);
    new Uint8Array(data.buffer).set(buf.subarray(start, end));
    tensors.set(e.name, { dims: e.dims, data });
  }
  return { step: header.step, meta: header.meta, tensors };
}

export async function writeCheckpoint(path: string, ckpt: Checkpoint): Promise<void> {
  try {
    await writeFileAtomic(path, encodeCheckpoint(ckpt));
  } catch (cause) {
    throw new TrainingGraphError(`cannot write checkpoint ${path}: ${(cause as Error).message}`, { cause });
  }
}

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(path);
  } catch (cause) {
    throw new TrainingGraphError(`cannot read checkpoint ${path}: ${(cause as Error).message}`, { cause });
  }
  return decodeCheckpoint(buf, path);
}
