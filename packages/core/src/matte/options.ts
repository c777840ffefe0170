/**
 * Matte options: snapping, finishing controls and output format. One TypeBox schema gives the
 * static type and the run-time validation used by the CLI (`segment`) and the server's render
 * request alike. Processing order (see pipeline.ts): drop stray islands (relative to the largest,
 * on the network's soft map) → edge snap → temporal smoothing → threshold → superpixel snap →
 * fill holes → drop islands → choke → expand → feather → invert. `soft` keeps the soft map as
 * alpha: only the stray islands, fill holes / drop islands (as hard overrides) and invert apply
 * then.
 */
import { Value } from '@sinclair/typebox/value';
// The schema is the protocol's (the render request carries it); defaults and validation are here.
import { MatteOptionsSchema, type MatteOptions } from '@oneshot-roto/protocol';

export {
  EDGE_SNAP_METHODS,
  MATTE_OUTPUT_FORMATS,
  MatteOptionsSchema,
  type EdgeSnapMethod,
  type MatteOptions,
  type MatteOutputFormat,
} from '@oneshot-roto/protocol';

export const DEFAULT_MATTE_OPTIONS: MatteOptions = {
  // Dense CRF: on the `balanced` and `best` presets' soft maps it gains the most J and F of the
  // snapping options, ~175 ms per 854×480 frame (BENCHMARKS.md, "Boundary snapping").
  edgeSnap: 'crf',
  superpixelSnap: false,
  threshold: 0.5,
  soft: false,
  fillHoles: 'off',
  dropIslands: 0,
  // Stray blobs under 5 % of the object's main island: +0.5 J / +1.9 F on the `best` preset's
  // maps of the 12 DAVIS training sequences (BENCHMARKS.md, "Matte finishing").
  dropIslandsRelative: 0.05,
  choke: 0,
  expand: 0,
  feather: 0,
  invert: false,
  temporalRadius: 0,
  // Mask pieces that do not follow the object from the nearest annotated frame are cleared:
  // +0.4 J / +0.4 F on `fast`'s finished mattes of every frame of the training subset, +1.5 / +2.0
  // on the held-out one; held-out motorbike under `best` 0.553 -> 0.723 (BENCHMARKS.md, "Piece
  // tracking at every frame").
  pieceTrack: true,
  format: 'png8',
};

export class MatteOptionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MatteOptionsError';
  }
}

/** Defaults filled in, then validated; throws MatteOptionsError naming each bad field. */
export function resolveMatteOptions(partial: Partial<MatteOptions> = {}): MatteOptions {
  const merged: Record<string, unknown> = { ...DEFAULT_MATTE_OPTIONS };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) merged[k] = v;
  if (!Value.Check(MatteOptionsSchema, merged)) {
    const problems = [...Value.Errors(MatteOptionsSchema, merged)]
      .map((e) => `${e.path || '/'}: ${e.message} (got ${JSON.stringify(e.value)})`)
      .slice(0, 5);
    throw new MatteOptionsError(`Invalid matte options: ${problems.join('; ')}`);
  }
  const o = merged;
  if (o.soft) {
    const hardOnly = (['superpixelSnap', 'choke', 'expand', 'feather'] as const).filter((k) => Boolean(o[k]));
    if (hardOnly.length > 0) {
      throw new MatteOptionsError(
        `A soft matte can't be combined with ${hardOnly.join(', ')} (they work on the hard matte): ` +
          'turn soft off or drop those controls',
      );
    }
  }
  return o;
}
