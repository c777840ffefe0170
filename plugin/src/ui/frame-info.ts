// The line under the frame: the clip, the frame shown, its size and rate, and the object being
// painted (and whether for a correction), so the editor always knows what a stroke applies to.
import type { ClipInfo } from '@oneshot-roto/protocol';
import type { ActiveClip } from '../host/host-adapter';
import { el } from './dom';

export interface ShownFrame {
  clip: ActiveClip;
  info: ClipInfo;
  /** Clip frame (0-based). */
  frame: number;
  objectName: string;
  correcting: boolean;
}

export class FrameInfoLine {
  readonly root: HTMLElement = el('div', { className: 'frame-info', 'data-testid': 'frame-info' }, [
    'No clip',
  ]);

  show(s: ShownFrame | undefined): void {
    if (!s) {
      this.root.textContent = 'No clip';
      return;
    }
    const { clip, info } = s;
    const fps = info.fps.toFixed(3).replace(/\.?0+$/, '');
    const what = s.correcting ? ' · correction' : '';
    this.root.textContent = `${clip.name} · frame ${s.frame + 1} of ${info.frameCount} · ${info.width}×${info.height} · ${fps} fps · ${s.objectName}${what}`;
  }
}
