/**
 * `oneshot-roto serve` in its own process, as a user runs it, for kill -9 tests: the CLI's own
 * entry (src/cli/main.ts, which bin/oneshot-roto.js loads once compiled) run from source with
 * tsx, so the test exercises the code of the working tree rather than a stale build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO } from './fixtures';

export interface ServeProcess {
  proc: ChildProcess;
  url: string;
  stderr(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill9(): Promise<void>;
}

export function startServeCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<ServeProcess> {
  const code = `require('./companion-server/src/cli/main').main(['node', 'oneshot-roto', 'serve', ...${JSON.stringify(args)}]).catch((e) => { console.error(e.message); process.exit(1); })`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
  const kill9 = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill9();
      reject(new Error(`serve did not start in ${timeoutMs / 1000} s: ${err}`));
    }, timeoutMs);
    proc.once('exit', (c, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${c ?? signal}) before listening: ${err}`));
    });
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, stderr: () => err, kill9 });
      }
    });
  });
}
