// Builds the panel once into <outDir>/premierepro and copies it to <outDir>/aftereffects with the
// After Effects manifest: two loadable plugin folders (UXP Developer Tool loads the folder that
// holds manifest.json) from the same sources. `--env outDir=...` builds elsewhere (tests).
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const manifests = {
  premierepro: path.join(root, 'manifest.json'),
  aftereffects: path.join(__dirname, 'manifest.aftereffects.json'),
};
const iconDir = path.join(__dirname, 'src', 'assets', 'icons');

/** Emits the static files (HTML, CSS, icons, manifest) and copies the result for the other host. */
class PluginFolders {
  constructor(outDir) {
    this.outDir = outDir;
  }
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    const statics = [
      [manifests.premierepro, 'manifest.json'],
      [path.join(__dirname, 'src', 'index.html'), 'index.html'],
      [path.join(__dirname, 'src', 'ui', 'panel.css'), 'panel.css'],
      ...fs.readdirSync(iconDir).map((f) => [path.join(iconDir, f), `icons/${f}`]),
    ];
    compiler.hooks.thisCompilation.tap('PluginFolders', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'PluginFolders', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          for (const [from, to] of statics) {
            compilation.fileDependencies.add(from);
            compilation.emitAsset(to, new sources.RawSource(fs.readFileSync(from)));
          }
          compilation.fileDependencies.add(manifests.aftereffects);
        },
      );
    });
    compiler.hooks.afterEmit.tap('PluginFolders', () => {
      const from = path.join(this.outDir, 'premierepro');
      const to = path.join(this.outDir, 'aftereffects');
      fs.rmSync(to, { recursive: true, force: true });
      fs.cpSync(from, to, { recursive: true });
      fs.copyFileSync(manifests.aftereffects, path.join(to, 'manifest.json'));
    });
  }
}

module.exports = (env = {}) => {
  const outDir = path.resolve(env.outDir || path.join(__dirname, 'dist'));
  return {
    mode: env.development ? 'development' : 'production',
    // UXP runs no eval()-wrapped modules reliably: a plain bundle with a separate source map.
    devtool: false,
    target: ['web', 'es2020'],
    entry: path.join(__dirname, 'src', 'index.ts'),
    output: { path: path.join(outDir, 'premierepro'), filename: 'index.js', clean: true },
    resolve: {
      extensions: ['.ts', '.js'],
      // The protocol package's sources (TypeBox only), transpiled with the panel's: not its dist/.
      alias: { '@oneshot-roto/protocol$': path.join(root, 'packages', 'protocol', 'src', 'index.ts') },
    },
    module: {
      rules: [
        {
          test: /\.ts$/,
          loader: 'ts-loader',
          // Type-checking is done once by `tsc -p plugin/tsconfig.json` in build:plugin.
          options: { transpileOnly: true, configFile: path.join(__dirname, 'tsconfig.json') },
        },
      ],
    },
    performance: { hints: false },
    plugins: [
      new (require('webpack').SourceMapDevToolPlugin)({ test: /\.js$/, filename: '[file].map' }),
      new PluginFolders(outDir),
    ],
  };
};
