/**
 * Refuses an annotation that cannot teach the network anything, before it is stored. Only definite
 * pixels count: an open ("don't care") pixel is neither object nor background, so a mask whose
 * definite pixels lack either class is refused like an empty one.
 */
import { ProtocolError } from '../errors';
import type { LabelCounts } from './rasterize';

export function checkAnnotationCounts(frame: number, counts: LabelCounts): void {
  const { foreground, background, open } = counts;
  const refuse = (message: string) =>
    new ProtocolError('bad_mask', `the annotation on frame ${frame} ${message}`, { path: '/mask' });
  if (foreground === 0 && background === 0)
    throw refuse(
      'leaves every pixel open; paint the object with "fg" strokes and keep "open" strokes to the uncertain band',
    );
  if (foreground === 0)
    throw refuse(
      open > 0
        ? 'has no object pixels (open pixels do not count); paint the object with "fg" strokes'
        : 'has no object pixels; paint the object with "fg" strokes',
    );
  if (background === 0)
    throw refuse(
      open > 0
        ? 'has no background pixels, only object and open ones; paint or leave some background with "bg" strokes'
        : 'covers the whole frame; paint the background with "bg" strokes too',
    );
}
