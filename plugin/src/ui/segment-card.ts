// The "Segment object" card: take the clip under the playhead, pick the object, the quality
// preset, Start (or Apply correction), the job's progress, the result overlay switch and "Add
// correction keyframe mask". It shows, and reports clicks and keys; Panel decides what they do.
import type { PresetName } from '@oneshot-roto/protocol';
import { button, el, field } from './dom';
import { ProgressView } from './progress-view';
import { runIf, type ShortcutActions } from './keyboard-shortcuts';

export interface SegmentCardActions {
  segment(): void;
  start(): void;
  cancel(): void;
  correct(): void;
  overlayToggled(visible: boolean): void;
}

/** What the card's buttons depend on. */
export interface SegmentCardState {
  connected: boolean;
  /** A job is running. */
  busy: boolean;
  hasClip: boolean;
  /** The strokes are enough to start (foreground for a first annotation; any for a correction). */
  strokesReady: boolean;
  correcting: boolean;
  /** The current object has a result to correct or render. */
  fineTuned: boolean;
}

const PRESETS: readonly (readonly [PresetName, string])[] = [
  ['fast', 'Fast'],
  ['balanced', 'Balanced'],
  ['best', 'Best'],
];

export class SegmentCard {
  readonly root: HTMLElement;
  readonly progress: ProgressView;
  private readonly segmentButton: HTMLButtonElement;
  private readonly presetSelect: HTMLSelectElement;
  private readonly startButton: HTMLButtonElement;
  private readonly showOverlay: HTMLInputElement;
  private readonly correctionButton: HTMLButtonElement;

  constructor(
    objectPicker: HTMLElement,
    private readonly actions: SegmentCardActions,
  ) {
    this.segmentButton = button('Segment object', () => actions.segment(), {
      variant: 'cta',
      testId: 'segment',
      title: 'Take the clip under the playhead (S)',
    });
    this.presetSelect = el('select', { 'data-testid': 'preset' });
    for (const [value, label] of PRESETS) {
      this.presetSelect.appendChild(el('option', { value, selected: value === 'balanced' }, [label]));
    }
    this.startButton = button('Start', () => actions.start(), {
      variant: 'primary',
      testId: 'start',
      title: 'Start (Enter)',
    });
    this.progress = new ProgressView(() => actions.cancel());
    this.showOverlay = el('input', { type: 'checkbox', checked: true, 'data-testid': 'show-overlay' });
    this.showOverlay.addEventListener('change', () => actions.overlayToggled(this.showOverlay.checked));
    this.correctionButton = button('Add correction keyframe mask', () => actions.correct(), {
      variant: 'secondary',
      testId: 'correction',
      title: 'Correct the result at the playhead (K)',
    });
    this.root = el('section', { className: 'card' }, [
      el('h2', {}, ['Segment object']),
      el('div', { className: 'row' }, [this.segmentButton]),
      objectPicker,
      el('div', { className: 'row' }, [field('Quality', this.presetSelect), this.startButton]),
      this.progress.root,
      el('label', { className: 'check' }, [this.showOverlay, 'Show result overlay (O)']),
      el('div', { className: 'row' }, [this.correctionButton]),
    ]);
  }

  get preset(): PresetName {
    return PRESETS.find(([value]) => value === this.presetSelect.value)?.[0] ?? 'balanced';
  }

  get overlayVisible(): boolean {
    return this.showOverlay.checked;
  }

  /** The card's keys: each acts as its control would, and only while that control is enabled. */
  get shortcuts(): Pick<ShortcutActions, 'toggleOverlay' | 'segment' | 'correct'> {
    return {
      toggleOverlay: () =>
        runIf(true, () => {
          this.showOverlay.checked = !this.showOverlay.checked;
          this.actions.overlayToggled(this.showOverlay.checked);
        }),
      segment: () => runIf(!this.segmentButton.disabled, () => this.actions.segment()),
      correct: () => runIf(!this.correctionButton.disabled, () => this.actions.correct()),
    };
  }

  /** Start is also Enter's, which the panel shares with closing a polygon. */
  get canStart(): boolean {
    return !this.startButton.disabled;
  }

  render(s: SegmentCardState): void {
    this.segmentButton.disabled = !s.connected || s.busy;
    this.startButton.textContent = s.correcting ? 'Apply correction' : 'Start';
    this.startButton.disabled = !s.connected || s.busy || !s.hasClip || !s.strokesReady;
    this.correctionButton.disabled = !s.connected || s.busy || !s.fineTuned;
    this.progress.cancellable = s.busy;
  }
}
