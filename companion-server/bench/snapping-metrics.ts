/**
 * DAVIS region (J) and boundary (F) measures for one frame, as OSVOS-NOTES.md describes the
 * official code (seg2bmap boundaries, disk tolerance of ceil(0.008 × diagonal) px). A stand-in
 * for the benchmark until companion-server/src/evaluation (the team's DAVIS module) lands.
 */
import { squaredDistanceTo } from '../src/matte/distance-transform';

export function jaccard(pred: Uint8Array, gt: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < gt.length; i++) {
    if (pred[i] && gt[i]) inter++;
    if (pred[i] || gt[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** seg2bmap at the mask's own size: boundary where a pixel differs from E, S or SE neighbour. */
export function boundaryMap(seg: Uint8Array, w: number, h: number): Uint8Array {
  const b = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = seg[i] ? 1 : 0;
      const e = x + 1 < w ? (seg[i + 1] ? 1 : 0) : 0;
      const s = y + 1 < h ? (seg[i + w] ? 1 : 0) : 0;
      const se = x + 1 < w && y + 1 < h ? (seg[i + w + 1] ? 1 : 0) : 0;
      if (y === h - 1 && x === w - 1) b[i] = 0;
      else if (y === h - 1) b[i] = v ^ e;
      else if (x === w - 1) b[i] = v ^ s;
      else b[i] = v ^ e || v ^ s || v ^ se ? 1 : 0;
    }
  }
  return b;
}

export function boundaryF(pred: Uint8Array, gt: Uint8Array, w: number, h: number): number {
  const r = Math.ceil(0.008 * Math.hypot(w, h));
  const pb = boundaryMap(pred, w, h);
  const gb = boundaryMap(gt, w, h);
  let np = 0;
  let ng = 0;
  for (let i = 0; i < pb.length; i++) ((np += pb[i]), (ng += gb[i]));
  if (np === 0 && ng === 0) return 1;
  if (np === 0 || ng === 0) return 0; // P=0,R=1 or P=1,R=0 → F=0
  const toG = squaredDistanceTo(gb, w, h, 1);
  const toP = squaredDistanceTo(pb, w, h, 1);
  const r2 = r * r;
  let mp = 0;
  let mg = 0;
  for (let i = 0; i < pb.length; i++) {
    if (pb[i] && toG[i] <= r2) mp++;
    if (gb[i] && toP[i] <= r2) mg++;
  }
  const P = mp / np;
  const R = mg / ng;
  return P + R === 0 ? 0 : (2 * P * R) / (P + R);
}
