// Where the pairing token is kept: UXP's secureStorage (encrypted per user) inside Adobe apps,
// memory elsewhere (the browser host re-pairs per page load).
import { uxpModule } from '../host/uxp-modules';

export interface TokenStore {
  load(): Promise<string | null>;
  save(token: string): Promise<void>;
  clear(): Promise<void>;
}

interface SecureStorage {
  getItem(key: string): Promise<Uint8Array | ArrayBuffer | string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

const KEY = 'oneshot-roto.token';

/** Bytes of an ASCII token to a string (UXP has no TextDecoder). */
function asciiOf(value: Uint8Array | ArrayBuffer | string): string {
  if (typeof value === 'string') return value;
  const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function createTokenStore(): TokenStore {
  const secure = uxpModule<{ storage: { secureStorage?: SecureStorage } }>('uxp')?.storage.secureStorage;
  if (secure) {
    return {
      load: async () => {
        const v = await secure.getItem(KEY);
        return v === null || v === undefined ? null : asciiOf(v);
      },
      save: (token) => secure.setItem(KEY, token),
      clear: () => secure.removeItem(KEY),
    };
  }
  let memory: string | null = null;
  return {
    load: async () => memory,
    save: async (token) => {
      memory = token;
    },
    clear: async () => {
      memory = null;
    },
  };
}
