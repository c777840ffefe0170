/**
 * Binary WebSocket messages. Server → client mask payloads start with a fixed 12-byte prefix so
 * the panel (no TextDecoder in UXP) can pair them with their `maskFrame` header using a DataView:
 *   bytes 0..3  ASCII "ORMF" (magic)
 *   bytes 4..7  uint32 LE seq   (the header's `seq`)
 *   bytes 8..11 uint32 LE frame (the header's `frame`)
 *   bytes 12..  PNG (8-bit grayscale)
 * Client → server binary messages are raw PNG bytes and are accepted only right after an
 * annotation request whose mask is `{ kind: 'png', encoding: 'binary' }`.
 */

export const MASK_FRAME_MAGIC = 0x464d524f; // "ORMF" read as uint32 little-endian
export const MASK_FRAME_PREFIX_BYTES = 12;

export interface MaskFramePrefix {
  seq: number;
  frame: number;
}

/** Prefix + payload as one new buffer. */
export function encodeMaskFrame(prefix: MaskFramePrefix, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(MASK_FRAME_PREFIX_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, MASK_FRAME_MAGIC, true);
  view.setUint32(4, prefix.seq >>> 0, true);
  view.setUint32(8, prefix.frame >>> 0, true);
  out.set(payload, MASK_FRAME_PREFIX_BYTES);
  return out;
}

/** Reads the prefix; throws when the message is not a mask frame. The payload is a view, not a copy. */
export function decodeMaskFrame(data: ArrayBuffer | Uint8Array): MaskFramePrefix & { payload: Uint8Array } {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.length < MASK_FRAME_PREFIX_BYTES) {
    throw new RangeError(
      `binary message of ${bytes.length} bytes is shorter than the ${MASK_FRAME_PREFIX_BYTES}-byte mask frame prefix`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MASK_FRAME_MAGIC) {
    throw new RangeError('binary message does not start with the "ORMF" mask frame magic');
  }
  return {
    seq: view.getUint32(4, true),
    frame: view.getUint32(8, true),
    payload: bytes.subarray(MASK_FRAME_PREFIX_BYTES),
  };
}
