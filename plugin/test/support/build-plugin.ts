// Builds the plugin with the real webpack config into a temp folder keyed by a hash of its inputs,
// so tests check the current sources and several test files share one build.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import webpack from 'webpack';

const root = path.resolve(__dirname, '..', '..', '..');
const inputs = [
  path.join(root, 'plugin', 'src'),
  path.join(root, 'packages', 'protocol', 'src'),
  path.join(root, 'manifest.json'),
  path.join(root, 'plugin', 'manifest.aftereffects.json'),
  path.join(root, 'plugin', 'webpack.config.js'),
];

function hashInputs(): string {
  const hash = crypto.createHash('sha256');
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name));
    } else {
      hash.update(path.relative(root, p));
      hash.update(fs.readFileSync(p));
    }
  };
  inputs.forEach(visit);
  return hash.digest('hex').slice(0, 16);
}

/** Folder holding premierepro/ and aftereffects/ plugin folders built from the current sources. */
export async function buildPlugin(): Promise<string> {
  const outDir = path.join(os.tmpdir(), `oneshot-roto-plugin-${hashInputs()}`);
  if (fs.existsSync(path.join(outDir, 'aftereffects', 'manifest.json'))) return outDir;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- webpack.config.js is CommonJS, loaded by path
  const configFactory = require(path.join(root, 'plugin', 'webpack.config.js')) as (
    env: object,
  ) => webpack.Configuration;
  const tmp = `${outDir}.tmp-${process.pid}`;
  const config = configFactory({ outDir: tmp });
  const stats = await new Promise<webpack.Stats>((resolve, reject) => {
    webpack(config, (err, s) =>
      err || !s ? reject(err ?? new Error('webpack returned no stats')) : resolve(s),
    );
  });
  if (stats.hasErrors()) {
    throw new Error(`webpack failed to build the plugin:\n${stats.toString({ all: false, errors: true })}`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return outDir;
}
