/**
 * `oneshot-roto serve`: runs the companion server the panel talks to, until SIGINT/SIGTERM.
 * Prints the URL and the pairing token on stdout; logs go to stderr.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isDeviceChoice, childLogger } from '@oneshot-roto/core';
import { createServer, DEFAULT_HOST, DEFAULT_PORT } from '../../server/create-server';
import { isLoopbackAddress } from '../../server/request-guard';
import { BACKEND_CHOICES, loadBackend, type BackendChoice } from '../../server/backend-loader';

interface ServeOptions {
  port: number;
  host: string;
  workspace: string;
  allowRemoteHost?: boolean;
  allowOrigin: string[];
  workers: number;
  backend: BackendChoice;
  device?: string;
  resolution?: number;
}

function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

export function defaultWorkspace(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONESHOT_ROTO_WORKSPACE) return env.ONESHOT_ROTO_WORKSPACE;
  const data =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/')
      ? env.XDG_DATA_HOME
      : join(homedir(), '.local', 'share');
  return join(data, 'oneshot-roto', 'workspace');
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the local companion server for the Premiere Pro / After Effects panel')
    .option('-p, --port <port>', 'TCP port', intOption(0, 65535), DEFAULT_PORT)
    .option(
      '--host <address>',
      'address to listen on (loopback only unless --allow-remote-host)',
      DEFAULT_HOST,
    )
    .option(
      '-w, --workspace <dir>',
      'folder for clips, annotations, weights and masks (default: $ONESHOT_ROTO_WORKSPACE or ~/.local/share/oneshot-roto/workspace)',
    )
    .option(
      '--allow-remote-host',
      'allow a non-loopback --host (other machines could then reach the server; the token still applies)',
    )
    .option(
      '--allow-origin <origin...>',
      'extra browser Origins to accept (http(s) origins are refused otherwise)',
      [],
    )
    .option('--workers <n>', 'jobs run at the same time', intOption(1, 16), 1)
    .addOption(
      new Option('--backend <name>', 'segmentation backend').choices([...BACKEND_CHOICES]).default('osvos'),
    )
    .option('--device <device>', 'execution provider: auto, cpu, cuda, ...')
    .option('--resolution <px>', 'network input resolution', intOption(64, 2048))
    .action(async (opts: ServeOptions) => {
      const log = childLogger('serve');
      if (opts.device !== undefined && !isDeviceChoice(opts.device)) {
        throw new InvalidArgumentError(`unknown --device "${opts.device}"`);
      }
      const backend = loadBackend(opts.backend, {
        device: opts.device,
        resolution: opts.resolution,
      });
      const server = await createServer({
        workspace: opts.workspace ?? defaultWorkspace(),
        backend,
        port: opts.port,
        host: opts.host,
        allowRemoteHost: opts.allowRemoteHost,
        allowedOrigins: opts.allowOrigin,
        workers: opts.workers,
        logger: childLogger('server'),
      });
      const { url } = await server.listen();
      const t = server.tokenInfo;
      if (opts.allowRemoteHost && !isLoopbackAddress(opts.host))
        process.stderr.write(
          `WARNING: --allow-remote-host: the server listens on ${opts.host}, not on loopback. Other machines on your network can reach it; only the pairing token protects your clips and files. Stop it and use --host 127.0.0.1 unless you really need this.\n`,
        );
      process.stdout.write(
        `OneShot Roto companion server listening on ${url} (backend: ${backend.name})\n` +
          `workspace: ${server.workspace.root}\n` +
          `pairing token: ${t.token}\n` +
          (t.path
            ? `  (${t.source === 'created' ? 'created' : 'read from'} ${t.path}; set ONESHOT_ROTO_TOKEN to override)\n`
            : '  (from ONESHOT_ROTO_TOKEN)\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info({ signal }, 'shutting down');
          server.close().then(resolve, (err) => {
            log.error({ err }, 'shutdown failed');
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
