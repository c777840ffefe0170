#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled from TypeScript by `npm run build` (run by `npm install`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error(`oneshot-roto: ${entry} is missing. Run \`npm run build\` in ${path.resolve(__dirname, '..', '..')} first.`);
  process.exit(1);
}
require(entry).main(process.argv).catch((err) => {
  console.error(`oneshot-roto: ${err && err.message ? err.message : err}`);
  process.exit(typeof err?.exitCode === 'number' ? err.exitCode : 1);
});
