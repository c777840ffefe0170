// The file stem of each render's matte ("OneShot Roto interview person r20261204-133012345-1"),
// so that no two renders write the same files: two clips from one folder, or two renders of one
// clip, never overwrite a matte already on the timeline. The server names the frames
// `<stem>_<source frame>.png`; its schema allows letters, digits, space, `_`, `.` and `-`.
import { MATTE_ITEM_PREFIX } from '../host/host-adapter';

const MAX_STEM = 128;

/** Keeps what the server's name pattern allows; other characters become `-`. */
function clean(text: string, max: number): string {
  return text
    .replace(/[^A-Za-z0-9 _-]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

function stamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-12-04T13:30:12.345Z
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 23).replace(/[:.]/g, '')}`;
}

/**
 * Hands out one stem per render. The stem carries the clip and object names (for the editor), the
 * time (across panel sessions) and a counter (two renders within one millisecond).
 */
export class MatteNamer {
  private count = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(clipName: string, objectName: string): string {
    this.count += 1;
    const tail = ` r${stamp(this.now())}-${this.count}`;
    const room = MAX_STEM - MATTE_ITEM_PREFIX.length - tail.length - 2;
    const clip = clean(clipName.replace(/\.[A-Za-z0-9]{1,5}$/, ''), Math.floor(room * 0.6));
    const object = clean(objectName, room - clip.length);
    return [MATTE_ITEM_PREFIX, clip, object].filter((p) => p !== '').join(' ') + tail;
  }
}
