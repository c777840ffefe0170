// HTTP side of the companion server: health (also tells a wrong token from a stopped server) and
// the URLs the panel's <img> elements load (token in the query: an <img> can't send headers).
import { HTTP_ROUTES, frameUrl, overlayUrl, withToken, type HealthResponse } from '@oneshot-roto/protocol';
import { httpBase, type ServerAddress } from './server-address';

export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string> },
) => Promise<{ status: number; json(): Promise<unknown> }>;

export type HealthResult =
  | { status: 'ok'; health: HealthResponse }
  | { status: 'unauthorized' }
  | { status: 'unreachable'; message: string };

export async function fetchHealth(
  address: ServerAddress,
  token: string,
  fetchFn: FetchLike,
): Promise<HealthResult> {
  try {
    const res = await fetchFn(`${httpBase(address)}${HTTP_ROUTES.health}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status === 401 || res.status === 403) return { status: 'unauthorized' };
    if (res.status !== 200) return { status: 'unreachable', message: `HTTP ${res.status}` };
    return { status: 'ok', health: (await res.json()) as HealthResponse };
  } catch (err) {
    return { status: 'unreachable', message: (err as Error).message };
  }
}

export function frameImageUrl(
  address: ServerAddress,
  token: string,
  clipId: string,
  frame: number,
  maxSide?: number,
): string {
  const path = frameUrl(clipId, frame) + (maxSide ? `?maxSide=${maxSide}` : '');
  return withToken(httpBase(address) + path, token);
}

export function overlayImageUrl(
  address: ServerAddress,
  token: string,
  clipId: string,
  frame: number,
  objectId: string,
  maxSide?: number,
  track = true,
): string {
  const path = overlayUrl(clipId, frame, objectId, { track }) + (maxSide ? `&maxSide=${maxSide}` : '');
  return withToken(httpBase(address) + path, token);
}
