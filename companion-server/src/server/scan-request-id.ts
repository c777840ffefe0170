/**
 * Finds the top-level `"id"` of a JSON object message without parsing it, for answers to messages
 * too large to parse (`too_large` then carries the request's id). One pass, no allocation but the
 * id itself; null when the text is not an object or its id is missing or not a well-formed id.
 */
import { requestIdOf } from '@oneshot-roto/protocol';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i;
}

/** Index after the string starting at i (b[i] is a quote); -1 when unterminated. */
function skipString(b: Uint8Array, i: number): number {
  for (i++; i < b.length; i++) {
    if (b[i] === BACKSLASH) i++;
    else if (b[i] === QUOTE) return i + 1;
  }
  return -1;
}

/** Index after the value starting at i; -1 when malformed or cut short. */
function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i];
      if (d === QUOTE) {
        i = skipString(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // Number, true, false, null.
  while (i < b.length && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d && b[i]! > 0x20) i++;
  return i;
}

export function scanRequestId(b: Uint8Array): string | null {
  let i = skipSpace(b, 0);
  if (b[i] !== 0x7b) return null;
  i++;
  for (;;) {
    i = skipSpace(b, i);
    if (b[i] !== QUOTE) return null;
    const keyStart = i + 1;
    i = skipString(b, i);
    if (i < 0) return null;
    const isId = i - 1 - keyStart === 2 && b[keyStart] === 0x69 && b[keyStart + 1] === 0x64;
    i = skipSpace(b, i);
    if (b[i] !== 0x3a) return null;
    i = skipSpace(b, i + 1);
    if (isId) {
      if (b[i] !== QUOTE) return null;
      const end = skipString(b, i);
      if (end < 0 || end - i - 2 > 64) return null;
      return requestIdOf({ id: Buffer.from(b.subarray(i + 1, end - 1)).toString('latin1') });
    }
    i = skipValue(b, i);
    if (i < 0) return null;
    i = skipSpace(b, i);
    if (b[i] !== 0x2c) return null;
    i++;
  }
}
