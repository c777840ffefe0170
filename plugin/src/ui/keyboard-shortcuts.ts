// The panel's keyboard shortcuts: which key does what. The keys are listed here once; what each
// does is handed in by the parts of the panel that own the action (PaintToolbar, SegmentCard,
// RenderCard, and Panel for the keys that depend on more than one part).

/** The things a key can do. */
export type ShortcutName =
  | 'undo'
  | 'brush'
  | 'eraser'
  | 'polygon'
  | 'swapLabel'
  | 'dontCare'
  | 'smallerBrush'
  | 'largerBrush'
  | 'toggleOverlay'
  | 'segment'
  | 'correct'
  | 'render'
  | 'nextFrame'
  | 'confirm'
  | 'escape';

/**
 * What each shortcut does. An action returns false when it does not apply right now (its button
 * is disabled, say); the key is then left to the page.
 */
export type ShortcutActions = Record<ShortcutName, () => boolean>;

/** Runs `f` when `ok`; says whether it ran (what an action returns). */
export function runIf(ok: boolean, f: () => void): boolean {
  if (ok) f();
  return ok;
}

/** Keys without Ctrl/Cmd, as `KeyboardEvent.key` lower-cased. */
const KEYS = new Map<string, ShortcutName>([
  ['b', 'brush'],
  ['e', 'eraser'],
  ['p', 'polygon'],
  ['x', 'swapLabel'],
  ['d', 'dontCare'],
  ['[', 'smallerBrush'],
  [']', 'largerBrush'],
  ['o', 'toggleOverlay'],
  ['s', 'segment'],
  ['k', 'correct'],
  ['r', 'render'],
  ['n', 'nextFrame'],
  ['enter', 'confirm'],
  ['escape', 'escape'],
]);

/** True while the editor types into a field, where letters must stay letters. */
function isTyping(target: EventTarget | null): boolean {
  const t = target as HTMLInputElement | null;
  return (
    !!t && ['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName) && t.type !== 'checkbox' && t.type !== 'range'
  );
}

export function handleShortcut(ev: KeyboardEvent, actions: ShortcutActions): void {
  if (isTyping(ev.target) && ev.key !== 'Escape') return;
  const k = ev.key.toLowerCase();
  const name = ev.ctrlKey || ev.metaKey ? (k === 'z' ? 'undo' : undefined) : KEYS.get(k);
  if (name && actions[name]()) ev.preventDefault();
}
