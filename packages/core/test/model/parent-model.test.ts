import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeModel, DataType } from '@oneshot-roto/onnx-train';
import {
  CACHE_ENV,
  ensureParentModel,
  listPreparedParentModels,
  parentModelPaths,
  resolveCacheDir,
} from '../../src/model';
import { describeImglyModel } from '../../src/model/imgly-package';
import { makeTempDir, silenceLogs } from './fixtures';

silenceLogs();

describe('preparing the parent network into the cache', () => {
  const tmp = makeTempDir('prepare');
  afterAll(() => tmp.cleanup());
  const cacheDir = path.join(tmp.dir, 'cache');

  it('writes an fp32, Cast-free model specialised to the resolution, with a manifest', async () => {
    const prepared = await ensureParentModel({ resolution: 320, cacheDir });
    expect(prepared.built).toBe(true);
    expect(prepared.modelPath).toBe(path.join(cacheDir, 'isnet-medium-fp32-320.onnx'));
    const bytes = await fs.readFile(prepared.modelPath);
    const m = prepared.manifest;
    expect(m.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(m.size).toBe(bytes.length);
    expect(m.resolution).toBe(320);
    const source = await describeImglyModel();
    expect(m.source).toEqual({
      package: source.packageName,
      version: source.packageVersion,
      modelKey: '/models/medium',
      size: source.size,
      chunkSha256: source.chunks,
    });
    expect(m.input).toMatchObject({ name: 'input', shape: ['batch', 3, 320, 320] });
    expect(m.outputs[0]).toEqual({ name: 'output', shape: ['batch', 1, 320, 320] });
    expect(m.outputs.find((o) => o.name === 'input.656')?.shape).toEqual(['batch', 512, 5, 5]);
    expect(JSON.parse(await fs.readFile(prepared.manifestPath, 'utf8'))).toEqual(m);

    const graph = decodeModel(bytes).graph!;
    expect(graph.node!.filter((n) => n.opType === 'Cast')).toHaveLength(0);
    expect(graph.initializer!.every((t) => t.dataType === DataType.FLOAT)).toBe(true);
    // Static shapes of intermediate tensors are recorded for the training graph builder.
    expect(graph.valueInfo!.length).toBeGreaterThan(500);
    // No temporary files are left behind.
    expect((await fs.readdir(cacheDir)).sort()).toEqual([
      'isnet-medium-fp32-320.manifest.json',
      'isnet-medium-fp32-320.onnx',
    ]);
  });

  it('reuses a current cache entry and rebuilds an incomplete one', async () => {
    const again = await ensureParentModel({ resolution: 320, cacheDir });
    expect(again.built).toBe(false);
    await fs.truncate(again.modelPath, 1000);
    const rebuilt = await ensureParentModel({ resolution: 320, cacheDir });
    expect(rebuilt.built).toBe(true);
    expect((await fs.stat(rebuilt.modelPath)).size).toBe(rebuilt.manifest.size);
    const listed = await listPreparedParentModels(cacheDir);
    expect(listed.map((l) => [l.manifest.resolution, l.fileOk])).toEqual([[320, true]]);
  });

  it('names the cache path and the environment variable when the cache cannot be written', async () => {
    const blocker = path.join(tmp.dir, 'a-file');
    await fs.writeFile(blocker, 'not a folder');
    await expect(
      ensureParentModel({ resolution: 320, cacheDir: path.join(blocker, 'cache') }),
    ).rejects.toMatchObject({
      code: 'CACHE_UNWRITABLE',
      message: expect.stringMatching(
        new RegExp(`${blocker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*${CACHE_ENV}`),
      ),
    });
  });

  it('rejects resolutions the network cannot take', async () => {
    await expect(ensureParentModel({ resolution: 500, cacheDir })).rejects.toMatchObject({
      code: 'BAD_RESOLUTION',
    });
    await expect(ensureParentModel({ resolution: 16, cacheDir })).rejects.toMatchObject({
      code: 'BAD_RESOLUTION',
    });
  });

  it('takes the cache folder from the environment when none is given', () => {
    const saved = process.env[CACHE_ENV];
    process.env[CACHE_ENV] = path.join(tmp.dir, 'from-env');
    try {
      expect(resolveCacheDir()).toBe(path.join(tmp.dir, 'from-env'));
      expect(parentModelPaths(768).modelPath).toBe(
        path.join(tmp.dir, 'from-env', 'isnet-medium-fp32-768.onnx'),
      );
    } finally {
      if (saved === undefined) delete process.env[CACHE_ENV];
      else process.env[CACHE_ENV] = saved;
    }
  });
});
