/**
 * `oneshot-roto models prepare|info`: builds the parent network's fp32 files in the model cache
 * (normally done automatically on first use) and shows what is there.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CACHE_ENV,
  DEFAULT_RESOLUTION,
  checkResolution,
  cudaProviderInstalled,
  ensureParentModel,
  listPreparedParentModels,
  resolveCacheDir,
  describeImglyModel,
} from '@oneshot-roto/core';

function parseResolutions(value: string): number[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new InvalidArgumentError('give one or more resolutions, e.g. 512,768,1024');
  return list.map((s) => {
    const r = Number(s);
    try {
      return checkResolution(r);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  });
}

interface PrepareOptions {
  resolution: number[];
  force?: boolean;
  cache?: string;
}

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('prepare and inspect the parent network (ISNet from @imgly/background-removal-data)');

  models
    .command('prepare')
    .description(
      'reassemble, hash-check and convert the parent network to fp32 at the given resolutions, into the model cache',
    )
    .addOption(
      new Option('-r, --resolution <list>', 'comma-separated square input sizes (multiples of 32)')
        .argParser(parseResolutions)
        .default([DEFAULT_RESOLUTION], String(DEFAULT_RESOLUTION)),
    )
    .option('-f, --force', 'rebuild even when a current file is in the cache')
    .option('--cache <dir>', `model cache folder (default: $${CACHE_ENV} or <repo>/models/cache)`)
    .action(async (opts: PrepareOptions) => {
      for (const resolution of opts.resolution) {
        const started = Date.now();
        const prepared = await ensureParentModel({ resolution, force: opts.force, cacheDir: opts.cache });
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const how = prepared.built ? `built in ${seconds} s` : 'already prepared';
        process.stdout.write(
          `${resolution}x${resolution}: ${prepared.modelPath} (${how}; sha256 ${prepared.manifest.sha256})\n`,
        );
      }
    });

  models
    .command('info')
    .description('show the source package, the prepared models and the available execution providers')
    .option('--cache <dir>', `model cache folder (default: $${CACHE_ENV} or <repo>/models/cache)`)
    .option('--json', 'print as JSON')
    .action(async (opts: { cache?: string; json?: boolean }) => {
      const cacheDir = resolveCacheDir(opts.cache);
      const source = await describeImglyModel().then(
        (s) => ({
          installed: true as const,
          package: s.packageName,
          version: s.packageVersion,
          dir: s.packageDir,
          chunks: s.chunks.length,
          size: s.size,
        }),
        (err: Error) => ({ installed: false as const, error: err.message }),
      );
      const prepared = await listPreparedParentModels(cacheDir);
      const info = {
        source,
        cacheDir,
        prepared: prepared.map((p) => ({
          resolution: p.manifest.resolution,
          file: p.manifest.file,
          sha256: p.manifest.sha256,
          size: p.manifest.size,
          complete: p.fileOk,
          createdAt: p.manifest.createdAt,
          input: p.manifest.input,
          outputs: p.manifest.outputs,
        })),
        cudaProviderInstalled: cudaProviderInstalled(),
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const lines = [
        source.installed
          ? `source: ${source.package}@${source.version} (${source.chunks} chunks, ${(source.size / 2 ** 20).toFixed(1)} MiB) in ${source.dir}`
          : `source: NOT AVAILABLE — ${source.error}`,
        `cache: ${cacheDir}`,
        ...(info.prepared.length === 0
          ? ['prepared: none yet (run `oneshot-roto models prepare`, or it happens on first use)']
          : info.prepared.map(
              (p) =>
                `prepared ${p.resolution}x${p.resolution}: ${p.file} ${(p.size / 2 ** 20).toFixed(1)} MiB${p.complete ? '' : ' (FILE MISSING OR INCOMPLETE: run `models prepare --force`)'}; outputs ${p.outputs.map((o) => `${o.name}[${o.shape.join(',')}]`).join(' ')}`,
            )),
        `CUDA provider: ${info.cudaProviderInstalled ? 'installed' : 'not installed (`npm run install:cuda` on an NVIDIA machine)'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
