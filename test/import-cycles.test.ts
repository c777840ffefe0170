/**
 * No import cycles in the product (the packages' src, companion-server/src, plugin/src): a cycle
 * makes load order matter and ties modules that should be apart. Imports are read with TypeScript's
 * own pre-processor (static imports, re-exports, import()), type-only ones included, since they tie
 * the files' meaning together just the same; a workspace package's name stands for its index, so a
 * cycle through packages counts too. A cycle fails here with its files in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const REPO = path.resolve(__dirname, '..');
const ROOTS = [
  'packages/protocol/src',
  'packages/onnx-train/src',
  'packages/core/src',
  'companion-server/src',
  'plugin/src',
].map((r) => path.join(REPO, r));
/** Workspace package names and the folders of their sources. */
const PACKAGES: Record<string, string> = {
  '@oneshot-roto/protocol': 'packages/protocol/src',
  '@oneshot-roto/onnx-train': 'packages/onnx-train/src',
  '@oneshot-roto/core': 'packages/core/src',
  '@oneshot-roto/companion-server': 'companion-server/src',
};

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The file a relative specifier (`./x` → x.ts, x.tsx or x/index.ts) or a package name names, or undefined. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const pkg = PACKAGES[specifier];
  if (pkg !== undefined) return path.join(REPO, pkg, 'index.ts');
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ''));
  return [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

/** Each file's imports that resolve to files of the product. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => resolveRelative(file, f.fileName))
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles a depth-first search meets (each as the files in import order, the first repeated). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('import cycles', () => {
  it('finds a cycle, and none in a chain', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(findCycles(cyclic)).toEqual([['a', 'b', 'c', 'a']]);
    const chain = new Map([
      ['a', ['b', 'c']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(findCycles(chain)).toEqual([]);
  });

  const graph = importGraph(ROOTS.flatMap(tsFiles));

  it.each(ROOTS.map((r) => [path.relative(REPO, r), r]))('%s has none', (_name, root) => {
    const inRoot = (f: string) => !path.relative(root, f).startsWith('..');
    const files = [...graph.keys()].filter(inRoot);
    expect(files.length).toBeGreaterThan(10);
    // The graph is read: some file imports another of the tree.
    expect(files.some((f) => (graph.get(f) ?? []).some(inRoot))).toBe(true);
    const cycles = findCycles(graph)
      .filter((c) => c.some(inRoot))
      .map((c) => c.map((f) => path.relative(REPO, f)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('follows a package name to its index', () => {
    const server = path.join(REPO, 'companion-server/src/server/create-server.ts');
    expect(graph.get(server)).toContain(path.join(REPO, 'packages/core/src/index.ts'));
  });
});
