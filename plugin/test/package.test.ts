// `npm run package:plugin` turns each built plugin folder into a .ccx: a zip with manifest.json at
// its root, the bundle, the HTML/CSS and the icons, and no source maps.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import AdmZip from 'adm-zip';
import { buildPlugin } from './support/build-plugin';

const script = path.resolve(__dirname, '..', 'scripts', 'package-ccx.js');

test('packs one .ccx per host with the manifest at the root', async () => {
  const built = await buildPlugin();
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'ccx-'));
  fs.cpSync(built, dist, { recursive: true });
  const out = execFileSync(process.execPath, [script, dist], { encoding: 'utf8' });
  expect(out).toMatch(/wrote .*oneshot-roto-premierepro-0\.1\.0\.ccx/);
  for (const host of ['premierepro', 'aftereffects']) {
    const zip = new AdmZip(path.join(dist, `oneshot-roto-${host}-0.1.0.ccx`));
    const names = zip
      .getEntries()
      .map((e) => e.entryName.replace(/\\/g, '/'))
      .sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'index.html',
        'index.js',
        'panel.css',
        'icons/plugin.png',
        'icons/panel@2x.png',
      ]),
    );
    expect(names.filter((n) => n.endsWith('.map'))).toEqual([]);
    const manifest = JSON.parse(zip.readAsText('manifest.json')) as { host: { app: string } };
    expect(manifest.host.app).toBe(host);
  }
}, 180_000);

test('fails with a clear message when the plugin was not built', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ccx-empty-'));
  expect(() => execFileSync(process.execPath, [script, empty], { encoding: 'utf8', stdio: 'pipe' })).toThrow(
    /manifest.json is missing; run `npm run build:plugin` first/,
  );
});
