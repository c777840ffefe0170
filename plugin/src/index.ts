// Panel entry point (UXP panel and browser alike): picks the host, mounts the panel.
import { loadHost } from './host/load-host';
import { createTokenStore } from './client/token-store';
import { Panel } from './ui/panel';
import { setChildren } from './ui/dom';
import { uxpModule } from './host/uxp-modules';
import type { WebSocketLike } from './client/server-client';
import { MANIFEST_PORTS } from './client/server-address';

interface UxpStorage {
  storage: { localFileSystem: { getFolder(): Promise<{ nativePath: string } | null> } };
}

/** UXP's native folder dialog; undefined outside UXP. */
function uxpFolderPicker(): (() => Promise<string | null>) | undefined {
  const uxp = uxpModule<UxpStorage>('uxp');
  if (!uxp) return undefined;
  return async () => (await uxp.storage.localFileSystem.getFolder())?.nativePath ?? null;
}

function boot(): void {
  const host = loadHost();
  const panel = new Panel({
    host,
    tokens: createTokenStore(),
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike,
    fetch: (url, init) => fetch(url, init),
    pickFolder: uxpFolderPicker(),
    // UXP's network permission admits only the manifests' origins; a browser has no such limit.
    allowedPorts: uxpModule('uxp') ? MANIFEST_PORTS : undefined,
  });
  const app = document.getElementById('app') ?? document.body;
  setChildren(app, [panel.root]);
  void panel.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
