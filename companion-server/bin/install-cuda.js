#!/usr/bin/env node
'use strict';
/*
 * `npm run install:cuda`: opt-in install of onnxruntime-node's CUDA execution provider.
 *
 * The onnxruntime-node npm package ships the CPU runtime only; its own install script
 * (node_modules/onnxruntime-node/script/install.js) can download the CUDA 12 provider libraries
 * from NuGet (package Microsoft.ML.OnnxRuntime.Gpu.Linux / .Windows, ~300 MB) into
 * node_modules/onnxruntime-node/bin/napi-v6/<platform>/<arch>/. The project's .npmrc skips that
 * download so that `npm install` works offline; this script runs it on purpose, with
 * ONNXRUNTIME_NODE_INSTALL=cuda12 (the environment variable wins over the .npmrc setting).
 * Needs: linux-x64 or win32-x64, an NVIDIA driver, CUDA 12 and cuDNN 9 at run time, and access
 * to https://api.nuget.org.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');

const NUGET_INDEX = 'https://api.nuget.org/v3/index.json';

function fail(message) {
  console.error(`install:cuda: ${message}`);
  process.exit(1);
}

function checkReachable(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = https.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve({ ok: res.statusCode === 200, detail: `HTTP ${res.statusCode}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => resolve({ ok: false, detail: err.message }));
  });
}

async function main() {
  const platform = `${process.platform}/${process.arch}`;
  if (platform !== 'linux/x64' && platform !== 'win32/x64') {
    fail(
      `the CUDA provider exists for linux/x64 and win32/x64 only, not ${platform}. The CPU provider (and CoreML on macOS) work without it.`,
    );
  }
  let ortDir;
  try {
    ortDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  } catch {
    fail('onnxruntime-node is not installed. Run `npm install` first.');
  }
  const installer = path.join(ortDir, 'script', 'install.js');
  if (!fs.existsSync(installer))
    fail(`${installer} is missing; reinstall onnxruntime-node (\`npm install --force onnxruntime-node\`).`);
  const version = require(path.join(ortDir, 'package.json')).version;
  const binDir = path.join(ortDir, 'bin', 'napi-v6', process.platform, process.arch);

  console.log(`Installing the CUDA 12 execution provider for onnxruntime-node ${version}:`);
  console.log(`  downloads Microsoft.ML.OnnxRuntime.Gpu (${version}) from ${NUGET_INDEX} (a few hundred MB)`);
  console.log(`  and extracts the provider libraries into ${binDir}`);
  console.log('  At run time CUDA needs an NVIDIA driver, CUDA 12 and cuDNN 9 on the library path.');

  // Behind a proxy the direct check would fail although the installer (global-agent) gets through.
  const proxied = Boolean(process.env.GLOBAL_AGENT_HTTPS_PROXY || process.env.GLOBAL_AGENT_HTTP_PROXY);
  const reach = proxied ? { ok: true } : await checkReachable(NUGET_INDEX, 15000);
  if (!reach.ok) {
    fail(
      `cannot reach ${NUGET_INDEX} (${reach.detail}). This machine seems offline or behind a proxy ` +
        "(set GLOBAL_AGENT_HTTPS_PROXY for onnxruntime-node's downloader). Nothing was changed; the CPU provider keeps working.",
    );
  }
  const result = spawnSync(process.execPath, [installer], {
    cwd: ortDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      ONNXRUNTIME_NODE_INSTALL: 'cuda12',
      npm_config_onnxruntime_node_install: 'cuda12',
    },
  });
  if (result.status !== 0) {
    fail(
      `onnxruntime-node's installer failed (exit code ${result.status ?? result.signal}). See its output above; the CPU provider keeps working.`,
    );
  }
  const lib =
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  if (!fs.existsSync(path.join(binDir, lib)))
    fail(`the installer finished but ${path.join(binDir, lib)} is not there.`);
  console.log(`Done: ${path.join(binDir, lib)}. Use --device cuda (or auto) to run on the GPU.`);
}

main().catch((err) => fail(err && err.message ? err.message : String(err)));
