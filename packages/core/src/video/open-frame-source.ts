/**
 * Opens a clip with the reader its path calls for. Apart from frame-source.ts (the interface the
 * readers implement) so that the readers and the interface do not import each other.
 */
import { promises as fs } from 'node:fs';
import { FrameSourceError, type FrameSource, type OpenFrameSourceOptions } from './frame-source';

/** Opens a folder of frames (a directory) or a video file (anything else ffprobe can read). */
export async function openFrameSource(
  sourcePath: string,
  options: OpenFrameSourceOptions = {},
): Promise<FrameSource> {
  let isDir: boolean;
  try {
    isDir = (await fs.stat(sourcePath)).isDirectory();
  } catch (err) {
    throw new FrameSourceError(
      `Input "${sourcePath}" does not exist. Pass a video file (mp4, mov, mkv, ...) or a folder of JPEG/PNG frames.`,
      { cause: err },
    );
  }
  // Imported lazily so each reader's dependencies load only when used.
  if (isDir) {
    const { openFolderSource } = await import('./folder-source');
    return openFolderSource(sourcePath, options);
  }
  const { openVideoSource } = await import('./video-source');
  return openVideoSource(sourcePath, options);
}
