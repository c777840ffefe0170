// The progress bar of the job the panel follows (segment, correction or render), with its Cancel
// button. It shows; the panel decides which job's progress it is (jobProgress words it).
import type { JobInfo, ProgressEvent } from '@oneshot-roto/protocol';
import { button, el } from './dom';
import { jobProgress } from './job-progress';

export class ProgressView {
  readonly root: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly text: HTMLElement;
  private readonly cancel: HTMLButtonElement;

  constructor(onCancel: () => void) {
    this.bar = el('div', { className: 'bar-fill' });
    this.text = el('span', { className: 'progress-text', 'data-testid': 'progress-text' }, ['']);
    this.cancel = button('Cancel', onCancel, { variant: 'quiet', testId: 'cancel', title: 'Cancel (Esc)' });
    this.root = el('div', { className: 'progress', hidden: true, 'data-testid': 'progress' }, [
      el('div', { className: 'bar', role: 'progressbar' }, [this.bar]),
      el('div', { className: 'row' }, [this.text, this.cancel]),
    ]);
  }

  /** An empty bar and `text`, the moment a job is asked for (the server answers after). */
  reset(text: string): void {
    this.root.hidden = false;
    this.bar.style.width = '0%';
    this.text.textContent = text;
  }

  /** The job's progress; `isRender` because a render's bar has no fine-tuning share. */
  show(p: JobInfo | ProgressEvent, isRender: boolean): void {
    const { fraction, text } = jobProgress(p, isRender);
    this.root.hidden = false;
    this.bar.style.width = `${Math.round(fraction * 1000) / 10}%`;
    this.text.textContent = text;
  }

  /** Replaces the words only (a job cancelled or failed keeps its bar where it stopped). */
  say(text: string): void {
    this.text.textContent = text;
  }

  set cancellable(value: boolean) {
    this.cancel.disabled = !value;
  }
}
