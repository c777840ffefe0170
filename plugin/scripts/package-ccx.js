#!/usr/bin/env node
// Packs each built plugin folder (plugin/dist/<host>) into a .ccx, which is a zip of the folder
// with manifest.json at its root: plugin/dist/oneshot-roto-<host>-<version>.ccx. An optional
// argument names another build folder (tests).
const fs = require('fs');
const path = require('path');
const AdmZip = require('adm-zip');

const dist = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist'));
const hosts = ['premierepro', 'aftereffects'];
for (const host of hosts) {
  const folder = path.join(dist, host);
  const manifestPath = path.join(folder, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    console.error(`package:plugin: ${manifestPath} is missing; run \`npm run build:plugin\` first.`);
    process.exit(1);
  }
  const { version } = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const zip = new AdmZip();
  // Source maps stay out of the distributable.
  zip.addLocalFolder(folder, '', (name) => !name.endsWith('.map'));
  const out = path.join(dist, `oneshot-roto-${host}-${version}.ccx`);
  zip.writeZip(out);
  console.log(`package:plugin: wrote ${path.relative(process.cwd(), out)}`);
}
