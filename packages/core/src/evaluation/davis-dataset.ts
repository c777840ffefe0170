/**
 * The DAVIS folder layout: `<root>/JPEGImages/<res>/<seq>/00000.jpg` and
 * `<root>/Annotations/<res>/<seq>/00000.png` (res = "480p" by default), optional split files
 * (`ImageSets/...`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readMask, type BinaryMask } from '../video/mask-io';

export const DEFAULT_DAVIS_RESOLUTION = '480p';

export class DavisDatasetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DavisDatasetError';
  }
}

export interface DavisSequence {
  name: string;
  /** Folder of the JPEG frames. */
  framesDir: string;
  /** Folder of the ground-truth PNG masks. */
  annotationsDir: string;
  /** Frame file stems in order ("00000", "00001", ...), from the JPEG frames. */
  frameNames: string[];
  /** Stems of the ground-truth masks present, in order. */
  annotationNames: string[];
}

export interface ListDavisSequencesOptions {
  /** Split file: DAVIS 2016 (`/JPEGImages/480p/bear/00000.jpg /Annotations/...` per line) or
   * DAVIS 2017 style (one sequence name per line). Relative paths resolve against the root. */
  split?: string;
  /** Explicit sequence names (take precedence over `split`). */
  sequences?: string[];
  resolution?: string;
}

export function davisFramesDir(
  root: string,
  sequence: string,
  resolution = DEFAULT_DAVIS_RESOLUTION,
): string {
  return path.join(root, 'JPEGImages', resolution, sequence);
}

export function davisAnnotationsDir(
  root: string,
  sequence: string,
  resolution = DEFAULT_DAVIS_RESOLUTION,
): string {
  return path.join(root, 'Annotations', resolution, sequence);
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Sequence names listed in a split file, in file order, without duplicates. */
export async function readSplitFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new DavisDatasetError(`Cannot read split file "${file}".`, { cause: err });
  }
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let name: string | undefined = line;
    if (line.includes('/')) {
      // "/JPEGImages/480p/<seq>/00000.jpg /Annotations/480p/<seq>/00000.png"
      const parts = line.split(/\s+/)[0]!.split('/').filter(Boolean);
      const at = parts.indexOf('JPEGImages');
      name = at >= 0 && parts.length > at + 2 ? parts[at + 2] : parts[parts.length - 2];
    }
    if (name && !names.includes(name)) names.push(name);
  }
  if (names.length === 0) throw new DavisDatasetError(`Split file "${file}" lists no sequences.`);
  return names;
}

/**
 * Sequences to evaluate: the explicit list, else the split file's, else every sequence with
 * both a frames and an annotations folder (sorted). Errors name missing sequences.
 */
export async function listDavisSequences(
  root: string,
  options: ListDavisSequencesOptions = {},
): Promise<string[]> {
  const res = options.resolution ?? DEFAULT_DAVIS_RESOLUTION;
  const annRoot = path.join(root, 'Annotations', res);
  if (!(await isDir(annRoot)) || !(await isDir(path.join(root, 'JPEGImages', res)))) {
    throw new DavisDatasetError(
      `"${root}" is not a DAVIS root: expected folders JPEGImages/${res} and Annotations/${res} in it.`,
    );
  }
  let names: string[];
  if (options.sequences && options.sequences.length > 0) {
    names = options.sequences;
  } else if (options.split) {
    names = await readSplitFile(path.resolve(root, options.split));
  } else {
    const entries = await fs.readdir(annRoot, { withFileTypes: true });
    names = [];
    for (const e of entries) {
      if (e.isDirectory() && (await isDir(davisFramesDir(root, e.name, res)))) names.push(e.name);
    }
    names.sort();
    if (names.length === 0) throw new DavisDatasetError(`DAVIS root "${root}" contains no sequences.`);
    return names;
  }
  const missing: string[] = [];
  for (const n of names) {
    if (!(await isDir(davisFramesDir(root, n, res))) || !(await isDir(davisAnnotationsDir(root, n, res)))) {
      missing.push(n);
    }
  }
  if (missing.length > 0) {
    throw new DavisDatasetError(
      `Sequence(s) ${missing.join(', ')} not found in DAVIS root "${root}" ` +
        `(need JPEGImages/${res}/<seq> and Annotations/${res}/<seq>).`,
    );
  }
  return names;
}

async function stems(dir: string, ext: RegExp): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new DavisDatasetError(`Cannot list "${dir}".`, { cause: err });
  }
  return names
    .filter((n) => ext.test(n) && !n.startsWith('.'))
    .map((n) => path.parse(n).name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export async function loadDavisSequence(
  root: string,
  name: string,
  resolution = DEFAULT_DAVIS_RESOLUTION,
): Promise<DavisSequence> {
  const framesDir = davisFramesDir(root, name, resolution);
  const annotationsDir = davisAnnotationsDir(root, name, resolution);
  const frameNames = await stems(framesDir, /\.jpe?g$/i);
  const annotationNames = await stems(annotationsDir, /\.png$/i);
  if (frameNames.length === 0) throw new DavisDatasetError(`No JPEG frames in "${framesDir}".`);
  if (annotationNames.length === 0) throw new DavisDatasetError(`No PNG annotations in "${annotationsDir}".`);
  return { name, framesDir, annotationsDir, frameNames, annotationNames };
}

/** Path of the ground-truth mask of frame `frameName` ("00000"). */
export function annotationPath(seq: DavisSequence, frameName: string): string {
  return path.join(seq.annotationsDir, `${frameName}.png`);
}

/** Path of the JPEG frame `frameName`. */
export function framePath(seq: DavisSequence, frameName: string): string {
  return path.join(seq.framesDir, `${frameName}.jpg`);
}

/** Ground-truth mask of frame `frameName`, binary by the official rule (any nonzero value is the object). */
export function readDavisAnnotation(seq: DavisSequence, frameName: string): Promise<BinaryMask> {
  return readMask(annotationPath(seq, frameName), { threshold: 0 });
}
