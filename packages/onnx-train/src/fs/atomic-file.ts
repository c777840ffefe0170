/**
 * Crash-safe file writes: write a temp file in the same folder, fsync it, rename over the target.
 * A reader (or a restart after kill -9) sees the old file or the new one, never half of one.
 */
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const TEMP_MARKER = '.tmp-';

export async function writeFileAtomic(path: string, data: Uint8Array | string, mode?: number): Promise<void> {
  const tmp = join(dirname(path), `${TEMP_MARKER}${basename(path)}.${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(tmp, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, path);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(path: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Reads JSON, or returns undefined when the file does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

/** Removes temp files left by writes a crash interrupted. */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  const stale = names.filter((n) => n.startsWith(TEMP_MARKER));
  await Promise.all(stale.map((n) => fs.rm(join(dir, n), { force: true })));
  return stale.length;
}
