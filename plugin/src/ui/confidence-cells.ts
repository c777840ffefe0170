// What each cell of the confidence strip shows. A short clip gets a cell per frame; a long one
// (a cell per frame of a 20-minute clip is 30,000 buttons, far wider than the panel) gets
// MAX_CELLS cells of consecutive frames, each showing its least sure frame, so a failing stretch
// stays visible however long the clip.
import type { FrameConfidenceInfo } from '@oneshot-roto/protocol';

/** Most cells the strip draws. */
export const MAX_CELLS = 240;

export interface StripCell {
  /** The clip frames the cell covers, first and last (inclusive). */
  first: number;
  last: number;
  /**
   * The frame a click shows: the first marked frame in the cell, else its least sure segmented
   * frame, else its first frame.
   */
  frame: number;
  /** The least sure unpainted frame's confidence (0..1); undefined when none was segmented. */
  confidence?: number;
  /** A painted frame is in the cell. */
  annotated: boolean;
  /** A frame to check next is in the cell. */
  suggested: boolean;
}

/**
 * The strip's cells for a clip of `frameCount` frames with the given scores and marked frames
 * (in the order they are suggested), at most `maxCells` of them.
 */
export function stripCells(
  frames: readonly FrameConfidenceInfo[],
  marked: readonly number[],
  frameCount: number,
  maxCells = MAX_CELLS,
): StripCell[] {
  const count = Math.min(frameCount, maxCells);
  const cells: StripCell[] = [];
  for (let i = 0; i < count; i++) {
    const first = Math.floor((i * frameCount) / count);
    const last = Math.floor(((i + 1) * frameCount) / count) - 1;
    cells.push({ first, last, frame: first, annotated: false, suggested: false });
  }
  // Frames map to cells in O(1): cell i starts at floor(i·n/c), so frame f is in the cell below.
  const cellOf = (frame: number): StripCell | undefined => {
    let i = Math.min(count - 1, Math.floor(((frame + 1) * count) / frameCount));
    while (i > 0 && cells[i]!.first > frame) i--;
    const cell = cells[i];
    return cell && frame >= cell.first && frame <= cell.last ? cell : undefined;
  };
  for (const f of frames) {
    const cell = cellOf(f.frame);
    if (!cell) continue;
    if (f.annotated) {
      cell.annotated = true;
      continue;
    }
    if (cell.confidence === undefined || f.confidence < cell.confidence) {
      cell.confidence = f.confidence;
      cell.frame = f.frame;
    }
  }
  for (const frame of marked) {
    const cell = cellOf(frame);
    if (!cell || cell.suggested) continue;
    cell.suggested = true;
    cell.frame = frame;
  }
  return cells;
}
