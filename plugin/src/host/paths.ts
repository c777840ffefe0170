// Comparing file paths the hosts report (media of imported items) with the ones the server wrote.

/** Compares paths ignoring separator style, and case on Windows drive paths. */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => {
    const s = p.replace(/\\/g, '/').replace(/\/+$/, '');
    return /^[A-Za-z]:\//.test(s) ? s.toLowerCase() : s;
  };
  return norm(a) === norm(b);
}
