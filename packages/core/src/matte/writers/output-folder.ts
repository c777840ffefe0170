/** Creates the output folder and proves it is writable before any frame is rendered. */
import { constants as fsc, promises as fs } from 'node:fs';
import { MatteWriteError } from './types';

export async function ensureWritableFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fsc.W_OK);
  } catch (err) {
    throw new MatteWriteError(
      `Cannot write the matte to output folder "${dir}": ${(err as Error).message}. ` +
        'Choose a folder you can write to (and that is not a file).',
      { cause: err },
    );
  }
}
