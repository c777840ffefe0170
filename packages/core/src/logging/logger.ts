/**
 * One pino logger for the whole companion server. Logs go to stderr so that CLI output on stdout
 * (tables, JSON, paths) stays machine-readable. Two formats: JSON lines for `serve` and for tools
 * that read logs (`--log-json`), and, for people at a terminal, one short line per message at
 * `warn` and above, so that progress bars and the summary are not buried in JSON.
 * `ONESHOT_ROTO_LOG_LEVEL` (or `--log-level`) sets the level in either format.
 */
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export type LogFormat = 'json' | 'human';
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export interface LoggingOptions {
  format: LogFormat;
  /** Default: `ONESHOT_ROTO_LOG_LEVEL`, else `warn` for people and `info` for JSON. */
  level?: LevelWithSilent;
  /** Where lines go (default stderr); tests pass a collecting stream. */
  destination?: NodeJS.WritableStream;
}

let root: Logger | undefined;

/** The logger, created on first use as JSON lines at `info` unless `configureLogging` ran. */
export function getLogger(): Logger {
  root ??= createLogger({ format: 'json' });
  return root;
}

export function childLogger(component: string): Logger {
  return getLogger().child({ component });
}

/** Replaces the root logger (the server passes its own; tests silence it). */
export function setLogger(logger: Logger): void {
  root = logger;
}

/** Sets the format and level of every later log line (the CLI calls this before each command). */
export function configureLogging(options: LoggingOptions): void {
  root = createLogger(options);
}

function createLogger({ format, level, destination }: LoggingOptions): Logger {
  const env = process.env.ONESHOT_ROTO_LOG_LEVEL;
  const resolved =
    level ?? (env !== undefined && isLogLevel(env) ? env : format === 'human' ? 'warn' : 'info');
  const base = { name: 'oneshot-roto', level: resolved };
  if (format === 'json') {
    // process.stderr, not a raw fd: writes to it are synchronous on files, terminals and (on
    // Linux) pipes, and they go where the process's stderr is redirected, tests included.
    return pino(base, destination ?? process.stderr);
  }
  const stream = pretty({
    destination: destination ?? process.stderr,
    sync: true,
    colorize: destination === undefined && process.stderr.isTTY === true,
    // "WARN: inference: CUDA provider not installed …": the level, the part of the product and
    // the message; the structured fields stay in the JSON format.
    ignore: 'pid,hostname,name,time,component',
    messageFormat: '{if component}{component}: {end}{msg}',
    hideObject: resolved !== 'debug' && resolved !== 'trace',
  });
  return pino(base, stream);
}

export function isLogLevel(value: string): value is LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
