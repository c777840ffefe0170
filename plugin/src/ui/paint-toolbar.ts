// The row under the frame for painting: brush / eraser / polygon, foreground or background (or don't care), brush
// size, undo and clear. It drives the MaskEditor directly; the panel only hears that something
// changed (to re-enable Start) and borrows the toolbar's keyboard shortcuts.
import type { MaskEditor } from './mask-editor';
import type { Tool } from './mask-strokes';
import { runIf, type ShortcutActions } from './keyboard-shortcuts';
import { button, el } from './dom';

const MIN_SIZE = 2;
const MAX_SIZE = 80;

/** The shortcuts that belong to painting. */
export type PaintShortcuts = Pick<
  ShortcutActions,
  'undo' | 'brush' | 'eraser' | 'polygon' | 'swapLabel' | 'dontCare' | 'smallerBrush' | 'largerBrush'
>;

export class PaintToolbar {
  readonly root: HTMLElement;
  private readonly tools: Record<Tool, HTMLButtonElement>;
  private readonly labelButton: HTMLButtonElement;
  private readonly openButton: HTMLButtonElement;
  private readonly size: HTMLInputElement;
  private readonly sizeValue: HTMLElement;

  constructor(
    private readonly editor: MaskEditor,
    /** Called after the tool or the label changed. */
    private readonly onChange: () => void,
  ) {
    const tool = (t: Tool, label: string, key: string) =>
      button(label, () => this.setTool(t), {
        variant: 'quiet',
        title: `${label} (${key})`,
        testId: `tool-${t}`,
      });
    this.tools = {
      brush: tool('brush', 'Brush', 'B'),
      eraser: tool('eraser', 'Eraser', 'E'),
      polygon: tool('polygon', 'Polygon', 'P'),
    };
    this.labelButton = button('Foreground', () => this.swapLabel(), {
      variant: 'quiet',
      title: 'Foreground / background (X)',
      testId: 'label',
    });
    // A switch of its own, so that X keeps flipping object / background as editors expect.
    this.openButton = button("Don't care", () => this.toggleOpen(), {
      variant: 'quiet',
      title: "Don't care: leave the painted pixels for the network to decide (D)",
      testId: 'label-open',
    });
    this.size = el('input', {
      type: 'range',
      min: MIN_SIZE,
      max: MAX_SIZE,
      value: editor.radius,
      'data-testid': 'brush-size',
    });
    this.sizeValue = el('span', { className: 'value' }, [String(editor.radius)]);
    this.size.addEventListener('input', () => {
      this.editor.radius = Number(this.size.value);
      this.sizeValue.textContent = this.size.value;
    });
    this.root = el('div', { className: 'toolbar' }, [
      el('div', { className: 'segmented' }, [this.tools.brush, this.tools.eraser, this.tools.polygon]),
      this.labelButton,
      this.openButton,
      el('label', { className: 'size', title: 'Brush size ([ and ])' }, ['Size', this.size, this.sizeValue]),
      button('Undo', () => this.editor.undo(), { variant: 'quiet', title: 'Undo stroke (Ctrl/Cmd+Z)' }),
      button('Clear', () => this.editor.clear(), { variant: 'quiet', title: 'Clear strokes' }),
    ]);
  }

  /** Shows the editor's tool and label. */
  render(): void {
    for (const [t, b] of Object.entries(this.tools) as [Tool, HTMLButtonElement][]) {
      b.classList.toggle('selected', this.editor.tool === t);
    }
    this.labelButton.textContent = this.editor.labelName;
    this.labelButton.classList.toggle('bg', this.editor.label === 'bg');
    this.labelButton.classList.toggle('open', this.editor.label === 'open');
    this.openButton.classList.toggle('selected', this.editor.label === 'open');
  }

  get shortcuts(): PaintShortcuts {
    const always = (f: () => void) => () => runIf(true, f);
    return {
      undo: always(() => this.editor.undo()),
      brush: always(() => this.setTool('brush')),
      eraser: always(() => this.setTool('eraser')),
      polygon: always(() => this.setTool('polygon')),
      swapLabel: always(() => this.swapLabel()),
      dontCare: always(() => this.toggleOpen()),
      smallerBrush: always(() => this.resize(-2)),
      largerBrush: always(() => this.resize(2)),
    };
  }

  private setTool(tool: Tool): void {
    // Leaving the polygon tool closes the polygon being drawn rather than dropping it.
    if (this.editor.tool === 'polygon' && tool !== 'polygon') this.editor.closePolygon();
    this.editor.tool = tool;
    this.onChange();
  }

  private swapLabel(): void {
    this.editor.swapLabel();
    this.onChange();
  }

  private toggleOpen(): void {
    this.editor.toggleOpen();
    this.onChange();
  }

  private resize(delta: number): void {
    const v = Math.min(MAX_SIZE, Math.max(MIN_SIZE, this.editor.radius + delta));
    this.editor.radius = v;
    this.size.value = String(v);
    this.sizeValue.textContent = String(v);
    this.editor.redraw();
  }
}
