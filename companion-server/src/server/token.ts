/**
 * The per-install secret token. Generated on first start (32 random bytes, hex), stored with
 * mode 0600 in `$ONESHOT_ROTO_CONFIG_DIR` or `$XDG_CONFIG_HOME/oneshot-roto` or
 * `~/.config/oneshot-roto`; `ONESHOT_ROTO_TOKEN` overrides it.
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export interface TokenInfo {
  token: string;
  /** Where it came from: the environment, an existing file, or a file created now. */
  source: 'env' | 'file' | 'created';
  path: string | null;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONESHOT_ROTO_CONFIG_DIR) return env.ONESHOT_ROTO_CONFIG_DIR;
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/')
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config');
  return join(base, 'oneshot-roto');
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,256}$/;

export async function loadOrCreateToken(env: NodeJS.ProcessEnv = process.env): Promise<TokenInfo> {
  const fromEnv = env.ONESHOT_ROTO_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!TOKEN_PATTERN.test(fromEnv)) {
      throw new Error(
        'ONESHOT_ROTO_TOKEN must be 16-256 characters of A-Z a-z 0-9 _ -; unset it to use the generated token',
      );
    }
    return { token: fromEnv, source: 'env', path: null };
  }
  const dir = configDir(env);
  const path = join(dir, 'token');
  try {
    const existing = (await fs.readFile(path, 'utf8')).trim();
    if (TOKEN_PATTERN.test(existing)) {
      // Tighten permissions in case someone loosened them.
      await fs.chmod(path, 0o600).catch(() => undefined);
      return { token: existing, source: 'file', path };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `cannot read the install token at ${path}: ${(err as Error).message}; fix its permissions or delete it to make a new one`,
        { cause: err },
      );
    }
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  // 'wx' refuses to follow or overwrite: if another process won the race, read its token instead.
  try {
    await fs.writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateToken(env);
    throw new Error(`cannot write the install token to ${path}: ${(err as Error).message}`, { cause: err });
  }
  await fs.chmod(path, 0o600);
  return { token, source: 'created', path };
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
