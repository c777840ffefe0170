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
  maxStrokes: 2_000,
  /** Numbers (x,y pairs flattened) in one stroke: 10,000 points (a 3-minute drag at 60 Hz). */
  maxStrokeCoordinates: 20_000,
  /** Numbers in all the strokes of one annotation together: 100,000 points. */
  maxMaskCoordinates: 200_000,
  /** Brush radius, in the strokes' coordinate units (the panel's brush is 2–80 display pixels). */
  maxStrokeRadius: 1024,
  /**
   * Rasterising budget of one annotation at the clip's frame size (see mask-budget.ts): row spans
   * are the frame rows each polyline segment or polygon edge crosses, summed (each costs a span
   * computation); area is the pixels each stroke may paint (the smaller of its bounding box and
   * its segments' boxes), summed. An editor's annotation stays far below both; a message that
   * asks for more is answered `too_large` before any pixel is painted.
   */
  maxRasterRowSpans: 16_000_000,
  maxRasterArea: 1_073_741_824,
  /** Frames in one clip. */
  maxClipFrames: 100_000,
  /** Frame width or height, pixels. */
  maxFrameSide: 8192,
  /** Base64 PNG mask characters inside a JSON message. */
  maxMaskBase64Chars: 12 * 1024 * 1024,
} as const;
