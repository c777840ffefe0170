/**
 * Who may talk to the server: checks of Host (DNS rebinding), Origin (browser pages) and the
 * install token, shared by the HTTP hook and the WebSocket upgrade.
 */
import { isIP } from 'node:net';
import { TOKEN_SUBPROTOCOL_PREFIX } from '../protocol/version';
import { tokensEqual } from './token';

export interface GuardOptions {
  token: string;
  /** The port actually listened on (Host must name it). */
  port: () => number;
  /** Extra Host names accepted (with --allow-remote-host: the bound address). */
  extraHosts: string[];
  /** Origins accepted besides absent / "null" / non-web schemes (uxp:, file:, plugin:). */
  allowedOrigins: string[];
}

export type GuardResult =
  { ok: true } | { ok: false; status: 401 | 403; code: 'unauthorized' | 'forbidden'; reason: string };

export interface GuardInput {
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
  /** The raw URL (path + query). */
  url: string;
  /** Sec-WebSocket-Protocol values, for upgrades. */
  subprotocols?: string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackAddress(host: string): boolean {
  if (host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.toLowerCase() === '::ffff:127.0.0.1';
  return false;
}

/** The token from the query string, if any. */
export function queryToken(url: string): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  return params.get('token') ?? undefined;
}

/** The URL with any token query parameter masked, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1***');
}

export function checkHost(host: string | undefined, opts: GuardOptions): GuardResult {
  if (!host) return { ok: false, status: 403, code: 'forbidden', reason: 'missing Host header' };
  const port = opts.port();
  const names = [...LOOPBACK_NAMES, ...opts.extraHosts];
  const allowed = names.some((n) => host.toLowerCase() === `${n.toLowerCase()}:${port}`);
  return allowed
    ? { ok: true }
    : { ok: false, status: 403, code: 'forbidden', reason: `foreign Host header "${host.slice(0, 100)}"` };
}

export function checkOrigin(origin: string | undefined, opts: GuardOptions): GuardResult {
  if (origin === undefined || origin === '' || origin === 'null') return { ok: true };
  if (opts.allowedOrigins.includes(origin)) return { ok: true };
  // Web pages have http(s) origins; the UXP panel sends none or a non-web scheme.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(origin)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'http' && scheme !== 'https' && scheme !== 'ws' && scheme !== 'wss')
    return { ok: true };
  return {
    ok: false,
    status: 403,
    code: 'forbidden',
    reason: `Origin "${origin.slice(0, 100)}" is not allowed (add it with --allow-origin if it is your panel)`,
  };
}

export function checkToken(input: GuardInput, opts: GuardOptions): GuardResult {
  const candidates: string[] = [];
  const auth = input.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) candidates.push(m[1]);
  }
  const q = queryToken(input.url);
  if (q !== undefined) candidates.push(q);
  for (const p of input.subprotocols ?? []) {
    if (p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) candidates.push(p.slice(TOKEN_SUBPROTOCOL_PREFIX.length));
  }
  if (candidates.length === 0) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      reason: 'no token: send "Authorization: Bearer <token>", ?token=, or the token subprotocol',
    };
  }
  // Every given token must be right, so a wrong one can't hide behind a right one.
  if (!candidates.every((c) => tokensEqual(c, opts.token))) {
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      reason: 'wrong token: copy the token printed by `oneshot-roto serve`',
    };
  }
  return { ok: true };
}

/** Host, then Origin, then token. */
export function guardRequest(input: GuardInput, opts: GuardOptions): GuardResult {
  const host = checkHost(input.host, opts);
  if (!host.ok) return host;
  const origin = checkOrigin(input.origin, opts);
  if (!origin.ok) return origin;
  return checkToken(input, opts);
}
