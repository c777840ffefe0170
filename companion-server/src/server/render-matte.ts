/**
 * Writes the matte of a clip's frames into an output folder with the matte module: its
 * pipeline (edge snap, temporal smoothing, threshold, finishing controls) and its writers
 * (PNG sequences written atomically, ProRes/H.264/FFV1 through ffmpeg).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  TEMP_MARKER,
  makeFloatMatte,
  resolveMatteOptions,
  MatteOptionsError,
  type EdgeSnapMethod,
  createMatteProcessor,
  planSoftMapTrack,
  type FloatMatte,
  type PieceTrack,
  type ProcessedFrame,
  openMatteWriter,
  type MatteWriter,
  type RgbFrame,
} from '@oneshot-roto/core';
import type { MatteControls, RenderFormat } from '@oneshot-roto/protocol';
import { ioError, ProtocolError } from './errors';
import { isInside } from './path-rules';

export interface RenderRequest {
  /** Clip-relative frames 0..n-1, in order. */
  frames: number[];
  width: number;
  height: number;
  fps: number;
  format: RenderFormat;
  controls: MatteControls;
  /** Threshold when the controls give none (the backend's recommendation). */
  threshold: number;
  /** Edge snap when the controls give none (the backend's recommendation; absent: the default). */
  edgeSnap?: EdgeSnapMethod;
  outputFolder: string;
  name: string;
  /** Source frame number of clip frame 0 (output numbering, video timecode). */
  startNumber: number;
  /** 8-bit soft matte of a frame. */
  readMatte(frame: number): Promise<Uint8Array>;
  readFrame(frame: number): Promise<RgbFrame>;
  /** The editor's painted mask of an annotated frame (0/1, other values open), kept as painted. */
  painted?: ReadonlyMap<number, Uint8Array>;
  /**
   * The editor's masks of the annotated frames (as `painted`), whether or not they are kept as
   * painted: the piece track starts from them. Absent: `painted`.
   */
  annotations?: ReadonlyMap<number, Uint8Array>;
  signal: AbortSignal;
  onProgress(done: number, total: number): void;
}

/**
 * Removes what a render named `name` that was killed mid-way left in its output folder: temp
 * files of PNG frames not yet renamed into place (`.tmp-<name>_<n>.png.<hex>`) and an unfinished
 * video (`<name>.partial.<ext>`). Finished frames and other files are left alone.
 */
export async function removeRenderLeftovers(outputFolder: string, name: string): Promise<string[]> {
  const names = await fs.readdir(outputFolder).catch(() => [] as string[]);
  const pngTemp = `${TEMP_MARKER}${name}_`;
  const partial = `${name}.partial.`;
  const stale = names.filter(
    (n) =>
      (n.startsWith(pngTemp) && /^\d+\.png\.[0-9a-f]+$/.test(n.slice(pngTemp.length))) ||
      (n.startsWith(partial) && /^[a-z0-9]+$/.test(n.slice(partial.length))),
  );
  await Promise.all(stale.map((n) => fs.rm(join(outputFolder, n), { force: true })));
  return stale;
}

/** An 8-bit stored soft matte (0–255) as the matte pipeline's 0..1 map. */
export function softMatteFromBytes(bytes: Uint8Array, width: number, height: number): FloatMatte {
  const data = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = bytes[i]! / 255;
  return makeFloatMatte(data, width, height);
}

export async function renderMatte(req: RenderRequest): Promise<string[]> {
  let options;
  try {
    options = resolveMatteOptions({
      threshold: req.threshold,
      edgeSnap: req.edgeSnap,
      ...req.controls,
      format: req.format,
    });
  } catch (err) {
    if (err instanceof MatteOptionsError)
      throw new ProtocolError('bad_message', err.message, { cause: err, path: '/matte' });
    throw err;
  }
  try {
    await fs.mkdir(req.outputFolder, { recursive: true });
    await fs.access(req.outputFolder, fs.constants.W_OK);
  } catch (err) {
    throw ioError('write mattes into', req.outputFolder, err);
  }
  const { format, ...processing } = options;
  const processor = createMatteProcessor(processing);
  let writer: MatteWriter;
  try {
    writer = await openMatteWriter(format, {
      outDir: req.outputFolder,
      baseName: req.name,
      startNumber: req.startNumber,
      fps: req.fps,
      width: req.width,
      height: req.height,
    });
  } catch (err) {
    throw ioError('open the matte writer in', req.outputFolder, err);
  }
  let done = 0;
  const write = async (list: ProcessedFrame[]): Promise<void> => {
    for (const p of list) {
      try {
        await writer.write(p.frameIndex, p.matte, p.frame);
      } catch (err) {
        throw ioError(`write frame ${p.frameIndex} of the matte into`, req.outputFolder, err);
      }
      done += 1;
      req.onProgress(done, req.frames.length);
    }
  };
  const readSoft = async (frame: number): Promise<FloatMatte> => {
    if (req.signal.aborted) throw new ProtocolError('cancelled', 'render cancelled');
    return softMatteFromBytes(await req.readMatte(frame), req.width, req.height);
  };
  try {
    // The track reads the range's stored maps once before the render reads them again (two at a
    // time in memory); the annotated frames in the range are where it starts.
    const track: PieceTrack | undefined = options.pieceTrack
      ? await planSoftMapTrack({
          frames: req.frames,
          annotations: req.annotations ?? req.painted ?? new Map(),
          width: req.width,
          height: req.height,
          threshold: options.threshold,
          readSoft,
        })
      : undefined;
    for (const frame of req.frames) {
      const soft = await readSoft(frame);
      const rgb = await req.readFrame(frame);
      await write(
        processor.push(frame, track ? track.apply(frame, soft) : soft, rgb, req.painted?.get(frame)),
      );
    }
    await write(processor.flush());
    const outputs = await writer.close();
    // The writers name files themselves; make sure none escaped the chosen folder.
    for (const o of outputs) {
      if (!isInside(req.outputFolder, o))
        throw new ProtocolError(
          'path_forbidden',
          `the matte writer produced ${o} outside ${req.outputFolder}`,
        );
    }
    return outputs;
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}
