// The painted annotation as vectors (UXP's canvas can't read pixels back, so the server
// rasterises): brush and eraser polylines with a radius, and polygons, each foreground,
// background or open ("don't care": left for the network to decide), in the coordinate space of
// the displayed frame.
import type { Label, Stroke, StrokesMask } from '@oneshot-roto/protocol';

export type Tool = 'brush' | 'eraser' | 'polygon';

export interface Point {
  x: number;
  y: number;
}

/** The label switch's text for each label. */
export const LABEL_NAMES: Record<Label, string> = {
  fg: 'Foreground',
  bg: 'Background',
  open: "Don't care",
};

/** Minimum distance between recorded brush points, in display pixels (keeps messages small). */
const MIN_STEP = 1.5;

export class MaskStrokes {
  private readonly done: Stroke[] = [];
  private active: { label: Label; radius: number; points: number[] } | undefined;
  private polygon: { label: Label; points: Point[] } | undefined;

  get strokes(): readonly Stroke[] {
    return this.done;
  }

  get isEmpty(): boolean {
    return this.done.length === 0;
  }

  get hasForeground(): boolean {
    return this.done.some((s) => s.label === 'fg');
  }

  /** The brush stroke being painted, for live drawing. */
  get activeStroke(): Stroke | undefined {
    const a = this.active;
    return a ? { kind: 'polyline', label: a.label, radius: a.radius, points: [...a.points] } : undefined;
  }

  /** The polygon being placed (open), for live drawing. */
  get openPolygon(): { label: Label; points: readonly Point[] } | undefined {
    return this.polygon;
  }

  /** The eraser removes the object: it paints background whatever the label switch says. */
  static labelFor(tool: Tool, label: Label): Label {
    return tool === 'eraser' ? 'bg' : label;
  }

  /**
   * The label after the object / background switch (X): it flips between the two, as it did
   * before "don't care" existed, so X X still returns to the object; from don't care it goes back
   * to the object.
   */
  static swappedLabel(label: Label): Label {
    return label === 'fg' ? 'bg' : 'fg';
  }

  /** The label after the "don't care" switch (D): on, or off back to the object. */
  static toggledOpen(label: Label): Label {
    return label === 'open' ? 'fg' : 'open';
  }

  beginBrush(label: Label, radius: number, p: Point): void {
    this.active = { label, radius, points: [p.x, p.y] };
  }

  extendBrush(p: Point): void {
    const a = this.active;
    if (!a) return;
    const n = a.points.length;
    if (Math.hypot(p.x - a.points[n - 2]!, p.y - a.points[n - 1]!) >= MIN_STEP) a.points.push(p.x, p.y);
  }

  endBrush(): void {
    const a = this.active;
    this.active = undefined;
    if (a) this.done.push({ kind: 'polyline', label: a.label, radius: a.radius, points: a.points });
  }

  /** Adds a polygon vertex; returns true when the click closed the polygon (near its first point). */
  addPolygonPoint(label: Label, p: Point, closeDistance = 8): boolean {
    if (!this.polygon) this.polygon = { label, points: [] };
    const pts = this.polygon.points;
    if (pts.length >= 3 && Math.hypot(p.x - pts[0]!.x, p.y - pts[0]!.y) <= closeDistance) {
      this.closePolygon();
      return true;
    }
    pts.push(p);
    return false;
  }

  /** Closes the open polygon (needs 3 points; fewer are dropped). */
  closePolygon(): void {
    const poly = this.polygon;
    this.polygon = undefined;
    if (poly && poly.points.length >= 3) {
      this.done.push({ kind: 'polygon', label: poly.label, points: poly.points.flatMap((q) => [q.x, q.y]) });
    }
  }

  cancelPolygon(): void {
    this.polygon = undefined;
  }

  /** Removes the last stroke (or the open polygon's last point). */
  undo(): void {
    if (this.polygon) {
      this.polygon.points.pop();
      if (this.polygon.points.length === 0) this.polygon = undefined;
      return;
    }
    this.done.pop();
  }

  clear(): void {
    this.done.length = 0;
    this.active = undefined;
    this.polygon = undefined;
  }

  /** The annotation message body; `space` is the display size the points were recorded in. */
  toMask(space: { width: number; height: number }, base: 'empty' | 'prediction'): StrokesMask {
    if (this.done.length === 0) throw new Error('Paint the object first: nothing is drawn on this frame.');
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      kind: 'strokes',
      base,
      space: { width: space.width, height: space.height },
      strokes: this.done.map((s) =>
        s.kind === 'polyline'
          ? { ...s, radius: round(s.radius), points: s.points.map(round) }
          : { ...s, points: s.points.map(round) },
      ),
    };
  }
}
