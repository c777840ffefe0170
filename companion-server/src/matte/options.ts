/**
 * Matte options: snapping, finishing controls and output format. One TypeBox schema gives the
 * static type and the run-time validation used by the CLI (`segment`) and the server's render
 * request alike. Processing order (see pipeline.ts): drop stray islands (relative to the largest,
 * on the network's soft map) → edge snap → temporal smoothing → threshold → superpixel snap →
 * fill holes → drop islands → choke → expand → feather → invert. `soft` keeps the soft map as
 * alpha: only the stray islands, fill holes / drop islands (as hard overrides) and invert apply
 * then.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const EDGE_SNAP_METHODS = ['none', 'guided', 'bilateral', 'crf'] as const;
export type EdgeSnapMethod = (typeof EDGE_SNAP_METHODS)[number];

export const MATTE_OUTPUT_FORMATS = ['png8', 'png16', 'rgba', 'prores', 'h264', 'ffv1'] as const;
export type MatteOutputFormat = (typeof MATTE_OUTPUT_FORMATS)[number];

const Pixels = (description: string, max = 512) => Type.Number({ minimum: 0, maximum: max, description });

export const MatteOptionsSchema = Type.Object(
  {
    edgeSnap: Type.Union(
      EDGE_SNAP_METHODS.map((m) => Type.Literal(m)),
      { description: 'Edge-aware snapping of the soft map to the full-resolution frame' },
    ),
    superpixelSnap: Type.Boolean({ description: 'SLIC superpixels take the majority label of the mask' }),
    threshold: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'Foreground where the soft map >= threshold',
    }),
    soft: Type.Boolean({
      description:
        'Output the (snapped) soft map as alpha instead of a hard matte; fill holes / drop islands still ' +
        'apply as hard overrides, superpixel snap, choke, expand and feather do not combine with it',
    }),
    fillHoles: Type.Union([Type.Literal('off'), Type.Literal('all'), Type.Integer({ minimum: 1 })], {
      description: "Fill enclosed background holes: 'off', 'all', or holes of at most N pixels",
    }),
    dropIslands: Type.Integer({
      minimum: 0,
      description: 'Remove foreground islands smaller than N pixels (0: off)',
    }),
    dropIslandsRelative: Type.Number({
      minimum: 0,
      maximum: 1,
      description:
        "Before snapping, remove the soft map's foreground islands smaller than this fraction of the frame's largest island (0: off)",
    }),
    choke: Pixels('Shrink the matte by this many pixels (exact Euclidean distance)'),
    expand: Pixels('Grow the matte by this many pixels (exact Euclidean distance)'),
    feather: Pixels('Width in pixels of a linear alpha ramp centred on the edge (0: hard edge)'),
    invert: Type.Boolean({ description: 'Swap foreground and background' }),
    temporalRadius: Type.Integer({
      minimum: 0,
      maximum: 10,
      description: 'Average the soft map over ±N neighbouring frames (0: off, frames stay independent)',
    }),
    format: Type.Union(
      MATTE_OUTPUT_FORMATS.map((f) => Type.Literal(f)),
      {
        description:
          'Output: PNG sequence (8/16-bit matte, RGBA cutout) or video (ProRes 4444 with alpha, matte video)',
      },
    ),
  },
  { additionalProperties: false },
);

export type MatteOptions = Static<typeof MatteOptionsSchema>;

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
