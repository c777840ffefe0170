/**
 * Writes the matte of a clip's frames into an output folder. Interim implementation on sharp
 * (png8, png16, rgba) until the matte module's writers (matte/) are wired in.
 */
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import type { MatteControls, RenderFormat } from '../protocol/common';
import type { RgbFrame } from '../video/frame';
import { writeFileAtomic } from './atomic-file';
import { ioError, ProtocolError } from './errors';
import { safeJoin } from './path-rules';

export interface RenderRequest {
  frames: number[];
  width: number;
  height: number;
  format: RenderFormat;
  controls: MatteControls;
  /** Default threshold when controls give none (the backend's recommendation). */
  threshold: number;
  outputFolder: string;
  name: string;
  frameName(frame: number): string;
  readMatte(frame: number): Promise<Uint8Array>;
  readFrame(frame: number): Promise<RgbFrame>;
  signal: AbortSignal;
  onProgress(done: number, total: number): void;
}

export const SUPPORTED_RENDER_FORMATS: readonly RenderFormat[] = ['png8', 'png16', 'rgba'];

/** Applies threshold / soft / invert to an 8-bit soft matte; returns alpha 0..255. */
export function applyControls(matte: Uint8Array, controls: MatteControls, threshold: number): Uint8Array {
  const out = new Uint8Array(matte.length);
  const t = Math.round((controls.threshold ?? threshold) * 255);
  const soft = controls.soft ?? false;
  const invert = controls.invert ?? false;
  for (let i = 0; i < matte.length; i++) {
    let v = soft ? matte[i] : matte[i] >= t && matte[i] > 0 ? 255 : 0;
    if (invert) v = 255 - v;
    out[i] = v;
  }
  return out;
}

export async function renderMatte(req: RenderRequest): Promise<string[]> {
  if (!SUPPORTED_RENDER_FORMATS.includes(req.format)) {
    throw new ProtocolError(
      'bad_message',
      `render format "${req.format}" is not available in this build; use one of ${SUPPORTED_RENDER_FORMATS.join(', ')}`,
      { path: '/format' },
    );
  }
  try {
    await fs.mkdir(req.outputFolder, { recursive: true });
    await fs.access(req.outputFolder, fs.constants.W_OK);
  } catch (err) {
    throw ioError('write mattes into', req.outputFolder, err);
  }
  const outputs: string[] = [];
  const { width, height } = req;
  for (const [k, frame] of req.frames.entries()) {
    if (req.signal.aborted) throw new ProtocolError('cancelled', 'render cancelled');
    const alpha = applyControls(await req.readMatte(frame), req.controls, req.threshold);
    let png: Buffer;
    if (req.format === 'png8') {
      png = await sharp(Buffer.from(alpha.buffer), { raw: { width, height, channels: 1 } })
        .png()
        .toBuffer();
    } else if (req.format === 'png16') {
      png = await sharp(Buffer.from(alpha.buffer), { raw: { width, height, channels: 1 } })
        .toColourspace('grey16')
        .png()
        .toBuffer();
    } else {
      const rgb = await req.readFrame(frame);
      const rgba = Buffer.alloc(width * height * 4);
      for (let i = 0; i < width * height; i++) {
        rgba[4 * i] = rgb.data[3 * i];
        rgba[4 * i + 1] = rgb.data[3 * i + 1];
        rgba[4 * i + 2] = rgb.data[3 * i + 2];
        rgba[4 * i + 3] = alpha[i];
      }
      png = await sharp(rgba, { raw: { width, height, channels: 4 } })
        .png()
        .toBuffer();
    }
    const path = safeJoin(req.outputFolder, `${req.name}_${req.frameName(frame)}.png`);
    try {
      await writeFileAtomic(path, png);
    } catch (err) {
      throw ioError('write', path, err);
    }
    outputs.push(path);
    req.onProgress(k + 1, req.frames.length);
  }
  return outputs;
}
