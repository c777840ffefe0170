/**
 * The lab (experiments and benchmarks in lab/) uses the product only through its public entry
 * points: an area's index, `companion-server/src/<area>` or `companion-server/src/<area>/index`.
 * An import of a file inside an area, or of anything else under companion-server/, fails here with
 * the lab file and the import, so an area can rearrange its files without breaking the lab.
 */
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const LAB = path.join(REPO, 'lab');
const PRODUCT = path.join(REPO, 'companion-server');
const SRC = path.join(PRODUCT, 'src');
/** The workspace's package name: `oneshot-roto/...` reaches into companion-server/ as well. */
const PACKAGE_NAME = 'oneshot-roto';

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
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

/** Why an import from a lab file crosses the boundary, or null when it does not. */
function boundaryViolation(fromFile: string, specifier: string): string | null {
  let target: string;
  if (specifier.startsWith('.')) target = path.resolve(path.dirname(fromFile), specifier);
  else if (specifier === PACKAGE_NAME || specifier.startsWith(`${PACKAGE_NAME}/`))
    target = path.join(PRODUCT, specifier.slice(PACKAGE_NAME.length));
  else return null;
  const inProduct = path.relative(PRODUCT, target);
  if (inProduct.startsWith('..') || path.isAbsolute(inProduct)) return null;
  const inSrc = path.relative(SRC, target).split(path.sep);
  if (inSrc[0] === '..' || inSrc[0] === '') return 'outside companion-server/src';
  const area = inSrc[0] as string;
  const rest = inSrc.slice(1);
  if (!fs.existsSync(path.join(SRC, area)) || !fs.statSync(path.join(SRC, area)).isDirectory())
    return 'a file of companion-server/src, not an area index';
  if (rest.length === 0 || (rest.length === 1 && /^index(\.ts)?$/.test(rest[0] as string))) return null;
  return `a file inside the ${area} area: import '${path.relative(REPO, path.join(SRC, area))}' (its index) instead`;
}

describe('the lab imports only the public entry points of the product', () => {
  it('finds the lab scripts', () => {
    expect(tsFiles(LAB).length).toBeGreaterThan(10);
  });

  it('reaches no file inside a companion-server/src area', () => {
    const violations = tsFiles(LAB).flatMap((file) =>
      importSpecifiers(fs.readFileSync(file, 'utf8')).flatMap((specifier) => {
        const why = boundaryViolation(file, specifier);
        return why ? [`${path.relative(REPO, file)}: '${specifier}' is ${why}`] : [];
      }),
    );
    expect(violations).toEqual([]);
  });

  it('tells an area index from a file inside the area', () => {
    const from = path.join(LAB, 'x.ts');
    expect(boundaryViolation(from, '../companion-server/src/matte')).toBeNull();
    expect(boundaryViolation(from, '../companion-server/src/matte/index')).toBeNull();
    expect(boundaryViolation(from, 'node:path')).toBeNull();
    expect(boundaryViolation(from, './snapping-data')).toBeNull();
    expect(boundaryViolation(from, '../companion-server/src/matte/matte')).toMatch(/inside the matte area/);
    expect(boundaryViolation(from, '../companion-server/src/matte/writers/png')).toMatch(
      /inside the matte area/,
    );
    expect(boundaryViolation(from, '../companion-server/src/version')).toMatch(/not an area index/);
    expect(boundaryViolation(from, '../companion-server/dist/cli/main')).toMatch(
      /outside companion-server\/src/,
    );
    expect(boundaryViolation(from, 'oneshot-roto/src/osvos/presets')).toMatch(/inside the osvos area/);
    expect(
      importSpecifiers(
        `import { a } from '../x/a';\nimport type {\n  B,\n} from "../x/b";\nexport * from '../x/c';\nconst d = await import('../x/d');\nimport '../x/e';`,
      ),
    ).toEqual(['../x/a', '../x/b', '../x/c', '../x/e', '../x/d']);
  });
});
