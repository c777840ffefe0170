// The panel's link to the companion server: the address and token it paired with (frame and
// overlay images are fetched with them too), the token saved for the next session, and a fresh
// ServerClient on each Pair. What the server sends goes to the listeners the panel hands in.
import { ServerClient, type ClientListeners, type WebSocketFactory } from '../client/server-client';
import { DEFAULT_ADDRESS, type ServerAddress } from '../client/server-address';
import { fetchHealth, frameImageUrl, overlayImageUrl, type FetchLike } from '../client/http-client';
import type { TokenStore } from '../client/token-store';

/** Longest side of frames shown in the panel (the server downsizes). */
const VIEW_MAX_SIDE = 1280;

export interface ServerConnectionDeps {
  tokens: TokenStore;
  createSocket: WebSocketFactory;
  fetch: FetchLike;
  /** How the panel names itself to the server. */
  clientName: string;
}

export class ServerConnection {
  private client: ServerClient | undefined;
  private pairedAddress: ServerAddress = DEFAULT_ADDRESS;
  private pairedToken = '';

  constructor(
    private readonly deps: ServerConnectionDeps,
    private readonly listeners: ClientListeners,
  ) {}

  /** A clip frame's image, sized for the panel. */
  frameUrl(clipId: string, frame: number): string {
    return frameImageUrl(this.pairedAddress, this.pairedToken, clipId, frame, VIEW_MAX_SIDE);
  }

  /**
   * The object's result drawn over a clip frame; `version` makes a changed mask load anew, `track`
   * false shows the whole mask, as a render without the piece track.
   */
  overlayUrl(clipId: string, frame: number, objectId: string, version: number, track = true): string {
    const url = overlayImageUrl(
      this.pairedAddress,
      this.pairedToken,
      clipId,
      frame,
      objectId,
      VIEW_MAX_SIDE,
      track,
    );
    return `${url}&v=${version}`;
  }

  get connected(): boolean {
    return this.client?.connectionState.status === 'connected';
  }

  /** The client, connected or not, for requests that are skipped without one. */
  get current(): ServerClient | undefined {
    return this.client;
  }

  /** The connected client; throws when there is none. */
  require(): ServerClient {
    if (!this.client || !this.connected)
      throw new Error('Not connected to the companion server: pair first.');
    return this.client;
  }

  /**
   * Connects to `address` with `token`, closing the previous client. The address is taken even
   * when the token is empty, as the panel always did; then nothing else happens and it returns false.
   */
  pair(address: ServerAddress, token: string): boolean {
    this.pairedAddress = address;
    if (!token) return false;
    this.pairedToken = token;
    void this.deps.tokens.save(token);
    this.client?.close();
    const client = new ServerClient({
      address,
      token,
      createSocket: this.deps.createSocket,
      clientName: this.deps.clientName,
      probeAuth: async () => (await fetchHealth(address, token, this.deps.fetch)).status,
    });
    client.on('state', this.listeners.state);
    client.on('progress', this.listeners.progress);
    client.on('job', this.listeners.job);
    client.on('maskFrame', this.listeners.maskFrame);
    this.client = client;
    client.connect();
    return true;
  }
}
