// Where the companion server listens. Only loopback is allowed: the manifest's network
// permissions list exactly these origins, and the server binds 127.0.0.1.
import { HTTP_ROUTES } from '@oneshot-roto/protocol';

export const DEFAULT_PORT = 8765;
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost'] as const;
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];

export interface ServerAddress {
  readonly host: LoopbackHost;
  readonly port: number;
}

export const DEFAULT_ADDRESS: ServerAddress = { host: '127.0.0.1', port: DEFAULT_PORT };

/** Every origin the panel talks to for a port (what the manifest must allow). */
export function allowedOrigins(port: number): string[] {
  return LOOPBACK_HOSTS.flatMap((h) => [`http://${h}:${port}`, `ws://${h}:${port}`]);
}

/**
 * The ports the UXP manifests allow (`requiredPermissions.network.domains`). Inside Premiere or
 * After Effects the panel can reach no other: serving on another port means changing both
 * manifests' domains (allowedOrigins(port)) and rebuilding the plugin.
 */
export const MANIFEST_PORTS: readonly number[] = [DEFAULT_PORT];

/**
 * Parses "127.0.0.1:8765", "http://localhost:8765/" or "8765"; refuses anything not on loopback,
 * and any port outside `allowedPorts` when given (the UXP hosts pass MANIFEST_PORTS).
 */
export function parseServerAddress(text: string, allowedPorts?: readonly number[]): ServerAddress {
  const trimmed = text.trim();
  const m = /^\d+$/.test(trimmed)
    ? [trimmed, undefined, trimmed]
    : /^(?:(?:https?|wss?):\/\/)?([A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(trimmed);
  const host = (m?.[1] ?? '127.0.0.1').toLowerCase();
  const port = Number(m?.[2] ?? DEFAULT_PORT);
  if (!m || !(LOOPBACK_HOSTS as readonly string[]).includes(host)) {
    throw new Error(
      `"${trimmed}" is not a local server address. The companion server runs on this machine: use 127.0.0.1:${DEFAULT_PORT}.`,
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`"${trimmed}" has no valid port (1-65535).`);
  }
  if (allowedPorts && !allowedPorts.includes(port)) {
    throw new Error(
      `The plugin's manifest allows only port ${allowedPorts.join(', ')}: start the server with --port ${DEFAULT_PORT}, ` +
        `or add ${allowedOrigins(port).join(', ')} to both manifests' network domains and rebuild the plugin.`,
    );
  }
  return { host: host as LoopbackHost, port };
}

export function httpBase(a: ServerAddress): string {
  return `http://${a.host}:${a.port}`;
}

export function wsUrl(a: ServerAddress): string {
  return `ws://${a.host}:${a.port}${HTTP_ROUTES.ws}`;
}
