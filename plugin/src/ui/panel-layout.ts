// Where each part of the panel sits, and wide vs narrow. Kept apart from Panel so the page's
// structure (what the stylesheet and the browser test find where) reads in one place.
import { el } from './dom';

/** Below this width (px) the panel is docked narrow: the columns stack. */
const WIDE_MIN = 620;

export interface PanelParts {
  header: HTMLElement;
  pairing: HTMLElement;
  message: HTMLElement;
  /** The standalone host's timeline stand-in (in a browser only). */
  hostBar?: HTMLElement;
  /** Viewer column, top to bottom. */
  viewer: HTMLElement;
  frameInfo: HTMLElement;
  strip: HTMLElement;
  toolbar: HTMLElement;
  /** Controls column, top to bottom. */
  segmentCard: HTMLElement;
  renderCard: HTMLElement;
}

export function assemblePanel(p: PanelParts): HTMLElement {
  const viewerColumn = el('div', { className: 'column viewer-column' }, [
    p.viewer,
    p.frameInfo,
    p.strip,
    p.toolbar,
  ]);
  const controls = el('div', { className: 'column controls-column' }, [p.segmentCard, p.renderCard]);
  const children: Node[] = [p.header, p.pairing, p.message];
  if (p.hostBar) children.push(p.hostBar);
  children.push(el('main', { className: 'panel-body' }, [viewerColumn, controls]));
  return el('div', { className: 'panel' }, children);
}

/** Narrow (docked) vs wide layout, by the panel's own width. */
export function applyWidth(root: HTMLElement): void {
  const wide = (root.clientWidth || document.documentElement.clientWidth) >= WIDE_MIN;
  root.classList.toggle('wide', wide);
  root.classList.toggle('narrow', !wide);
}
