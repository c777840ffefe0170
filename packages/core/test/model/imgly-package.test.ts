import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../src/model/errors';
import {
  assembleImglyModel,
  describeImglyModel,
  resolveImglyPackageDir,
} from '../../src/model/imgly-package';
import { makeTempDir, silenceLogs } from './fixtures';

silenceLogs();

/** A copy of the installed package whose chunks are symlinks, so one can be replaced cheaply. */
async function linkedPackageCopy(dir: string): Promise<{ root: string; chunks: string[] }> {
  const original = resolveImglyPackageDir();
  const root = path.join(dir, 'pkg');
  await fs.mkdir(path.join(root, 'dist'), { recursive: true });
  await fs.copyFile(path.join(original, 'package.json'), path.join(root, 'package.json'));
  await fs.copyFile(path.join(original, 'dist', 'resources.json'), path.join(root, 'dist', 'resources.json'));
  const { chunks } = await describeImglyModel(original);
  for (const hash of chunks)
    await fs.symlink(path.join(original, 'dist', hash), path.join(root, 'dist', hash));
  return { root, chunks };
}

describe('reassembling ISNet from @imgly/background-removal-data', () => {
  const tmp = makeTempDir('imgly');
  afterAll(() => tmp.cleanup());

  it('concatenates the verified chunks into the model the resource list describes', async () => {
    const { source, bytes } = await assembleImglyModel();
    expect(source.packageName).toBe('@imgly/background-removal-data');
    expect(source.chunks.length).toBeGreaterThan(1);
    expect(bytes.length).toBe(source.size);
    // An ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
    expect(bytes[0]).toBe(0x08);
  });

  it('rejects a tampered chunk, naming it and saying to reinstall', async () => {
    const { root, chunks } = await linkedPackageCopy(path.join(tmp.dir, 'tampered'));
    const victim = path.join(root, 'dist', chunks[3]!);
    const data = await fs.readFile(victim);
    data[1000]! ^= 0xff;
    await fs.rm(victim);
    await fs.writeFile(victim, data);
    const err = await assembleImglyModel(root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('CHUNK_CORRUPT');
    expect((err as ModelError).message).toContain(chunks[3]);
    expect((err as ModelError).message).toMatch(/chunk 4\/\d+ .* is corrupt/);
    expect((err as ModelError).message).toMatch(/[Rr]einstall @imgly\/background-removal-data/);
  });

  it('rejects a missing chunk', async () => {
    const { root, chunks } = await linkedPackageCopy(path.join(tmp.dir, 'missing'));
    await fs.rm(path.join(root, 'dist', chunks[chunks.length - 1]!));
    await expect(assembleImglyModel(root)).rejects.toMatchObject({
      code: 'CHUNK_CORRUPT',
      message: expect.stringMatching(/missing or unreadable.*[Rr]einstall/),
    });
  });

  it('rejects a resource list whose total size disagrees with the chunks', async () => {
    const { root } = await linkedPackageCopy(path.join(tmp.dir, 'size'));
    const file = path.join(root, 'dist', 'resources.json');
    const resources = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, { size: number }>;
    const entry = resources['/models/medium'];
    if (!entry) throw new Error(`${file} has no /models/medium entry`);
    entry.size += 1;
    await fs.writeFile(file, JSON.stringify(resources));
    await expect(assembleImglyModel(root)).rejects.toMatchObject({ code: 'CHUNK_CORRUPT' });
  });

  it('says to run npm install when the package is not there', async () => {
    await expect(assembleImglyModel(path.join(tmp.dir, 'nowhere'))).rejects.toMatchObject({
      code: 'PACKAGE_MISSING',
      message: expect.stringContaining('npm install'),
    });
  });
});
