/**
 * `oneshot-roto serve` as a user runs it: a separate process that creates and prints the pairing
 * token (mode 0600 in the config dir), answers /health with it, refuses a non-loopback --host,
 * and shuts down cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempDir } from '../companion-server/test/server/helpers/fixtures';

jest.setTimeout(120_000);

function runCli(args: string[], env: NodeJS.ProcessEnv) {
  const code = `require('./companion-server/src/cli/main').main(['node', 'oneshot-roto', ...${JSON.stringify(args)}]).catch((e) => { console.error(e.message); process.exit(1); })`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: REPO,
    env: { ...process.env, ...env, ONESHOT_ROTO_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  return { proc, out: () => out, err: () => err, exited };
}

test('serve prints the URL and a new pairing token, serves /health with it, and stops on SIGTERM', async () => {
  const config = await tempDir('cli-cfg');
  const workspace = await tempDir('cli-ws');
  const cli = runCli(['serve', '--port', '0', '--workspace', workspace], { ONESHOT_ROTO_CONFIG_DIR: config });
  const started = Date.now();
  while (!/pairing token: \S+/.test(cli.out()) && Date.now() - started < 90_000) {
    if (cli.proc.exitCode !== null) throw new Error(`serve exited: ${cli.err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.out())![1];
  const token = /pairing token: (\S+)/.exec(cli.out())![1];
  const file = join(config, 'token');
  expect((await fs.readFile(file, 'utf8')).trim()).toBe(token);
  expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  expect((await fetch(`${url}/health`)).status).toBe(401);
  const health = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${token}` } });
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, backend: 'osvos', queue: { depth: 0 } });
  cli.proc.kill('SIGTERM');
  expect(await cli.exited).toBe(0);
});

test('serve refuses a non-loopback --host without --allow-remote-host', async () => {
  const cli = runCli(['serve', '--port', '0', '--host', '0.0.0.0', '--workspace', await tempDir('cli-ws')], {
    ONESHOT_ROTO_CONFIG_DIR: await tempDir('cli-cfg'),
  });
  expect(await cli.exited).not.toBe(0);
  expect(cli.err()).toMatch(/not a loopback address.*--allow-remote-host/);
});
