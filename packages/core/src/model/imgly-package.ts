/**
 * Reassembles ISNet "medium" from the installed @imgly/background-removal-data package: the model
 * ships as 4 MiB chunks named by their sha256, listed in order in dist/resources.json. Every chunk
 * is hashed before use, so a damaged install fails loudly instead of yielding a subtly wrong model.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelError } from './errors';

export const IMGLY_PACKAGE = '@imgly/background-removal-data';
export const IMGLY_MODEL_KEY = '/models/medium';

export interface ImglyChunk {
  hash: string;
  offsets: [number, number];
}

export interface ImglyModelSource {
  packageName: string;
  packageVersion: string;
  packageDir: string;
  modelKey: string;
  /** sha256 of each chunk, in concatenation order. */
  chunks: string[];
  size: number;
}

interface ResourceEntry {
  chunks: ImglyChunk[];
  size: number;
}

/** Directory of the installed package (the folder holding its package.json). */
export function resolveImglyPackageDir(packageDir?: string): string {
  if (packageDir) return path.resolve(packageDir);
  try {
    return path.dirname(require.resolve(`${IMGLY_PACKAGE}/package.json`));
  } catch (cause) {
    throw new ModelError(
      'PACKAGE_MISSING',
      `the parent network package ${IMGLY_PACKAGE} is not installed. Run \`npm install\` in the project folder.`,
      { cause },
    );
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelError(
      'PACKAGE_MISSING',
      `${what} ${file} cannot be read (${(cause as Error).message}). Run \`npm install\` (or reinstall ${IMGLY_PACKAGE}).`,
      { cause },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ModelError(
      'CHUNK_CORRUPT',
      `${what} ${file} is not valid JSON. Reinstall ${IMGLY_PACKAGE} (\`npm install\`).`,
      {
        cause,
      },
    );
  }
}

function isResourceEntry(v: unknown): v is ResourceEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as { chunks?: unknown; size?: unknown };
  return (
    typeof e.size === 'number' &&
    Array.isArray(e.chunks) &&
    e.chunks.every(
      (c: unknown) =>
        typeof c === 'object' &&
        c !== null &&
        typeof (c as ImglyChunk).hash === 'string' &&
        /^[0-9a-f]{64}$/.test((c as ImglyChunk).hash) &&
        Array.isArray((c as ImglyChunk).offsets) &&
        (c as ImglyChunk).offsets.length === 2,
    )
  );
}

/** The model's entry in the package's resources.json, checked. */
async function readModelEntry(dir: string): Promise<ResourceEntry> {
  const resources = (await readJson(path.join(dir, 'dist', 'resources.json'), 'resource list')) as Record<
    string,
    unknown
  >;
  const entry = resources[IMGLY_MODEL_KEY];
  if (!isResourceEntry(entry)) {
    throw new ModelError(
      'CHUNK_CORRUPT',
      `${path.join(dir, 'dist', 'resources.json')} has no valid "${IMGLY_MODEL_KEY}" entry. Reinstall ${IMGLY_PACKAGE} (\`npm install\`).`,
    );
  }
  return entry;
}

/** Reads package.json and the chunk list without touching the chunks. */
export async function describeImglyModel(packageDir?: string): Promise<ImglyModelSource> {
  const dir = resolveImglyPackageDir(packageDir);
  const pkg = (await readJson(path.join(dir, 'package.json'), `${IMGLY_PACKAGE} manifest`)) as {
    name?: string;
    version?: string;
  };
  const entry = await readModelEntry(dir);
  return {
    packageName: pkg.name ?? IMGLY_PACKAGE,
    packageVersion: pkg.version ?? 'unknown',
    packageDir: dir,
    modelKey: IMGLY_MODEL_KEY,
    chunks: entry.chunks.map((c) => c.hash),
    size: entry.size,
  };
}

/** Concatenates the chunks in order after checking each one's sha256, offsets and the total size. */
export async function assembleImglyModel(
  packageDir?: string,
): Promise<{ source: ImglyModelSource; bytes: Buffer }> {
  const source = await describeImglyModel(packageDir);
  const { chunks } = await readModelEntry(source.packageDir);
  const out = Buffer.allocUnsafe(source.size);
  let offset = 0;
  for (const [i, chunk] of chunks.entries()) {
    const file = path.join(source.packageDir, 'dist', chunk.hash);
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (cause) {
      throw new ModelError(
        'CHUNK_CORRUPT',
        `model chunk ${i + 1}/${chunks.length} (${file}) is missing or unreadable. Reinstall ${IMGLY_PACKAGE}: \`npm install --force ${IMGLY_PACKAGE}\`.`,
        { cause },
      );
    }
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== chunk.hash) {
      throw new ModelError(
        'CHUNK_CORRUPT',
        `model chunk ${i + 1}/${chunks.length} (${file}) is corrupt: its sha256 is ${actual}. Reinstall ${IMGLY_PACKAGE}: \`npm install --force ${IMGLY_PACKAGE}\`.`,
      );
    }
    const [start, end] = chunk.offsets;
    if (start !== offset || end - start !== data.length || end > source.size) {
      throw new ModelError(
        'CHUNK_CORRUPT',
        `model chunk ${i + 1}/${chunks.length} (${file}) does not fit the resource list (offsets ${start}-${end}, ${data.length} bytes, expected start ${offset}). Reinstall ${IMGLY_PACKAGE}.`,
      );
    }
    data.copy(out, offset);
    offset = end;
  }
  if (offset !== source.size) {
    throw new ModelError(
      'CHUNK_CORRUPT',
      `the model chunks add up to ${offset} bytes, but the resource list says ${source.size}. Reinstall ${IMGLY_PACKAGE}: \`npm install --force ${IMGLY_PACKAGE}\`.`,
    );
  }
  return { source, bytes: out };
}
