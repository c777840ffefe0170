/**
 * The workspace's packages show the architecture: each imports the packages below it only by name
 * (their index, the package's public entry point), never a file inside one, and never a package
 * above it. From the bottom: @oneshot-roto/protocol and @oneshot-roto/onnx-train import no other
 * workspace package; @oneshot-roto/core imports those two; @oneshot-roto/companion-server (the
 * server and the CLI) imports core and protocol; the panel (plugin/) imports protocol. The lab
 * (experiments and benchmarks in lab/) and the end-to-end tests (test/) may use every package, by
 * name as well. A package's tests may also use the packages below its direct ones (by name) and
 * their test helpers (files under <package>/test that are not tests themselves); the end-to-end tests
 * drive the panel's files directly (the panel is no package, webpack bundles it). An import that
 * breaks a rule fails here with the file and the import.
 */
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const SCOPE = '@oneshot-roto/';

interface Unit {
  /** Folder, relative to the repository root. */
  root: string;
  /** Package name, for the workspace packages. */
  name?: string;
  /** Workspace packages (short names) its sources may import; '*' for all. */
  imports: readonly string[] | '*';
}

const UNITS: readonly Unit[] = [
  { root: 'packages/protocol', name: `${SCOPE}protocol`, imports: [] },
  { root: 'packages/onnx-train', name: `${SCOPE}onnx-train`, imports: [] },
  { root: 'packages/core', name: `${SCOPE}core`, imports: ['protocol', 'onnx-train'] },
  { root: 'companion-server', name: `${SCOPE}companion-server`, imports: ['core', 'protocol'] },
  { root: 'plugin', imports: ['protocol'] },
  { root: 'lab', imports: '*' },
  { root: 'test', imports: '*' },
];
const PACKAGES = UNITS.filter((u) => u.name !== undefined);

function unitOf(file: string): Unit | undefined {
  const rel = path.relative(REPO, file).split(path.sep).join('/');
  return UNITS.find((u) => rel === u.root || rel.startsWith(`${u.root}/`));
}

function shortName(unit: Unit): string {
  return (unit.name as string).slice(SCOPE.length);
}

/** The packages a unit's sources may import, and with its tests, everything below those. */
function allowedPackages(unit: Unit, tests: boolean): Set<string> {
  if (unit.imports === '*') return new Set(PACKAGES.map(shortName));
  const allowed = new Set(unit.imports);
  if (tests)
    for (const name of [...allowed]) {
      const dep = PACKAGES.find((p) => shortName(p) === name);
      if (dep) for (const below of allowedPackages(dep, true)) allowed.add(below);
    }
  return allowed;
}

function isTestFile(unit: Unit, file: string): boolean {
  if (unit.imports === '*') return unit.root === 'test';
  return !path.relative(path.join(REPO, unit.root, 'test'), file).startsWith('..');
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'dist'].includes(e.name) ? [] : tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Module specifiers of static imports and re-exports, side-effect imports, import() and require(). */
function importSpecifiers(source: string): string[] {
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1] as string));
}

/** Why an import from a file of the workspace breaks the package rules, or null when it does not. */
function boundaryViolation(fromFile: string, specifier: string): string | null {
  const from = unitOf(fromFile);
  if (!from) return null;
  const tests = isTestFile(from, fromFile);
  const allowed = allowedPackages(from, tests);
  if (specifier.startsWith('.')) {
    const target = path.resolve(path.dirname(fromFile), specifier);
    const to = unitOf(target);
    if (to === from) return null;
    const where = path.relative(REPO, target).split(path.sep).join('/');
    const helper =
      to !== undefined && isTestFile(to, target) && !/\.test(\.ts)?$/.test(target) && to.name !== undefined;
    if (tests && helper && allowed.has(shortName(to))) return null;
    // The panel is no package (webpack bundles its files): the end-to-end tests drive them directly.
    if (from.root === 'test' && to?.root === 'plugin') return null;
    if (to?.name) return `a relative path into ${to.name} (${where}): import '${to.name}' instead`;
    return `a relative path out of ${from.root}/ (${where})`;
  }
  if (!specifier.startsWith(SCOPE)) return null;
  const [name, ...rest] = specifier.slice(SCOPE.length).split('/');
  const to = PACKAGES.find((p) => shortName(p) === name);
  if (!to) return `not a workspace package`;
  if (rest.length > 0) return `a file inside ${to.name}: import '${to.name}' (its index) instead`;
  if (to === from) return `${from.name} importing itself by name: use a relative path`;
  if (!allowed.has(name as string)) {
    const who = from.name ?? `${from.root}/`;
    const may = [...allowed].map((n) => SCOPE + n).join(', ') || 'no workspace package';
    return `${to.name}, which ${who}${tests ? "'s tests" : ''} may not import (it may import ${may})`;
  }
  return null;
}

// This file's own examples of imports are no imports.
const ALL_FILES = UNITS.flatMap((u) => tsFiles(path.join(REPO, u.root))).filter((f) => f !== __filename);

describe('packages import each other only by name, downwards', () => {
  it('finds every part of the workspace', () => {
    for (const unit of UNITS)
      expect({ root: unit.root, files: ALL_FILES.filter((f) => unitOf(f) === unit).length > 0 }).toEqual({
        root: unit.root,
        files: true,
      });
    expect(ALL_FILES.length).toBeGreaterThan(300);
  });

  it('has no import that reaches into a package or up the layers', () => {
    const violations = ALL_FILES.flatMap((file) =>
      importSpecifiers(fs.readFileSync(file, 'utf8')).flatMap((specifier) => {
        const why = boundaryViolation(file, specifier);
        return why ? [`${path.relative(REPO, file)}: '${specifier}' is ${why}`] : [];
      }),
    );
    expect(violations).toEqual([]);
  });

  it('tells a package name from a path into a package, and a package below from one above', () => {
    const at = (rel: string) => path.join(REPO, rel);
    const core = at('packages/core/src/matte/x.ts');
    expect(boundaryViolation(core, '@oneshot-roto/protocol')).toBeNull();
    expect(boundaryViolation(core, '@oneshot-roto/onnx-train')).toBeNull();
    expect(boundaryViolation(core, '../video')).toBeNull();
    expect(boundaryViolation(core, 'node:path')).toBeNull();
    expect(boundaryViolation(core, '@oneshot-roto/companion-server')).toMatch(/may not import/);
    expect(boundaryViolation(core, '@oneshot-roto/core')).toMatch(/itself/);
    expect(boundaryViolation(core, '@oneshot-roto/protocol/src/common')).toMatch(/a file inside/);
    expect(boundaryViolation(core, '@oneshot-roto/onnx-train/dist/index')).toMatch(/a file inside/);
    expect(boundaryViolation(core, '../../../protocol/src/common')).toMatch(/relative path into/);
    expect(boundaryViolation(core, '../../../../companion-server/src/server')).toMatch(/relative path into/);
    const protocol = at('packages/protocol/src/common.ts');
    expect(boundaryViolation(protocol, '@oneshot-roto/core')).toMatch(/may not import/);
    expect(boundaryViolation(protocol, '../../core/src/matte/options')).toMatch(/relative path into/);
    expect(boundaryViolation(at('packages/onnx-train/src/training/x.ts'), '@oneshot-roto/protocol')).toMatch(
      /may not import/,
    );
    const server = at('companion-server/src/server/x.ts');
    expect(boundaryViolation(server, '@oneshot-roto/core')).toBeNull();
    expect(boundaryViolation(server, '@oneshot-roto/onnx-train')).toMatch(/may not import/);
    // Tests use the packages below their own, and those packages' test helpers, but no tests.
    const serverTest = at('companion-server/test/cli/x.test.ts');
    expect(boundaryViolation(serverTest, '@oneshot-roto/onnx-train')).toBeNull();
    expect(
      boundaryViolation(serverTest, '../../../packages/onnx-train/test/training/graph-factory'),
    ).toBeNull();
    expect(boundaryViolation(serverTest, '../../../packages/onnx-train/test/training/loss.test')).toMatch(
      /relative path into/,
    );
    expect(boundaryViolation(serverTest, '../../../packages/core/src/matte')).toMatch(/relative path into/);
    expect(boundaryViolation(at('packages/core/test/x.test.ts'), '../../../companion-server/test/x')).toMatch(
      /relative path into/,
    );
    const panel = at('plugin/src/ui/x.ts');
    expect(boundaryViolation(panel, '@oneshot-roto/protocol')).toBeNull();
    expect(boundaryViolation(panel, '@oneshot-roto/core')).toMatch(/may not import/);
    expect(boundaryViolation(panel, '../../../packages/protocol/src')).toMatch(/relative path into/);
    const e2e = at('test/x.test.ts');
    expect(boundaryViolation(e2e, '../plugin/src/client/server-client')).toBeNull();
    expect(boundaryViolation(e2e, '../companion-server/test/server/helpers/fixtures')).toBeNull();
    expect(boundaryViolation(e2e, '../companion-server/src/server/backend-loader')).toMatch(
      /relative path into/,
    );
    const lab = at('lab/x.ts');
    expect(boundaryViolation(lab, '@oneshot-roto/companion-server')).toBeNull();
    expect(boundaryViolation(lab, './snapping-data')).toBeNull();
    expect(boundaryViolation(lab, '@oneshot-roto/core/src/matte/matte')).toMatch(/a file inside/);
    expect(boundaryViolation(lab, '../companion-server/src/version')).toMatch(/relative path into/);
    expect(boundaryViolation(lab, '../companion-server/dist/cli/main')).toMatch(/relative path into/);
    expect(
      importSpecifiers(
        `import { a } from '../x/a';\nimport type {\n  B,\n} from "../x/b";\nexport * from '../x/c';\nconst d = await import('../x/d');\nimport '../x/e';`,
      ),
    ).toEqual(['../x/a', '../x/b', '../x/c', '../x/e', '../x/d']);
  });
});
