// Panel entry point (UXP panel and browser alike): picks the host, mounts the panel.
import { loadHost } from './host/load-host';
import { createTokenStore } from './client/token-store';
import { Panel } from './ui/panel';
import { setChildren } from './ui/dom';
import type { WebSocketLike } from './client/server-client';
import type { FetchLike } from './client/http-client';

function boot(): void {
  const host = loadHost();
  const panel = new Panel({
    host,
    tokens: createTokenStore(),
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
    fetch: ((url, init) => fetch(url, init)) as FetchLike,
  });
  const app = document.getElementById('app') ?? document.body;
  setChildren(app, [panel.root]);
  void panel.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
