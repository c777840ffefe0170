/**
 * Data access for the snapping benchmark: DAVIS frames and ground truth, soft maps from a folder
 * (`<softDir>/<seq>/<frame>.png`, 8- or 16-bit grayscale), and the synthetic stand-in soft map
 * used until real network output exists.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { makeRgbFrame, type RgbFrame, makeFloatMatte, type FloatMatte } from '@oneshot-roto/core';

export async function listSequences(davisRoot: string): Promise<string[]> {
  const dir = path.join(davisRoot, 'JPEGImages', '480p');
  return (await fs.readdir(dir)).filter((d) => !d.startsWith('.')).sort();
}

export async function listFrames(davisRoot: string, seq: string): Promise<string[]> {
  const dir = path.join(davisRoot, 'JPEGImages', '480p', seq);
  return (await fs.readdir(dir))
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => f.slice(0, -4))
    .sort();
}

export async function readFrame(davisRoot: string, seq: string, frame: string): Promise<RgbFrame> {
  const file = path.join(davisRoot, 'JPEGImages', '480p', seq, `${frame}.jpg`);
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return makeRgbFrame(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height);
}

/** Ground truth as a 0/1 byte mask. */
export async function readGroundTruth(davisRoot: string, seq: string, frame: string): Promise<Uint8Array> {
  const file = path.join(davisRoot, 'Annotations', '480p', seq, `${frame}.png`);
  const { data } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! > 127 ? 1 : 0;
  return out;
}

/**
 * The mean of several runs' soft maps of one frame (`<dir>/<seq>/<frame>.png` in each of `dirs`):
 * what an ensemble of those runs' networks produces (osvos `ensembleViews`).
 */
export async function readAveragedSoftMap(
  dirs: readonly string[],
  seq: string,
  frame: string,
  width: number,
  height: number,
): Promise<FloatMatte> {
  const maps = await Promise.all(
    dirs.map((dir) => readSoftMap(path.join(dir, seq, `${frame}.png`), width, height)),
  );
  const soft = maps[0]!;
  for (const other of maps.slice(1))
    for (let i = 0; i < soft.data.length; i++) soft.data[i]! += other.data[i]!;
  for (let i = 0; i < soft.data.length; i++) soft.data[i]! /= maps.length;
  return soft;
}

/** A soft map PNG (8- or 16-bit gray), resized bilinearly to the frame size if needed, as 0..1. */
export async function readSoftMap(file: string, width: number, height: number): Promise<FloatMatte> {
  const meta = await sharp(file).metadata();
  const is16 = meta.depth === 'ushort';
  const { data, info } = await sharp(file)
    .extractChannel(0)
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .toColourspace(is16 ? 'grey16' : 'b-w')
    .raw({ depth: is16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const n = width * height;
  const out = new Float32Array(n);
  if (info.channels !== 1)
    throw new Error(`soft map ${file} decoded with ${info.channels} channels, expected 1`);
  if (is16) {
    const u16 = new Uint16Array(data.buffer, data.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = u16[i]! / 65535;
  } else for (let i = 0; i < n; i++) out[i] = data[i]! / 255;
  return makeFloatMatte(out, width, height);
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The mask warped by a smooth random displacement field: independent uniform displacements in
 * [−amplitude, amplitude] px on a grid of `spacing` px, interpolated bilinearly — the boundary
 * errors of a network that sees the object only coarsely (edges off by a few pixels, varying
 * slowly along the contour).
 */
export function warpMask(
  mask: Uint8Array,
  width: number,
  height: number,
  amplitude: number,
  seed: number,
  spacing = 48,
): Uint8Array {
  const gw = Math.ceil(width / spacing) + 2;
  const gh = Math.ceil(height / spacing) + 2;
  const rnd = random(seed);
  const gx = Float32Array.from({ length: gw * gh }, () => (2 * rnd() - 1) * amplitude);
  const gy = Float32Array.from({ length: gw * gh }, () => (2 * rnd() - 1) * amplitude);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = y / spacing;
    const y0 = Math.floor(v);
    const fy = v - y0;
    for (let x = 0; x < width; x++) {
      const u = x / spacing;
      const x0 = Math.floor(u);
      const fx = u - x0;
      const i00 = y0 * gw + x0;
      const lerp = (g: Float32Array) =>
        (g[i00]! * (1 - fx) + g[i00 + 1]! * fx) * (1 - fy) +
        (g[i00 + gw]! * (1 - fx) + g[i00 + gw + 1]! * fx) * fy;
      const sx = Math.min(width - 1, Math.max(0, Math.round(x + lerp(gx))));
      const sy = Math.min(height - 1, Math.max(0, Math.round(y + lerp(gy))));
      out[y * width + x] = mask[sy * width + sx]!;
    }
  }
  return out;
}

/** A stable seed from a sequence and frame name. */
export function frameSeed(seq: string, frame: string): number {
  let h = 2166136261;
  for (const c of `${seq}/${frame}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * Synthetic stand-in for a network soft map: the ground truth area-downsampled by `factor`
 * (as if the network ran at low resolution), blurred there by `blurSigma` low-res pixels, and
 * upsampled bilinearly to full size.
 */
export async function syntheticSoftMap(
  gt: Uint8Array,
  width: number,
  height: number,
  factor = 4,
  blurSigma = 1.5,
): Promise<FloatMatte> {
  const bytes = Buffer.alloc(gt.length);
  for (let i = 0; i < gt.length; i++) bytes[i] = gt[i] ? 255 : 0;
  const lw = Math.round(width / factor);
  const lh = Math.round(height / factor);
  // Separate pipelines keep the order resize → blur → resize; extractChannel keeps one channel
  // (sharp would otherwise hand back sRGB).
  const small = await sharp(bytes, { raw: { width, height, channels: 1 } })
    .resize(lw, lh, { kernel: 'linear', fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const low = await sharp(small, { raw: { width: lw, height: lh, channels: 1 } })
    .blur(blurSigma)
    .extractChannel(0)
    .raw()
    .toBuffer();
  const up = await sharp(low, { raw: { width: lw, height: lh, channels: 1 } })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = up[i]! / 255;
  return makeFloatMatte(out, width, height);
}

/** A frame resized with sharp (bilinear), as footage larger than DAVIS stands in for. */
export async function upscaleFrame(frame: RgbFrame, width: number, height: number): Promise<RgbFrame> {
  const data = await sharp(Buffer.from(frame.data), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer();
  return makeRgbFrame(new Uint8Array(data.buffer, data.byteOffset, data.length), width, height);
}

/** Median of a list of timings (timing-stats.ts; re-exported for the snapping benches). */
export { median } from './timing-stats';
