/**
 * Annotations: the user's masks on chosen frames, validated before anything trains on them.
 * Binary masks are Uint8Array of 0/1 at the frame's size (row-major).
 */
export interface Annotation {
  /** Frame index in the clip (0-based, relative to the clip's first frame). */
  frameIndex: number;
  /** 1 = foreground, 0 = background, 255 = don't care (excluded from the loss). */
  mask: Uint8Array;
  width: number;
  height: number;
}

export const DONT_CARE = 255;

export class AnnotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnnotationError';
  }
}

/**
 * Rejects masks that cannot teach the network anything: wrong size, no foreground (nothing to
 * segment) or no background (nothing to separate it from). Messages say what to do.
 */
export function validateAnnotation(
  a: Annotation,
  frame: { width: number; height: number },
  frameCount?: number,
): void {
  const where = `annotation on frame ${a.frameIndex}`;
  if (
    !Number.isInteger(a.frameIndex) ||
    a.frameIndex < 0 ||
    (frameCount !== undefined && a.frameIndex >= frameCount)
  ) {
    throw new AnnotationError(
      `${where}: frame index out of range${frameCount !== undefined ? ` (the clip has frames 0..${frameCount - 1})` : ''}`,
    );
  }
  if (a.width !== frame.width || a.height !== frame.height) {
    throw new AnnotationError(
      `${where}: mask is ${a.width}x${a.height} but the frame is ${frame.width}x${frame.height}; draw or export the mask at the frame's size`,
    );
  }
  if (a.mask.length !== a.width * a.height) {
    throw new AnnotationError(`${where}: mask has ${a.mask.length} values, expected ${a.width * a.height}`);
  }
  let fg = 0;
  let bg = 0;
  for (let i = 0; i < a.mask.length; i++) {
    const v = a.mask[i];
    if (v === 1) fg++;
    else if (v === 0) bg++;
  }
  if (fg === 0)
    throw new AnnotationError(`${where}: the mask is empty; paint the object you want to segment`);
  if (bg === 0) {
    throw new AnnotationError(`${where}: the mask covers the whole frame; leave the background unpainted`);
  }
}

/** Annotations sorted by frame, a later annotation of the same frame replacing the earlier one. */
export function mergeAnnotations(
  existing: readonly Annotation[],
  added: readonly Annotation[],
): Annotation[] {
  const byFrame = new Map<number, Annotation>();
  for (const a of [...existing, ...added]) byFrame.set(a.frameIndex, a);
  return [...byFrame.values()].sort((x, y) => x.frameIndex - y.frameIndex);
}
