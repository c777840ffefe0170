// File-system questions the host adapters ask (does the exported frame exist under which name),
// behind an interface: UXP answers through `require("uxp").storage`, tests through a fake.

export interface FileProbe {
  exists(path: string): Promise<boolean>;
}

/** Joins a folder and a file name with the folder's own separator (Windows or POSIX). */
export function joinPath(folder: string, name: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(sep) ? folder + name : folder + sep + name;
}

/** Compares paths ignoring separator style, and case on Windows drive paths. */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    const s = p.replace(/\\/g, '/').replace(/\/+$/, '');
    return /^[A-Za-z]:\//.test(s) ? s.toLowerCase() : s;
  };
  return norm(a) === norm(b);
}
