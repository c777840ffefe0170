// One progress bar for a job's phases: fine-tuning (iterations) then segmentation (frames), or
// rendering (frames). Fine-tuning takes the first 60 % of a segment job's bar.
import type { JobInfo, ProgressEvent } from '@oneshot-roto/protocol';

const FINE_TUNE_SHARE = 0.6;

export interface ProgressView {
  /** 0..1 */
  fraction: number;
  text: string;
}

function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? ` · ${Math.floor(s / 60)} min ${s % 60} s left` : ` · ${s} s left`;
}

function pct(f: number): string {
  return `${Math.floor(Math.min(1, Math.max(0, f)) * 100)} %`;
}

export function jobProgress(p: JobInfo | ProgressEvent, isRender: boolean): ProgressView {
  const ratio = (a?: number, b?: number) => (a !== undefined && b ? Math.min(1, a / b) : 0);
  switch (p.phase) {
    case 'queued': {
      const position = 'position' in p && p.position !== undefined ? ` (position ${p.position + 1})` : '';
      return { fraction: 0, text: `Queued${position}` };
    }
    case 'fineTune': {
      const f = FINE_TUNE_SHARE * ratio(p.iteration, p.iterations);
      const loss = p.loss !== undefined ? ` · loss ${p.loss.toFixed(3)}` : '';
      const it = p.iterations ? ` ${p.iteration ?? 0}/${p.iterations}` : '';
      return { fraction: f, text: `${pct(f)} · Fine-tuning${it}${loss}${eta(p.etaSeconds)}` };
    }
    case 'segment': {
      const r = ratio(p.framesDone, p.framesTotal);
      const f = isRender ? r : FINE_TUNE_SHARE + (1 - FINE_TUNE_SHARE) * r;
      return {
        fraction: f,
        text: `${pct(f)} · Segmenting ${p.framesDone ?? 0}/${p.framesTotal ?? '?'} frames${eta(p.etaSeconds)}`,
      };
    }
    case 'render': {
      const f = ratio(p.framesDone, p.framesTotal);
      return {
        fraction: f,
        text: `${pct(f)} · Rendering ${p.framesDone ?? 0}/${p.framesTotal ?? '?'} frames${eta(p.etaSeconds)}`,
      };
    }
    case 'finished':
      return { fraction: 1, text: '100 % · Done' };
  }
}
