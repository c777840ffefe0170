// Browser APIs that UXP (Premiere Pro / After Effects) does not provide, as patterns over a
// minified bundle. Sources: shared/UXP-NOTES.md (UXP canvas is 2D shapes only; no TextDecoder).

export interface ForbiddenApi {
  api: string;
  why: string;
  pattern: RegExp;
  /** A snippet the pattern must catch (the scanner's own test). */
  sample: string;
}

export const FORBIDDEN_APIS: ForbiddenApi[] = [
  {
    api: 'canvas drawImage',
    why: 'UXP canvas draws shapes only',
    pattern: /\.drawImage\s*\(/,
    sample: 'a.drawImage(b,0,0)',
  },
  {
    api: 'canvas getImageData',
    why: 'UXP canvas has no pixel read-back',
    pattern: /\.getImageData\s*\(/,
    sample: 'a.getImageData(0,0,1,1)',
  },
  {
    api: 'canvas putImageData',
    why: 'UXP canvas has no pixel write',
    pattern: /\.putImageData\s*\(/,
    sample: 'a.putImageData(d,0,0)',
  },
  {
    api: 'canvas toDataURL',
    why: 'UXP canvas cannot be encoded',
    pattern: /\.toDataURL\s*\(/,
    sample: 'c.toDataURL()',
  },
  {
    api: 'canvas toBlob',
    why: 'UXP canvas cannot be encoded',
    pattern: /\.toBlob\s*\(/,
    sample: 'c.toBlob(f)',
  },
  {
    api: 'createImageData',
    why: 'UXP canvas has no image data',
    pattern: /\.createImageData\s*\(/,
    sample: 'c.createImageData(1,1)',
  },
  {
    api: 'createImageBitmap',
    why: 'not in UXP',
    pattern: /\bcreateImageBitmap\s*\(/,
    sample: 'createImageBitmap(b)',
  },
  {
    api: 'OffscreenCanvas',
    why: 'not in UXP',
    pattern: /\bOffscreenCanvas\b/,
    sample: 'new OffscreenCanvas(1,1)',
  },
  { api: 'TextDecoder', why: 'not in UXP', pattern: /\bTextDecoder\b/, sample: 'new TextDecoder()' },
  {
    api: 'localStorage',
    why: 'avoided: the panel keeps the token in UXP secureStorage',
    pattern: /\blocalStorage\b/,
    sample: 'localStorage.getItem(k)',
  },
  {
    api: 'sessionStorage',
    why: 'avoided like localStorage',
    pattern: /\bsessionStorage\b/,
    sample: 'sessionStorage.getItem(k)',
  },
  { api: 'indexedDB', why: 'not in UXP', pattern: /\bindexedDB\b/, sample: 'indexedDB.open(n)' },
  {
    api: 'Web Workers',
    why: 'not in UXP',
    pattern: /\bnew\s+(?:Shared)?Worker\s*\(/,
    sample: 'new Worker(u)',
  },
  {
    api: 'URL.createObjectURL',
    why: 'no blob: URLs for <img> in UXP',
    pattern: /\bcreateObjectURL\s*\(/,
    sample: 'URL.createObjectURL(b)',
  },
  {
    api: 'ResizeObserver',
    why: 'not in UXP',
    pattern: /\bResizeObserver\b/,
    sample: 'new ResizeObserver(f)',
  },
  {
    api: 'document.cookie',
    why: 'no cookies in UXP',
    pattern: /\bdocument\.cookie\b/,
    sample: 'document.cookie',
  },
];

export interface Finding {
  api: string;
  why: string;
  excerpt: string;
}

export function findForbiddenApis(code: string): Finding[] {
  const found: Finding[] = [];
  for (const f of FORBIDDEN_APIS) {
    const m = f.pattern.exec(code);
    if (m)
      found.push({ api: f.api, why: f.why, excerpt: code.slice(Math.max(0, m.index - 60), m.index + 60) });
  }
  return found;
}
