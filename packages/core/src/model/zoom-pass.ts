/**
 * The zoom pass: a second look at a small object. The first pass's object box (pixels ≥ 0.5),
 * grown by a margin and widened to the frame's aspect ratio — so the crop is stretched to the
 * network's square input exactly as whole frames are, as in fine-tuning — is cut from the frame
 * and segmented again at the network's full input size; inside the box the two maps are averaged.
 * A small object gets up to `MAX_ZOOM`× more network pixels per frame pixel; a large one is left
 * to the first pass. Measured in BENCHMARKS.md ("Zoom pass").
 */
import { makeRgbFrame, type RgbFrame } from '../video/frame';

export interface ZoomBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Margin around the object's box, as a share of its size on each side. */
export const ZOOM_MARGIN = 0.4;
/** The crop is at least 1 / MAX_ZOOM of the frame in each direction. */
export const MAX_ZOOM = 3;
/** Boxes wider or taller than this share of the frame are not worth a second pass. */
export const MAX_BOX_SHARE = 0.8;

/** The crop for the zoom pass of a frame whose first-pass map is `probability`, or null when the object is absent or large. */
export function zoomBox(
  probability: Float32Array,
  width: number,
  height: number,
  margin = ZOOM_MARGIN,
): ZoomBox | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++)
      if (probability[i]! >= 0.5) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return null;
  let w = (x1 - x0 + 1) * (1 + 2 * margin);
  let h = (y1 - y0 + 1) * (1 + 2 * margin);
  const aspect = width / height;
  if (w / h < aspect) w = h * aspect;
  else h = w / aspect;
  w = Math.max(w, width / MAX_ZOOM);
  h = Math.max(h, height / MAX_ZOOM);
  if (w >= width * MAX_BOX_SHARE || h >= height * MAX_BOX_SHARE) return null;
  const bw = Math.round(w);
  const bh = Math.round(h);
  const cx = (x0 + x1 + 1) / 2;
  const cy = (y0 + y1 + 1) / 2;
  return {
    x: Math.min(Math.max(0, Math.round(cx - bw / 2)), width - bw),
    y: Math.min(Math.max(0, Math.round(cy - bh / 2)), height - bh),
    width: bw,
    height: bh,
  };
}

export function cropFrame(frame: RgbFrame, box: ZoomBox): RgbFrame {
  const out = new Uint8Array(box.width * box.height * 3);
  for (let y = 0; y < box.height; y++) {
    const from = 3 * ((box.y + y) * frame.width + box.x);
    out.set(frame.data.subarray(from, from + 3 * box.width), 3 * y * box.width);
  }
  return makeRgbFrame(out, box.width, box.height);
}

/** Averages the crop's map (box-sized) into the frame's map (frame width `width`) inside the box, in place. */
export function blendZoomed(
  probability: Float32Array,
  width: number,
  zoomed: Float32Array,
  box: ZoomBox,
): void {
  for (let y = 0; y < box.height; y++) {
    const row = (box.y + y) * width + box.x;
    for (let x = 0; x < box.width; x++)
      probability[row + x] = 0.5 * (probability[row + x]! + zoomed[y * box.width + x]!);
  }
}
