/**
 * Path rules: the server reads only media the client names and writes only inside its workspace
 * or the output folder the client chose. Paths must be absolute and free of traversal.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep, relative } from 'node:path';
import { ProtocolError } from './errors';

/** Rejects relative paths, NUL bytes and `..` segments; returns the normalized absolute path. */
export function checkClientPath(raw: string, field: string): string {
  if (raw.includes('\0'))
    throw new ProtocolError('bad_path', `${field} contains a NUL byte`, { path: `/${field}` });
  if (!isAbsolute(raw)) {
    throw new ProtocolError('bad_path', `${field} "${raw.slice(0, 200)}" is not absolute; send a full path`, {
      path: `/${field}`,
    });
  }
  if (raw.split(/[\\/]+/).includes('..')) {
    throw new ProtocolError(
      'path_forbidden',
      `${field} "${raw.slice(0, 200)}" contains ".." (path traversal is refused); send the resolved path`,
      { path: `/${field}` },
    );
  }
  return normalize(raw);
}

/** True when `child` is `parent` or inside it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

/** A media file or frames folder the client named: it must exist and be of the right kind. */
export async function checkMediaPath(raw: string, field: string, kind: 'file' | 'folder'): Promise<string> {
  const p = checkClientPath(raw, field);
  let st;
  try {
    st = await fs.stat(p);
  } catch (err) {
    throw new ProtocolError('bad_path', `${field} "${p}" does not exist or is not readable`, {
      cause: err,
      path: `/${field}`,
    });
  }
  if (kind === 'file' && !st.isFile())
    throw new ProtocolError('bad_path', `${field} "${p}" is not a file; send the clip's media file`, {
      path: `/${field}`,
    });
  if (kind === 'folder' && !st.isDirectory())
    throw new ProtocolError('bad_path', `${field} "${p}" is not a folder of frames`, { path: `/${field}` });
  return fs.realpath(p);
}

/**
 * Where `p` (absolute, normalized) really is, also when its tail does not exist yet: the nearest
 * existing ancestor resolved with realpath (every link on the way followed), the missing names
 * appended. A link that points nowhere or in a loop is refused: nobody can say where it leads.
 */
export async function realPathOfPlanned(p: string, field: string): Promise<string> {
  const missing: string[] = [];
  let current = p;
  for (;;) {
    try {
      const real = await fs.realpath(current);
      return missing.length ? join(real, ...missing.reverse()) : real;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const dangling =
        code === 'ENOENT' &&
        (await fs.lstat(current).then(
          (st) => st.isSymbolicLink(),
          () => false,
        ));
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dangling) {
        throw new ProtocolError(
          'path_forbidden',
          `${field} "${p}" goes through a link that cannot be followed (${dangling ? 'it points nowhere' : code}); send a folder that exists or whose parent does`,
          { cause: err, path: `/${field}` },
        );
      }
      const parent = dirname(current);
      if (parent === current) throw err;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/**
 * Checks the output folder the client chose and returns where it really is (links followed;
 * the folder itself may not exist yet: the render creates it). Output file names are generated
 * by the server and joined to it; `safeJoin` re-checks each one. The render job checks again
 * before it writes, in case a link was put in place meanwhile.
 */
export async function prepareOutputFolder(raw: string, field: string, workspace: string): Promise<string> {
  const p = checkClientPath(raw, field);
  const real = await realPathOfPlanned(p, field);
  const workspaceReal = await fs.realpath(workspace).catch(() => resolve(workspace));
  // Writing into the server's own state would let a client overwrite annotations or weights.
  for (const ws of new Set([resolve(workspace), workspaceReal])) {
    if (isInside(ws, real) && !isInside(resolve(ws, 'renders'), real)) {
      throw new ProtocolError(
        'path_forbidden',
        `${field} "${p}" is inside the server's workspace; choose a folder of your project`,
        { path: `/${field}` },
      );
    }
  }
  return real;
}

/** Joins a server-generated file name to a folder, refusing anything that would leave it. */
export function safeJoin(folder: string, name: string): string {
  if (name.includes('/') || name.includes('\\') || name === '..' || name === '.' || name.includes('\0')) {
    throw new ProtocolError('path_forbidden', `file name "${name}" is not a plain name`);
  }
  const full = resolve(folder, name);
  if (!isInside(folder, full))
    throw new ProtocolError('path_forbidden', `"${name}" would be written outside ${folder}`);
  return full;
}
