/**
 * Who may talk to the server: checks of Host (DNS rebinding), Origin (browser pages) and the
 * install token, shared by the HTTP hook and the WebSocket upgrade.
 */
import { BlockList, isIP } from 'node:net';
import { TOKEN_SUBPROTOCOL_PREFIX } from '@oneshot-roto/protocol';
import { tokensEqual } from './token';

export interface GuardOptions {
  token: string;
  /** The port actually listened on (Host must name it). */
  port: () => number;
  /** Extra Host names accepted (with --allow-remote-host: the bound address). */
  extraHosts: string[];
  /** Origins accepted besides none and the UXP panel's `uxp:` ones (`serve --allow-origin`). */
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

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** localhost, 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (any spelling), with or without brackets. */
export function isLoopbackAddress(host: string): boolean {
  const h = unbracket(host);
  if (h === 'localhost') return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

function unbracket(name: string): string {
  return name.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** Splits a Host header into name and port ("[::1]:8765" → "[::1]", "8765"). */
function splitHost(host: string): { name: string; port: string } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(host);
  return m ? { name: m[1]!, port: m[2]! } : undefined;
}

/** The token query parameters (every one given). */
export function queryTokens(url: string): string[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return new URLSearchParams(url.slice(q + 1)).getAll('token');
}

/** The token from the query string, if exactly one is given. */
export function queryToken(url: string): string | undefined {
  const all = queryTokens(url);
  return all.length === 1 ? all[0] : undefined;
}

/** The URL with any token query parameter masked, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1***');
}

export function checkHost(host: string | undefined, opts: GuardOptions): GuardResult {
  if (!host) return { ok: false, status: 403, code: 'forbidden', reason: 'missing Host header' };
  const port = opts.port();
  const parts = splitHost(host);
  const allowed =
    parts !== undefined &&
    Number(parts.port) === port &&
    (isLoopbackAddress(parts.name) || opts.extraHosts.some((n) => unbracket(n) === unbracket(parts.name)));
  return allowed
    ? { ok: true }
    : { ok: false, status: 403, code: 'forbidden', reason: `foreign Host header "${host.slice(0, 100)}"` };
}

/**
 * The UXP panel's own origins. What Origin a UXP WebSocket or fetch sends is not documented by
 * Adobe: the WebSocket reference (developer.adobe.com/photoshop/uxp/…/Data Transfers/WebSocket)
 * only requires the manifest's `requiredPermissions.network.domains`, and says nothing of headers.
 * Evidence found: UXP's own code is served from `uxp://uxp-internal/…` (host logs, e.g.
 * "at Object.setup (uxp://uxp-internal/pluginmanager_scripts.js)"), and servers written for
 * Premiere/Photoshop UXP panels accept `uxp://uxp-internal` and `uxp://<plugin id>` as the panel's
 * Origin (e.g. a FreeFrame API test of its Premiere UXP device flow) — or no Origin at all, as
 * native clients send (RFC 6455 §4.1: only browser clients must send one; the CLI's `ws`/`fetch`
 * clients send none). So: no Origin and `uxp:` origins are the panel or the CLI; `null` (sandboxed
 * iframes, `file:` pages, opaque redirects), `file:`, `blob:`, `chrome-extension:` and every
 * http(s) origin are browser contexts, refused unless listed with `serve --allow-origin`.
 */
export function isUxpOrigin(origin: string): boolean {
  return /^uxp:\/\/[A-Za-z0-9._-]+\/?$/.test(origin);
}

export function checkOrigin(origin: string | undefined, opts: GuardOptions): GuardResult {
  if (origin === undefined) return { ok: true };
  if (origin !== 'null' && (isUxpOrigin(origin) || opts.allowedOrigins.includes(origin))) return { ok: true };
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
    if (m) candidates.push(m[1]!);
  }
  const q = queryTokens(input.url);
  if (q.length > 1) {
    // Two values could be read differently by two parsers (first wins here, last wins there).
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      reason: `the token query parameter is given ${q.length} times; give it once`,
    };
  }
  candidates.push(...q);
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
