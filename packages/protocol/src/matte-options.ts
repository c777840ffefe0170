/**
 * The matte options' schema (snapping, finishing controls and output format): the matte module's
 * options (core's matte/options.ts: defaults, validation) and the render request's matte controls
 * (common.ts) share it, so it lives here where the panel can bundle it. TypeBox only.
 */
import { Type, type Static } from '@sinclair/typebox';

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
    pieceTrack: Type.Boolean({
      description:
        "Keep only the mask's pieces that follow the object from the nearest annotated frame (a piece that " +
        'appears away from where the object was is cleared); needs an annotated frame in the range',
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
