/**
 * The parent network (ISNet "medium" from @imgly/background-removal-data) prepared for this
 * project: reassembled and hash-checked, fp32, specialised to a square resolution, cached with a
 * manifest. `ensureParentModel` is what every other module calls; it prepares on first use.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { childLogger } from '../logging/logger';
import { decodeModel, encodeModel } from '@oneshot-roto/onnx-train';
import { ModelError } from './errors';
import { convertModelToFloat32 } from './fp32-conversion';
import { assembleImglyModel, describeImglyModel, type ImglyModelSource } from './imgly-package';
import { ensureCacheDir, resolveCacheDir, writeFileAtomic } from './model-cache';
import { BATCH_DIM, specialiseResolution } from './specialise-resolution';

export const PARENT_MODEL_NAME = 'isnet-medium-fp32';
/** Bump when the preparation changes what it writes, so that older cache entries are rebuilt (2: outputs listed in graph order). */
export const PREPARATION_VERSION = 2;
export const DEFAULT_RESOLUTION = 512;
export const MIN_RESOLUTION = 64;
export const MAX_RESOLUTION = 2048;
/** Input scaling the parent network was trained with (DIS: mean 0.5, std 1). */
export const PARENT_PREPROCESSING = 'RGB, value/255 - 0.5, NCHW float32';

export type Dim = number | string;

export interface ParentModelManifest {
  manifestVersion: 1;
  preparationVersion: number;
  name: string;
  file: string;
  sha256: string;
  size: number;
  resolution: number;
  source: {
    package: string;
    version: string;
    modelKey: string;
    size: number;
    chunkSha256: string[];
  };
  conversion: {
    initializersToFloat32: number;
    constantsToFloat32: number;
    castsRemoved: number;
    resizesRewritten: number;
  };
  input: { name: string; shape: Dim[]; preprocessing: string };
  outputs: Array<{ name: string; shape: Dim[] }>;
  createdAt: string;
}

export interface ParentModelOptions {
  resolution?: number;
  /** Defaults to ONESHOT_ROTO_MODEL_CACHE or <repo>/models/cache. */
  cacheDir?: string;
  /** Folder of @imgly/background-removal-data (defaults to the installed one). */
  packageDir?: string;
  /** Rebuild even if a valid cache entry exists. */
  force?: boolean;
}

export interface PreparedParentModel {
  modelPath: string;
  manifestPath: string;
  manifest: ParentModelManifest;
  /** True when this call built the file, false when it came from the cache. */
  built: boolean;
}

export function checkResolution(resolution: number): number {
  if (
    !Number.isInteger(resolution) ||
    resolution < MIN_RESOLUTION ||
    resolution > MAX_RESOLUTION ||
    resolution % 32 !== 0
  ) {
    throw new ModelError(
      'BAD_RESOLUTION',
      `resolution ${resolution} is not supported: use a multiple of 32 from ${MIN_RESOLUTION} to ${MAX_RESOLUTION} (e.g. 512, 768, 1024)`,
    );
  }
  return resolution;
}

export function parentModelPaths(
  resolution: number,
  cacheDir?: string,
): { modelPath: string; manifestPath: string } {
  const dir = resolveCacheDir(cacheDir);
  const base = `${PARENT_MODEL_NAME}-${resolution}`;
  return { modelPath: path.join(dir, `${base}.onnx`), manifestPath: path.join(dir, `${base}.manifest.json`) };
}

async function readManifest(file: string): Promise<ParentModelManifest | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(file, 'utf8')) as ParentModelManifest;
    return m.manifestVersion === 1 ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Is the cached entry complete and built from the currently installed package by this preparation version? */
async function isCurrent(
  manifest: ParentModelManifest | undefined,
  modelPath: string,
  source: ImglyModelSource,
  resolution: number,
): Promise<boolean> {
  if (!manifest) return false;
  if (
    manifest.preparationVersion !== PREPARATION_VERSION ||
    manifest.resolution !== resolution ||
    manifest.source.version !== source.packageVersion ||
    manifest.source.chunkSha256.join(',') !== source.chunks.join(',')
  ) {
    return false;
  }
  const stat = await fs.stat(modelPath).catch(() => undefined);
  return stat !== undefined && stat.size === manifest.size;
}

/** Builds the fp32 model bytes at `resolution` from the original fp16 model bytes. */
export function buildParentModelBytes(
  original: Uint8Array,
  resolution: number,
): {
  bytes: Uint8Array;
  conversion: ParentModelManifest['conversion'];
  input: ParentModelManifest['input'];
  outputs: ParentModelManifest['outputs'];
} {
  const model = decodeModel(original);
  const converted = convertModelToFloat32(model);
  const specialised = specialiseResolution(model, resolution, { dynamicBatch: true });
  const withBatch = (s: number[]): Dim[] => (s.length === 4 ? [BATCH_DIM, ...s.slice(1)] : s);
  const inputName =
    model.graph!.input!.find((i) => !(model.graph!.initializer ?? []).some((t) => t.name === i.name))!.name ??
    'input';
  return {
    bytes: encodeModel(model),
    conversion: {
      initializersToFloat32: converted.initializers,
      constantsToFloat32: converted.constants,
      castsRemoved: converted.castsRemoved,
      resizesRewritten: specialised.resizesRewritten,
    },
    input: {
      name: inputName,
      shape: [BATCH_DIM, 3, resolution, resolution],
      preprocessing: PARENT_PREPROCESSING,
    },
    // In graph order (an object's integer-like keys such as "1890" would come first).
    outputs: (model.graph!.output ?? []).map((o) => ({
      name: o.name ?? '',
      // specialiseResolution records a shape for every graph output.
      shape: withBatch(specialised.outputShapes[o.name ?? '']!),
    })),
  };
}

async function build(resolution: number, options: ParentModelOptions): Promise<PreparedParentModel> {
  const log = childLogger('model');
  const { modelPath, manifestPath } = parentModelPaths(resolution, options.cacheDir);
  await ensureCacheDir(path.dirname(modelPath));
  const started = Date.now();
  const { source, bytes: original } = await assembleImglyModel(options.packageDir);
  const built = buildParentModelBytes(original, resolution);
  const sha256 = createHash('sha256').update(built.bytes).digest('hex');
  const manifest: ParentModelManifest = {
    manifestVersion: 1,
    preparationVersion: PREPARATION_VERSION,
    name: PARENT_MODEL_NAME,
    file: path.basename(modelPath),
    sha256,
    size: built.bytes.length,
    resolution,
    source: {
      package: source.packageName,
      version: source.packageVersion,
      modelKey: source.modelKey,
      size: source.size,
      chunkSha256: source.chunks,
    },
    conversion: built.conversion,
    input: built.input,
    outputs: built.outputs,
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(modelPath, built.bytes);
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  log.info({ modelPath, resolution, ms: Date.now() - started }, 'prepared parent model');
  return { modelPath, manifestPath, manifest, built: true };
}

const inFlight = new Map<string, Promise<PreparedParentModel>>();

/**
 * Returns the prepared parent model at `resolution`, building it (about 5 s) when the cache has no
 * current entry. Concurrent calls in one process share the work; across processes the atomic
 * renames keep every file whole.
 */
export async function ensureParentModel(options: ParentModelOptions = {}): Promise<PreparedParentModel> {
  const resolution = checkResolution(options.resolution ?? DEFAULT_RESOLUTION);
  const { modelPath, manifestPath } = parentModelPaths(resolution, options.cacheDir);
  const key = `${modelPath}|${options.packageDir ?? ''}|${options.force ? 'force' : ''}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const work = (async () => {
    if (!options.force) {
      const source = await describeImglyModel(options.packageDir);
      const manifest = await readManifest(manifestPath);
      if (manifest && (await isCurrent(manifest, modelPath, source, resolution))) {
        return { modelPath, manifestPath, manifest, built: false };
      }
    }
    return build(resolution, options);
  })();
  inFlight.set(key, work);
  try {
    return await work;
  } finally {
    inFlight.delete(key);
  }
}

/** Manifests of every prepared model in the cache, by resolution. */
export async function listPreparedParentModels(
  cacheDir?: string,
): Promise<Array<{ manifestPath: string; manifest: ParentModelManifest; fileOk: boolean }>> {
  const dir = resolveCacheDir(cacheDir);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: Array<{ manifestPath: string; manifest: ParentModelManifest; fileOk: boolean }> = [];
  for (const name of names
    .filter((n) => n.startsWith(`${PARENT_MODEL_NAME}-`) && n.endsWith('.manifest.json'))
    .sort()) {
    const manifestPath = path.join(dir, name);
    const manifest = await readManifest(manifestPath);
    if (!manifest) continue;
    const stat = await fs.stat(path.join(dir, manifest.file)).catch(() => undefined);
    out.push({ manifestPath, manifest, fileOk: stat !== undefined && stat.size === manifest.size });
  }
  return out.sort((a, b) => a.manifest.resolution - b.manifest.resolution);
}
