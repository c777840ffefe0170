// The "Matte layer" card: the output kind, the matte controls (threshold, feather, choke, soft,
// invert, piece tracking), the output folder and "Render matte layer". It reads the editor's
// choices; rendering and placing the matte are matte-render.ts's.
import type { MatteControls, RenderFormat } from '@oneshot-roto/protocol';
import type { MattePlacementMode } from '../host/host-adapter';
import { button, el, field } from './dom';
import { runIf, type ShortcutActions } from './keyboard-shortcuts';

export interface RenderChoice {
  label: string;
  format: RenderFormat;
  placement: MattePlacementMode | 'none';
}

export const RENDER_CHOICES = {
  matte: { label: 'Luma matte + Track Matte Key', format: 'png8', placement: 'track-matte' },
  matte16: { label: 'Luma matte 16-bit + Track Matte Key', format: 'png16', placement: 'track-matte' },
  cutout: { label: 'RGBA cutout (clip turned off)', format: 'rgba', placement: 'cutout' },
  prores: { label: 'ProRes 4444 with alpha (file only)', format: 'prores', placement: 'none' },
} satisfies Record<string, RenderChoice>;

export interface RenderCardOptions {
  onRender(): void;
  /** The "Track pieces" box changed (the preview follows it). */
  onPieceTrackChange?(): void;
  /** Native folder picker (UXP); absent in a browser, where the folder is typed. */
  pickFolder?: () => Promise<string | null>;
  onError(err: unknown): void;
}

export class RenderCard {
  readonly root: HTMLElement;
  private readonly format: HTMLSelectElement;
  private readonly threshold: HTMLInputElement;
  private readonly feather: HTMLInputElement;
  private readonly choke: HTMLInputElement;
  private readonly soft: HTMLInputElement;
  private readonly invert: HTMLInputElement;
  private readonly pieceTrack: HTMLInputElement;
  private readonly folder: HTMLInputElement;
  private readonly renderButton: HTMLButtonElement;

  constructor(private readonly options: RenderCardOptions) {
    this.format = el('select', { 'data-testid': 'format' });
    for (const [value, c] of Object.entries(RENDER_CHOICES))
      this.format.appendChild(el('option', { value }, [c.label]));
    const number = (testId: string, min: number, max: number, step: number, value: number) =>
      el('input', { type: 'number', min, max, step, value, 'data-testid': testId });
    this.threshold = number('threshold', 0, 1, 0.05, 0.5);
    this.feather = number('feather', 0, 256, 0.5, 1);
    this.choke = number('choke', -256, 256, 1, 0);
    this.soft = el('input', { type: 'checkbox', 'data-testid': 'soft' });
    this.invert = el('input', { type: 'checkbox', 'data-testid': 'invert' });
    // On by default, as on the server; off for an object whose pieces may appear away from it.
    this.pieceTrack = el('input', { type: 'checkbox', 'data-testid': 'piece-track', checked: true });
    this.pieceTrack.addEventListener('change', () => options.onPieceTrackChange?.());
    this.folder = el('input', {
      type: 'text',
      placeholder: 'next to the media',
      'data-testid': 'output-folder',
    });
    this.renderButton = button('Render matte layer', () => options.onRender(), {
      variant: 'primary',
      testId: 'render',
      title: 'Render and place the matte (R)',
    });
    this.root = el('section', { className: 'card' }, [
      el('h2', {}, ['Matte layer']),
      field('Output', this.format),
      el('div', { className: 'grid2' }, [
        field('Threshold', this.threshold),
        field('Feather (px)', this.feather),
        field('Choke (px)', this.choke),
        el('div', { className: 'checks' }, [
          el('label', { className: 'check' }, [this.soft, 'Soft edges']),
          el('label', { className: 'check' }, [this.invert, 'Invert']),
          el(
            'label',
            {
              className: 'check',
              title:
                'Clear pieces of the mask that do not follow the object from the nearest painted frame (a look-alike appearing elsewhere)',
            },
            [this.pieceTrack, 'Track pieces'],
          ),
        ]),
      ]),
      field('Folder', this.folder),
      ...(options.pickFolder
        ? [
            el('div', { className: 'row' }, [
              button('Choose folder…', () => void this.chooseFolder(), {
                variant: 'quiet',
                testId: 'choose-folder',
              }),
            ]),
          ]
        : []),
      el('div', { className: 'row' }, [this.renderButton]),
    ]);
  }

  get choice(): RenderChoice {
    const choice = (RENDER_CHOICES as Record<string, RenderChoice>)[this.format.value];
    if (!choice) throw new Error(`Unknown output kind "${this.format.value}".`);
    return choice;
  }

  /** The matte controls as the server takes them; an empty number field is left to its default. */
  get controls(): MatteControls {
    const num = (input: HTMLInputElement) => (input.value.trim() === '' ? undefined : Number(input.value));
    return {
      threshold: num(this.threshold),
      feather: num(this.feather),
      choke: num(this.choke),
      soft: this.soft.checked,
      invert: this.invert.checked,
      pieceTrack: this.pieceTrack.checked,
    };
  }

  get outputFolder(): string {
    return this.folder.value.trim();
  }

  /** Fills in `folder` unless the editor already chose one. */
  suggestFolder(folder: string): void {
    if (!this.folder.value) this.folder.value = folder;
  }

  get shortcuts(): Pick<ShortcutActions, 'render'> {
    return { render: () => runIf(!this.renderButton.disabled, () => this.options.onRender()) };
  }

  set enabled(value: boolean) {
    this.renderButton.disabled = !value;
  }

  private async chooseFolder(): Promise<void> {
    try {
      const folder = await this.options.pickFolder?.();
      if (folder) this.folder.value = folder;
    } catch (err) {
      this.options.onError(err);
    }
  }
}
