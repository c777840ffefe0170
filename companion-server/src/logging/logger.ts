/**
 * One pino logger for the whole companion server. Logs go to stderr so that CLI output on stdout
 * (tables, JSON, paths) stays machine-readable. `ONESHOT_ROTO_LOG_LEVEL` sets the level.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

let root: Logger | undefined;

export function getLogger(): Logger {
  if (!root) {
    root = pino(
      { name: 'oneshot-roto', level: process.env.ONESHOT_ROTO_LOG_LEVEL ?? 'info' },
      pino.destination({ fd: 2, sync: true }),
    );
  }
  return root;
}

export function childLogger(component: string): Logger {
  return getLogger().child({ component });
}

/** Replaces the root logger (the server passes its own; tests silence it). */
export function setLogger(logger: Logger): void {
  root = logger;
}
