// The strip under the frame: one cell per clip frame (per stretch of frames in a long clip),
// coloured by how sure the segmentation is (red unsure … green sure), the frames to check next marked, and "Check next" to jump to them.
// The scores come from the server (getConfidence); the strip only shows them.
import type { FrameConfidenceInfo } from '@oneshot-roto/protocol';
import { stripCells, type StripCell } from './confidence-cells';
import { button, el, setChildren } from './dom';

/** Frames marked for checking: the server's first suggestions. */
export const MARKED = 5;

export interface ConfidenceView {
  frames: FrameConfidenceInfo[];
  suggest: number[];
}

export class ConfidenceStrip {
  readonly root: HTMLElement;
  /** Called with a clip frame when the editor picks one (a cell, or Check next). */
  onPick: (frame: number) => void = () => undefined;
  /** Called with the marked frames when the editor asks for timeline markers. */
  onMark: (frames: number[]) => void = () => undefined;
  private readonly strip: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly next: HTMLButtonElement;
  private readonly mark: HTMLButtonElement;
  private marked: number[] = [];
  private current = 0;

  constructor() {
    this.strip = el('div', { className: 'confidence-cells', 'data-testid': 'confidence-strip' });
    this.summary = el('span', { className: 'confidence-summary', 'data-testid': 'confidence-summary' });
    this.next = button('Check next', () => this.pickNext(), {
      variant: 'quiet',
      testId: 'check-next',
      title: 'Show the next frame to check: unsure, and away from your corrections (N)',
    });
    this.mark = button('Mark on timeline', () => this.onMark([...this.marked]), {
      variant: 'quiet',
      testId: 'mark-suggested',
      title: 'Add a timeline marker on each frame to check',
    });
    this.root = el('div', { className: 'confidence', hidden: true }, [
      this.strip,
      el('div', { className: 'row confidence-row' }, [this.summary, this.next, this.mark]),
    ]);
  }

  /** Shows a clip's scores; frames without one (not segmented yet) stay blank. */
  show(view: ConfidenceView, frameCount: number, current: number): void {
    this.marked = view.suggest.slice(0, MARKED);
    this.current = current;
    const cells = stripCells(view.frames, this.marked, frameCount).map((c) => {
      const cell = el('button', {
        type: 'button',
        className: 'confidence-cell',
        title: cellTitle(c),
        'data-frame': c.frame,
        'data-first': c.first,
        'data-last': c.last,
      });
      // Hue 0 (red) for unsure … 120 (green) for sure; a painted frame comes back as painted, so
      // the network's doubts about it don't matter: it gets the accent colour instead.
      if (c.confidence !== undefined)
        cell.style.backgroundColor = `hsl(${Math.round(c.confidence * 120)}, 55%, 42%)`;
      else if (c.annotated) cell.style.backgroundColor = '#378ef0';
      cell.classList.toggle('suggested', c.suggested);
      cell.classList.toggle('annotated', c.annotated);
      cell.addEventListener('click', () => this.pick(c.frame));
      return cell;
    });
    setChildren(this.strip, cells);
    this.summary.textContent =
      this.marked.length > 0
        ? `Check next: frames ${this.marked.map((f) => f + 1).join(', ')}`
        : 'Every segmented frame is painted.';
    this.next.disabled = this.marked.length === 0;
    this.mark.disabled = this.marked.length === 0;
    this.root.hidden = false;
    this.setCurrent(current);
  }

  hide(): void {
    this.root.hidden = true;
  }

  setCurrent(frame: number): void {
    this.current = frame;
    for (const cell of Array.from(this.strip.children) as HTMLElement[])
      cell.classList.toggle(
        'current',
        Number(cell.getAttribute('data-first')) <= frame && frame <= Number(cell.getAttribute('data-last')),
      );
  }

  /** The marked frame after the current one in the order they are suggested (wrapping round). */
  pickNext(): void {
    if (this.marked.length === 0) return;
    const at = this.marked.indexOf(this.current);
    this.pick(this.marked[(at + 1) % this.marked.length]!);
  }

  private pick(frame: number): void {
    this.setCurrent(frame);
    this.onPick(frame);
  }
}

function cellTitle(c: StripCell): string {
  if (c.first === c.last) {
    if (c.annotated) return `Frame ${c.first + 1}: painted (the matte keeps your mask)`;
    if (c.confidence === undefined) return `Frame ${c.first + 1}: not segmented`;
    return `Frame ${c.first + 1}: ${Math.round(c.confidence * 100)} % sure`;
  }
  const range = `Frames ${c.first + 1}–${c.last + 1}`;
  const painted = c.annotated ? '; a painted frame among them' : '';
  if (c.confidence === undefined) return `${range}: ${c.annotated ? 'painted' : 'not segmented'}`;
  return `${range}: least sure frame ${c.frame + 1}, ${Math.round(c.confidence * 100)} % sure${painted}`;
}
