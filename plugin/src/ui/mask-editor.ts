// The frame viewer and paint surface: the frame in an <img>, the server-rendered preview overlay
// in a second <img>, and a transparent <canvas> on top where strokes are drawn as shapes for
// feedback (UXP's canvas draws paths and arcs only; nothing is read back from it).
import type { Label, Stroke } from '@oneshot-roto/protocol';
import { LABEL_NAMES, MaskStrokes, type Point, type Tool } from './mask-strokes';
import { el } from './dom';

// Green adds to the object, blue removes, grey leaves the pixels open for the network (the
// server's overlay tints the result red).
const COLORS: Record<Label, string> = {
  fg: 'rgba(51, 219, 120, 0.6)',
  bg: 'rgba(55, 142, 240, 0.6)',
  open: 'rgba(190, 190, 190, 0.55)',
};
const OUTLINE: Record<Label, string> = {
  fg: 'rgba(51, 219, 120, 1)',
  bg: 'rgba(55, 142, 240, 1)',
  open: 'rgba(190, 190, 190, 1)',
};

export class MaskEditor {
  readonly root: HTMLElement;
  readonly strokes = new MaskStrokes();
  private readonly frame: HTMLImageElement;
  private readonly overlay: HTMLImageElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly placeholder: HTMLElement;
  tool: Tool = 'brush';
  label: Label = 'fg';
  /** Brush radius in display pixels. */
  radius = 12;
  private painting = false;
  private hover: Point | undefined;
  enabled = false;
  onChange: (() => void) | undefined;

  constructor() {
    this.frame = el('img', { className: 'frame', alt: '' });
    this.overlay = el('img', { className: 'overlay', alt: '' });
    this.canvas = el('canvas', { className: 'paint' });
    this.placeholder = el('div', { className: 'viewer-placeholder' }, [
      'Select a clip and press ',
      el('b', {}, ['Segment object']),
      ' to show its frame here.',
    ]);
    this.root = el('div', { className: 'viewer empty' }, [
      this.placeholder,
      this.frame,
      this.overlay,
      this.canvas,
    ]);
    this.overlay.hidden = true;
    this.frame.addEventListener('load', () => {
      this.root.classList.remove('empty');
      this.fitCanvas();
    });
    this.bindPointer();
  }

  /** Shows a frame (URL served by the companion server) and clears the strokes. */
  showFrame(url: string): void {
    this.strokes.clear();
    this.overlay.hidden = true;
    this.overlay.removeAttribute('src');
    this.frame.src = url;
    this.redraw();
  }

  showOverlay(url: string): void {
    this.overlay.src = url;
    this.overlay.hidden = false;
  }

  /** Removes the result overlay (an object with no result yet). */
  clearOverlay(): void {
    this.overlay.hidden = true;
    this.overlay.removeAttribute('src');
  }

  setOverlayVisible(visible: boolean): void {
    this.overlay.hidden = !visible || !this.overlay.getAttribute('src');
  }

  get overlayVisible(): boolean {
    return !this.overlay.hidden;
  }

  get hasFrame(): boolean {
    return !this.root.classList.contains('empty');
  }

  /** Size of the displayed frame: the coordinate space strokes are recorded in. */
  get space(): { width: number; height: number } {
    return { width: this.canvas.width, height: this.canvas.height };
  }

  /** Keeps the canvas the size of the displayed image (call on panel resize). */
  fitCanvas(): void {
    const w = Math.round(this.frame.clientWidth || this.frame.width);
    const h = Math.round(this.frame.clientHeight || this.frame.height);
    if (w > 0 && h > 0 && (w !== this.canvas.width || h !== this.canvas.height)) {
      // Strokes are in the old display space; scale them with the image.
      const old = this.canvas.width;
      this.canvas.width = w;
      this.canvas.height = h;
      if (old > 0 && old !== w) this.rescale(w / old);
    }
    this.redraw();
  }

  private rescale(factor: number): void {
    const scaled: Stroke[] = this.strokes.strokes.map((s) =>
      s.kind === 'polyline'
        ? { ...s, radius: s.radius * factor, points: s.points.map((v) => v * factor) }
        : { ...s, points: s.points.map((v) => v * factor) },
    );
    this.strokes.clear();
    for (const s of scaled) {
      if (s.kind === 'polyline') {
        this.strokes.beginBrush(s.label, s.radius, { x: s.points[0]!, y: s.points[1]! });
        for (let i = 2; i < s.points.length; i += 2)
          this.strokes.extendBrush({ x: s.points[i]!, y: s.points[i + 1]! });
        this.strokes.endBrush();
      } else {
        for (let i = 0; i < s.points.length; i += 2)
          this.strokes.addPolygonPoint(s.label, { x: s.points[i]!, y: s.points[i + 1]! }, -1);
        this.strokes.closePolygon();
      }
    }
  }

  private point(ev: PointerEvent | MouseEvent): Point {
    const rect = this.canvas.getBoundingClientRect();
    return { x: ev.clientX - rect.left, y: ev.clientY - rect.top };
  }

  private bindPointer(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (ev) => {
      if (!this.enabled || !this.hasFrame || ev.button !== 0) return;
      const p = this.point(ev);
      if (this.tool === 'polygon') {
        this.strokes.addPolygonPoint(this.label, p);
      } else {
        this.painting = true;
        c.setPointerCapture?.(ev.pointerId);
        this.strokes.beginBrush(MaskStrokes.labelFor(this.tool, this.label), this.radius, p);
      }
      this.changed();
    });
    c.addEventListener('pointermove', (ev) => {
      this.hover = this.point(ev);
      if (this.painting) this.strokes.extendBrush(this.hover);
      this.redraw();
    });
    const finish = () => {
      if (!this.painting) return;
      this.painting = false;
      this.strokes.endBrush();
      this.changed();
    };
    c.addEventListener('pointerup', finish);
    c.addEventListener('pointercancel', finish);
    c.addEventListener('pointerleave', () => {
      this.hover = undefined;
      finish();
      this.redraw();
    });
    c.addEventListener('dblclick', () => {
      if (this.tool === 'polygon') {
        this.strokes.closePolygon();
        this.changed();
      }
    });
  }

  private changed(): void {
    this.redraw();
    this.onChange?.();
  }

  /** Flips the brush between object and background (from don't care: object). */
  swapLabel(): void {
    this.label = MaskStrokes.swappedLabel(this.label);
  }

  /** Turns the "don't care" brush on, or off back to the object. */
  toggleOpen(): void {
    this.label = MaskStrokes.toggledOpen(this.label);
  }

  /** The brush label as the label switch shows it. */
  get labelName(): string {
    return LABEL_NAMES[this.label];
  }

  undo(): void {
    this.strokes.undo();
    this.changed();
  }

  clear(): void {
    this.strokes.clear();
    this.changed();
  }

  closePolygon(): void {
    this.strokes.closePolygon();
    this.changed();
  }

  cancelPolygon(): void {
    this.strokes.cancelPolygon();
    this.changed();
  }

  redraw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    const all = [...this.strokes.strokes];
    const active = this.strokes.activeStroke;
    if (active) all.push(active);
    for (const s of all) this.drawStroke(ctx, s);
    const poly = this.strokes.openPolygon;
    if (poly && poly.points.length > 0) {
      ctx.strokeStyle = OUTLINE[poly.label];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(poly.points[0]!.x, poly.points[0]!.y);
      for (const p of poly.points.slice(1)) ctx.lineTo(p.x, p.y);
      if (this.hover) ctx.lineTo(this.hover.x, this.hover.y);
      ctx.stroke();
      ctx.fillStyle = OUTLINE[poly.label];
      for (const p of poly.points) {
        ctx.beginPath();
        ctx.arc(p.x, p.y, 3, 0, Math.PI * 2, false);
        ctx.fill('nonzero');
      }
    }
    if (this.hover && this.enabled && this.tool !== 'polygon') {
      ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(this.hover.x, this.hover.y, this.radius, 0, Math.PI * 2, false);
      ctx.stroke();
    }
  }

  private drawStroke(ctx: CanvasRenderingContext2D, s: Stroke): void {
    const p = s.points;
    if (s.kind === 'polygon') {
      ctx.fillStyle = COLORS[s.label];
      ctx.beginPath();
      ctx.moveTo(p[0]!, p[1]!);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
      ctx.closePath();
      ctx.fill('nonzero');
      return;
    }
    if (p.length === 2) {
      ctx.fillStyle = COLORS[s.label];
      ctx.beginPath();
      ctx.arc(p[0]!, p[1]!, s.radius, 0, Math.PI * 2, false);
      ctx.fill('nonzero');
      return;
    }
    ctx.strokeStyle = COLORS[s.label];
    ctx.lineWidth = s.radius * 2;
    ctx.beginPath();
    ctx.moveTo(p[0]!, p[1]!);
    for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
    ctx.stroke();
  }
}
