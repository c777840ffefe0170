/** Spawns serve-child.ts and waits for its port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './fixtures';

export interface ChildServer {
  proc: ChildProcess;
  port: number;
  url: string;
  stderr: () => string;
  kill9(): Promise<void>;
  /** Asks the child to collect garbage and report its RSS (bytes). */
  memory(): Promise<{ rss: number; heapUsed: number }>;
}

export function startChildServer(
  workspace: string,
  env: NodeJS.ProcessEnv,
  iterationDelayMs: number,
  frameDelayMs: number,
): Promise<ChildServer> {
  const proc = spawn(
    process.execPath,
    [
      // The fuzz test's memory probe runs a full GC before reading RSS.
      '--expose-gc',
      '--import',
      'tsx',
      join(__dirname, 'serve-child.ts'),
      workspace,
      String(iterationDelayMs),
      String(frameDelayMs),
    ],
    {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child server did not start in 60 s: ${err}`)), 60_000);
    proc.once('exit', (code) => reject(new Error(`child server exited with ${code}: ${err}`)));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          proc,
          port,
          url: `http://127.0.0.1:${port}`,
          stderr: () => err,
          memory: () =>
            new Promise((res) => {
              const onData = (d: Buffer) => {
                const mm = /\{"rss":(\d+),"heapUsed":(\d+)\}/.exec(d.toString());
                if (mm) {
                  proc.stdout.off('data', onData);
                  res({ rss: Number(mm[1]), heapUsed: Number(mm[2]) });
                }
              };
              proc.stdout.on('data', onData);
              proc.kill('SIGUSR2');
            }),
          kill9: () =>
            new Promise<void>((res) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return res();
              proc.once('exit', () => res());
              proc.kill('SIGKILL');
            }),
        });
      }
    });
  });
}
