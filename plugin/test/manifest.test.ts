// Validates both UXP manifests: v5 fields, the host, the panel entry point, and network
// permissions that cover exactly the companion server's loopback origins.
import * as fs from 'fs';
import * as path from 'path';
import { allowedOrigins, DEFAULT_PORT } from '../src/client/server-address';

const root = path.resolve(__dirname, '..', '..');
const SERVER_ORIGINS = [
  'http://127.0.0.1:8765',
  'ws://127.0.0.1:8765',
  'http://localhost:8765',
  'ws://localhost:8765',
];

interface Manifest {
  manifestVersion: number;
  id: string;
  name: string;
  version: string;
  main: string;
  host: { app: string; minVersion: string } | unknown[];
  entrypoints: { type: string; id: string; label: { default: string }; icons?: { path: string }[] }[];
  requiredPermissions: { network?: { domains: string[] | 'all' }; localFileSystem?: string };
  icons?: { path: string }[];
}

const manifests: [string, string, string][] = [
  ['manifest.json', 'premierepro', '25.6.0'],
  ['plugin/manifest.aftereffects.json', 'aftereffects', '27.0.0'],
];

function iconFile(p: string): string {
  // "icons/x.png" with scale [1, 2] resolves to icons/x.png and icons/x@2x.png in the built folder.
  return path.join(root, 'plugin', 'src', 'assets', p);
}

describe.each(manifests)('%s', (file, app, minVersion) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Manifest;

  test('is a v5 manifest for a single host', () => {
    expect(manifest.manifestVersion).toBe(5);
    expect(manifest.id).toMatch(/^[a-z0-9.]+$/);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.main).toBe('index.html');
    // A distributable .ccx needs a single host object, not an array.
    expect(Array.isArray(manifest.host)).toBe(false);
    expect(manifest.host).toEqual({ app, minVersion });
  });

  test('declares one panel entry point with a label and existing icons', () => {
    expect(manifest.entrypoints).toHaveLength(1);
    const [panel] = manifest.entrypoints;
    if (!panel) throw new Error('the manifest has no entry point');
    expect(panel.type).toBe('panel');
    expect(panel.label.default).toBe('OneShot Roto');
    for (const icon of [...(panel.icons ?? []), ...(manifest.icons ?? [])]) {
      expect(fs.existsSync(iconFile(icon.path))).toBe(true);
      expect(fs.existsSync(iconFile(icon.path.replace(/\.png$/, '@2x.png')))).toBe(true);
    }
  });

  test("allows exactly the companion server's origins, and files only through the folder picker", () => {
    const domains = manifest.requiredPermissions.network?.domains;
    expect(domains).not.toBe('all');
    expect([...(domains as string[])].sort()).toEqual([...SERVER_ORIGINS].sort());
    // The panel reads no file itself; "request" is what getFolder() (Choose folder…) needs.
    expect(manifest.requiredPermissions.localFileSystem).toBe('request');
  });

  test('names the After Effects panel a beta, and only that one', () => {
    expect(/beta/i.test(manifest.name)).toBe(app === 'aftereffects');
  });

  test('agrees with the other manifest on everything but the host, id and name', () => {
    const other = JSON.parse(
      fs.readFileSync(path.join(root, manifests.find(([f]) => f !== file)![0]), 'utf8'),
    ) as Manifest;
    const strip = (m: Manifest) => ({ ...m, host: undefined, id: undefined, name: undefined });
    expect(strip(manifest)).toEqual(strip(other));
  });
});

test("the manifest origins are the client's default server origins", () => {
  expect([...allowedOrigins(DEFAULT_PORT)].sort()).toEqual([...SERVER_ORIGINS].sort());
});
