/**
 * Finds the ffmpeg and ffprobe executables. Order: the environment override
 * (ONESHOT_ROTO_FFMPEG / ONESHOT_ROTO_FFPROBE), the binaries shipped by the npm packages
 * @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, then `ffmpeg`/`ffprobe` on PATH.
 *
 * npm 11 skips dependency install scripts, and with them the packages' chmod step: a shipped
 * binary that is not executable is copied into a per-user cache and made executable there.
 */
import { constants as fsc, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ToolName = 'ffmpeg' | 'ffprobe';

export interface ResolvedTool {
  path: string;
  source: 'env' | 'npm' | 'path';
}

export class FfmpegNotFoundError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FfmpegNotFoundError';
  }
}

const ENV_VAR: Record<ToolName, string> = {
  ffmpeg: 'ONESHOT_ROTO_FFMPEG',
  ffprobe: 'ONESHOT_ROTO_FFPROBE',
};

const NPM_PACKAGE: Record<ToolName, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};

const cache = new Map<ToolName, Promise<ResolvedTool>>();

/** Resolves (once per process) the executable for `tool`; throws FfmpegNotFoundError if none. */
export function resolveTool(tool: ToolName): Promise<ResolvedTool> {
  let found = cache.get(tool);
  if (!found) {
    found = locateTool(tool);
    // A failed lookup is not cached: the user may fix the environment and retry (server case).
    found.catch(() => cache.delete(tool));
    cache.set(tool, found);
  }
  return found;
}

export async function ffmpegPath(): Promise<string> {
  return (await resolveTool('ffmpeg')).path;
}

export async function ffprobePath(): Promise<string> {
  return (await resolveTool('ffprobe')).path;
}

/** Forgets resolved paths (tests that change the environment). */
export function clearToolCache(): void {
  cache.clear();
}

export interface LocateOptions {
  /** Environment to read the override and PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the npm package's binary is (default: asks the package); undefined = not shipped. */
  shipped?: (tool: ToolName) => string | undefined;
  /** Folder for the executable copy of a non-executable shipped binary (default ~/.cache/oneshot-roto/bin). */
  cacheDir?: string;
}

/** Finds `tool` without caching (resolveTool caches this). */
export async function locateTool(tool: ToolName, options: LocateOptions = {}): Promise<ResolvedTool> {
  const env = options.env ?? process.env;
  const exe = process.platform === 'win32' ? `${tool}.exe` : tool;
  const override = env[ENV_VAR[tool]];
  if (override) {
    if (!(await isExecutable(override))) {
      throw new FfmpegNotFoundError(
        `${ENV_VAR[tool]} is set to "${override}", which is not an executable file. ` +
          `Point it at a working ${tool} binary or unset it to use the bundled one.`,
      );
    }
    return { path: override, source: 'env' };
  }

  const tried: string[] = [];
  const shipped = (options.shipped ?? shippedBinary)(tool);
  if (shipped) {
    tried.push(shipped);
    const usable = await makeUsable(shipped, tool, options.cacheDir ?? defaultCacheDir(env));
    if (usable) return { path: usable, source: 'npm' };
  }

  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    if (await isExecutable(candidate)) return { path: candidate, source: 'path' };
  }
  tried.push(`${exe} on PATH`);

  throw new FfmpegNotFoundError(
    `No ${tool} executable found (tried: ${tried.join(', ')}). Run \`npm install\` so that ` +
      `${NPM_PACKAGE[tool]} provides one, install ${tool} on the system PATH, or set ${ENV_VAR[tool]} ` +
      `to its full path.`,
  );
}

/** The path the npm package points at, or undefined when the package or platform is missing. */
function shippedBinary(tool: ToolName): string | undefined {
  try {
    // The packages throw a plain string on unsupported platforms; any failure means "not shipped".
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional package loaded synchronously, inside this try
    const mod = require(NPM_PACKAGE[tool]) as { path?: unknown };
    return typeof mod.path === 'string' ? mod.path : undefined;
  } catch {
    return undefined;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fsc.X_OK);
    // root passes X_OK for any file with one x bit; require one so we never exec a data file.
    return process.platform === 'win32' || (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Returns an executable path for a shipped binary, fixing a missing x bit if needed. */
function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'oneshot-roto', 'bin');
}

async function makeUsable(binary: string, tool: ToolName, cacheDir: string): Promise<string | undefined> {
  if (await isExecutable(binary)) return binary;
  try {
    await fs.access(binary, fsc.R_OK);
  } catch {
    return undefined;
  }
  // Try in place first (works when the user owns node_modules), else a private copy.
  try {
    await fs.chmod(binary, 0o755);
    if (await isExecutable(binary)) return binary;
  } catch {
    /* read-only install: fall through to the cache copy */
  }
  const st = await fs.stat(binary);
  const target = path.join(cacheDir, `${tool}-${st.size}-${Math.trunc(st.mtimeMs)}${path.extname(binary)}`);
  if (await isExecutable(target)) return target;
  try {
    await fs.mkdir(cacheDir, { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    await fs.copyFile(binary, tmp);
    await fs.chmod(tmp, 0o755);
    await fs.rename(tmp, target);
    return target;
  } catch {
    return undefined;
  }
}
