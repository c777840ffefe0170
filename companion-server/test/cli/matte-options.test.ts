import { Command } from 'commander';
import { Value } from '@sinclair/typebox/value';
import { addMatteOptions, parseMatteOptions } from '../../src/cli/commands/matte-options';
import {
  DEFAULT_MATTE_OPTIONS,
  MatteOptionsError,
  MatteOptionsSchema,
  resolveMatteOptions,
} from '@oneshot-roto/core';

function parse(args: string[]) {
  const cmd = addMatteOptions(
    new Command('segment').exitOverride().configureOutput({ writeErr: () => undefined }),
  );
  cmd.parse(args, { from: 'user' });
  return parseMatteOptions(cmd.opts());
}

describe('matte CLI options', () => {
  it('no flags give the defaults, which satisfy the schema', () => {
    expect(parse([])).toEqual(DEFAULT_MATTE_OPTIONS);
    expect(Value.Check(MatteOptionsSchema, DEFAULT_MATTE_OPTIONS)).toBe(true);
  });

  it('parses every flag into typed options', () => {
    expect(
      parse([
        '--edge-snap',
        'guided',
        '--superpixel-snap',
        '--threshold',
        '0.4',
        '--fill-holes',
        '500',
        '--drop-islands',
        '200',
        '--drop-islands-relative',
        '0.1',
        '--choke',
        '1.5',
        '--expand',
        '3',
        '--feather',
        '4',
        '--invert',
        '--temporal-smoothing',
        '2',
        '--piece-track',
        '--format',
        'prores',
      ]),
    ).toEqual({
      edgeSnap: 'guided',
      superpixelSnap: true,
      threshold: 0.4,
      soft: false,
      fillHoles: 500,
      dropIslands: 200,
      dropIslandsRelative: 0.1,
      choke: 1.5,
      expand: 3,
      feather: 4,
      invert: true,
      temporalRadius: 2,
      pieceTrack: true,
      format: 'prores',
    });
    expect(parse(['--no-piece-track']).pieceTrack).toBe(false);
  });

  it('--fill-holes without a value fills all holes', () => {
    expect(parse(['--fill-holes']).fillHoles).toBe('all');
  });

  it('bad values are errors naming the flag or field', () => {
    expect(() => parse(['--threshold', 'abc'])).toThrow(/--threshold/);
    expect(() => parse(['--threshold', '2'])).toThrow(MatteOptionsError);
    expect(() => parse(['--threshold', '2'])).toThrow(/threshold/);
    expect(() => parse(['--drop-islands', '2.5'])).toThrow(/--drop-islands/);
    expect(() => parse(['--drop-islands-relative', '2'])).toThrow(/dropIslandsRelative/);
    expect(() => parse(['--drop-islands-relative', 'most'])).toThrow(/--drop-islands-relative/);
    expect(() => parse(['--format', 'gif'])).toThrow(/Allowed choices/);
  });

  it('--soft keeps the soft map and refuses controls that need a hard matte', () => {
    expect(parse(['--soft', '--fill-holes', '--invert']).soft).toBe(true);
    expect(() => parse(['--soft', '--choke', '2', '--feather', '3'])).toThrow(
      /soft matte can't be combined with choke, feather/,
    );
  });

  it('the schema rejects unknown fields (server render requests)', () => {
    expect(() => resolveMatteOptions({ ...DEFAULT_MATTE_OPTIONS, blur: 3 } as never)).toThrow(
      /Invalid matte options/,
    );
  });
});
