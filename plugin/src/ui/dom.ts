// Minimal element builder (no framework: the panel must load in UXP and in a browser alike).

type Props = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (key === 'className') node.className = String(value);
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'for' || key === 'role') {
      node.setAttribute(key, String(value));
    } else (node as unknown as Record<string, unknown>)[key] = value;
  }
  // appendChild, not append(): UXP's DOM has the older Node API only.
  for (const child of children) {
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Replaces a node's children (UXP has no replaceChildren). */
export function setChildren(node: Node, children: Node[]): void {
  while (node.firstChild) node.removeChild(node.firstChild);
  for (const child of children) node.appendChild(child);
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return el('label', { className: 'field' }, [
    el('span', { className: 'field-label' }, [label]),
    control,
    ...(hint ? [el('span', { className: 'field-hint' }, [hint])] : []),
  ]);
}

export function button(
  label: string,
  onClick: () => void,
  opts: { variant?: 'cta' | 'primary' | 'secondary' | 'quiet'; title?: string; testId?: string } = {},
): HTMLButtonElement {
  const b = el('button', {
    className: `btn btn-${opts.variant ?? 'secondary'}`,
    title: opts.title,
    type: 'button',
    'data-testid': opts.testId,
  });
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}
