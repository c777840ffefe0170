/**
 * Protocol version and size limits shared by the companion server and the UXP panel.
 * This folder must stay free of Node-only imports: the panel bundles it with webpack.
 */

/** Bumped on any incompatible change; the server refuses a `hello` with another major. */
export const PROTOCOL_VERSION = 1;

/** WebSocket subprotocol naming this protocol version (offered by the client, echoed by the server). */
export const PROTOCOL_SUBPROTOCOL = 'oneshot-roto.v1';

/**
 * Prefix of the subprotocol that carries the install token where a URL query is unwanted:
 * `new WebSocket(url, ['oneshot-roto.v1', 'oneshot-roto.token.' + token])`.
 */
export const TOKEN_SUBPROTOCOL_PREFIX = 'oneshot-roto.token.';

/** Hard limits; the server answers `too_large` beyond them. */
export const LIMITS = {
  /** One WebSocket message (text or binary), bytes. */
  maxMessageBytes: 16 * 1024 * 1024,
  /** One HTTP request body, bytes. */
  maxHttpBodyBytes: 1024 * 1024,
  /** Any path string, characters. */
  maxPathLength: 4096,
  /** Strokes in one annotation. */
  maxStrokes: 10_000,
  /** Numbers (x,y pairs flattened) in one stroke. */
  maxStrokeCoordinates: 200_000,
  /** Frames in one clip. */
  maxClipFrames: 100_000,
  /** Frame width or height, pixels. */
  maxFrameSide: 8192,
  /** Base64 PNG mask characters inside a JSON message. */
  maxMaskBase64Chars: 12 * 1024 * 1024,
} as const;
