/**
 * Where prepared models live and how they are written: `<repo>/models/cache/` unless
 * ONESHOT_ROTO_MODEL_CACHE says otherwise; every file is written to a temporary name and renamed,
 * so a crash or a concurrent preparation never leaves a half-written model under the final name.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic as writeAtomic } from '@oneshot-roto/onnx-train';
import { ModelError } from './errors';

export const CACHE_ENV = 'ONESHOT_ROTO_MODEL_CACHE';

/** Repository root: this file is packages/core/{src,dist}/model/model-cache.{ts,js}. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export function resolveCacheDir(cacheDir?: string): string {
  if (cacheDir) return path.resolve(cacheDir);
  const fromEnv = process.env[CACHE_ENV];
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(REPO_ROOT, 'models', 'cache');
}

function unwritable(target: string, cause: unknown): ModelError {
  return new ModelError(
    'CACHE_UNWRITABLE',
    `cannot write the model cache at ${target} (${(cause as Error).message}). Make that folder writable, or set ${CACHE_ENV} to a writable folder.`,
    { cause },
  );
}

export async function ensureCacheDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants.W_OK);
  } catch (cause) {
    throw unwritable(dir, cause);
  }
}

/** Writes `data` to `file` atomically (temporary file in the same folder, then rename). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeAtomic(file, data);
  } catch (cause) {
    throw unwritable(file, cause);
  }
}
