/**
 * The matte-control and output-format flags, shared by every command that renders a matte
 * (`segment`, …). `addMatteOptions` registers them; `parseMatteOptions` turns commander's parsed
 * values into validated MatteOptions (defaults from DEFAULT_MATTE_OPTIONS), throwing
 * MatteOptionsError with the offending flag named.
 */
import { optionText } from './option-text';
import { Option, type Command } from 'commander';
import {
  DEFAULT_MATTE_OPTIONS as D,
  EDGE_SNAP_METHODS,
  MATTE_OUTPUT_FORMATS,
  MatteOptionsError,
  resolveMatteOptions,
  type MatteOptions,
} from '@oneshot-roto/core';

export function addMatteOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--edge-snap <method>',
        "snap the soft map to image edges (default: the preset's or the weights')",
      ).choices([...EDGE_SNAP_METHODS]),
    )
    .addOption(new Option('--superpixel-snap', 'SLIC superpixels take the majority label of the mask'))
    .addOption(
      new Option(
        '--threshold <value>',
        "foreground where the soft map >= value, 0..1 (default: the preset's or the weights')",
      ),
    )
    .addOption(new Option('--soft', 'keep the soft map as alpha instead of a hard matte'))
    .addOption(
      new Option('--fill-holes [maxPixels]', 'fill enclosed holes (all, or only those of at most maxPixels)'),
    )
    .addOption(
      new Option('--drop-islands <pixels>', 'remove foreground islands smaller than this many pixels'),
    )
    .addOption(
      new Option(
        '--drop-islands-relative <fraction>',
        `remove foreground islands smaller than this fraction of the largest, 0..1 (default: ${D.dropIslandsRelative}; 0: off)`,
      ),
    )
    .addOption(new Option('--choke <pixels>', 'shrink the matte by this many pixels'))
    .addOption(new Option('--expand <pixels>', 'grow the matte by this many pixels'))
    .addOption(new Option('--feather <pixels>', 'soften the edge with a linear ramp this many pixels wide'))
    .addOption(new Option('--invert', 'swap foreground and background'))
    .addOption(
      new Option(
        '--temporal-smoothing <frames>',
        'average the soft map over ±frames neighbours (default: 0, off)',
      ),
    )
    .addOption(
      new Option(
        '--piece-track',
        `keep only the mask pieces that follow the object from the nearest annotated frame (default: ${D.pieceTrack ? 'on' : 'off'})`,
      ),
    )
    .addOption(new Option('--no-piece-track', 'keep every piece of each frame (frames stay independent)'))
    .addOption(
      new Option('--format <format>', `matte output format (default: ${D.format})`).choices([
        ...MATTE_OUTPUT_FORMATS,
      ]),
    );
}

function num(opts: Record<string, unknown>, key: string, flag: string, integer = false): number | undefined {
  const raw = opts[key];
  if (raw === undefined) return undefined;
  const v = typeof raw === 'number' ? raw : Number(optionText(raw).trim());
  if (optionText(raw).trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new MatteOptionsError(
      `${flag} expects ${integer ? 'an integer' : 'a number'}, got "${optionText(raw)}"`,
    );
  }
  return v;
}

/**
 * The matte options set by flags, over `base` (the network's finishing, presets.ts
 * `networkFinishing`), over the matte's defaults.
 */
export function parseMatteOptions(
  opts: Record<string, unknown>,
  base: Partial<MatteOptions> = {},
): MatteOptions {
  return resolveMatteOptions({ ...base, ...parseMatteFlags(opts) });
}

/** Only the matte options a flag sets (checked now, so a bad value fails before any work). */
export function parseMatteFlags(opts: Record<string, unknown>): Partial<MatteOptions> {
  const fill = opts.fillHoles;
  let fillHoles: MatteOptions['fillHoles'] | undefined;
  if (fill === true || fill === 'all') fillHoles = 'all';
  else if (fill === false || fill === 'off') fillHoles = 'off';
  else if (fill !== undefined) fillHoles = num(opts, 'fillHoles', '--fill-holes', true);
  const partial: Partial<MatteOptions> = {
    edgeSnap: opts.edgeSnap as MatteOptions['edgeSnap'] | undefined,
    superpixelSnap: opts.superpixelSnap === undefined ? undefined : Boolean(opts.superpixelSnap),
    threshold: num(opts, 'threshold', '--threshold'),
    soft: opts.soft === undefined ? undefined : Boolean(opts.soft),
    fillHoles,
    dropIslands: num(opts, 'dropIslands', '--drop-islands', true),
    dropIslandsRelative: num(opts, 'dropIslandsRelative', '--drop-islands-relative'),
    choke: num(opts, 'choke', '--choke'),
    expand: num(opts, 'expand', '--expand'),
    feather: num(opts, 'feather', '--feather'),
    invert: opts.invert === undefined ? undefined : Boolean(opts.invert),
    temporalRadius: num(opts, 'temporalSmoothing', '--temporal-smoothing', true),
    pieceTrack: opts.pieceTrack === undefined ? undefined : Boolean(opts.pieceTrack),
    format: opts.format as MatteOptions['format'] | undefined,
  };
  resolveMatteOptions(partial);
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
}
