import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FfmpegNotFoundError, locateTool, resolveTool } from '../../src/video/ffmpeg-binaries';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oneshot-ffbin-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function script(file: string, mode: number): Promise<string> {
  await fs.writeFile(file, '#!/bin/sh\necho fake-tool "$@"\n');
  await fs.chmod(file, mode);
  return file;
}

describe('locating ffmpeg / ffprobe', () => {
  it('the installed packages provide working binaries', async () => {
    for (const tool of ['ffmpeg', 'ffprobe'] as const) {
      const found = await resolveTool(tool);
      const { stdout } = await run(found.path, ['-version']);
      expect(stdout).toMatch(new RegExp(`^${tool} version`));
    }
  });

  it('ONESHOT_ROTO_FFMPEG overrides; a non-executable override is a clear error', async () => {
    const good = await script(path.join(dir, 'my-ffmpeg'), 0o755);
    expect(await locateTool('ffmpeg', { env: { ONESHOT_ROTO_FFMPEG: good } })).toEqual({
      path: good,
      source: 'env',
    });
    const bad = await script(path.join(dir, 'not-exec'), 0o644);
    await expect(locateTool('ffprobe', { env: { ONESHOT_ROTO_FFPROBE: bad } })).rejects.toThrow(
      /ONESHOT_ROTO_FFPROBE is set to ".*not-exec", which is not an executable file/,
    );
  });

  it('a shipped binary without its x bit (npm 11 skips the chmod script) is made executable', async () => {
    const shipped = await script(path.join(dir, 'shipped-ffprobe'), 0o644);
    const found = await locateTool('ffprobe', {
      env: { PATH: '' },
      shipped: () => shipped,
      cacheDir: path.join(dir, 'cache'),
    });
    expect(found.source).toBe('npm');
    const { stdout } = await run(found.path, ['-x']);
    expect(stdout.trim()).toBe('fake-tool -x');
  });

  it('falls back to the system PATH, else explains what to do', async () => {
    const bin = path.join(dir, 'bin');
    await fs.mkdir(bin);
    const onPath = await script(path.join(bin, 'ffmpeg'), 0o755);
    expect(await locateTool('ffmpeg', { env: { PATH: bin }, shipped: () => undefined })).toEqual({
      path: onPath,
      source: 'path',
    });
    const missing = locateTool('ffmpeg', {
      env: { PATH: path.join(dir, 'empty') },
      shipped: () => undefined,
    });
    await expect(missing).rejects.toBeInstanceOf(FfmpegNotFoundError);
    await expect(missing).rejects.toThrow(/No ffmpeg executable found.*set ONESHOT_ROTO_FFMPEG/);
  });
});
