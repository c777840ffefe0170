/**
 * The workspace's annotation PNGs: open ("don't care") pixels survive the round trip, and an
 * annotation stored before open pixels existed (0/255 only) reads back as it always did.
 */
import sharp from 'sharp';
import { DONT_CARE } from '@oneshot-roto/core';
import {
  decodeStoredAnnotation,
  encodeStoredAnnotation,
  STORED_OPEN,
} from '../../src/server/annotation/stored-mask';

const W = 4;
const H = 2;

test('object, background and open pixels come back as they were stored', async () => {
  const mask = Uint8Array.from([0, 1, DONT_CARE, 1, DONT_CARE, 0, 0, 1]);
  const png = await encodeStoredAnnotation(mask, W, H);
  expect(await sharp(png).metadata()).toMatchObject({ channels: 1, width: W, height: H });
  const data = await sharp(png).extractChannel(0).raw().toBuffer();
  expect(Array.from(data)).toEqual([0, 255, STORED_OPEN, 255, STORED_OPEN, 0, 0, 255]);
  expect(await decodeStoredAnnotation(png)).toEqual({ mask, width: W, height: H });
});

test('a 0/255 annotation written by an earlier server reads back as 0/1 with nothing open', async () => {
  const legacy = Uint8Array.from([0, 255, 255, 0, 0, 0, 255, 255]);
  const png = await sharp(Buffer.from(legacy), { raw: { width: W, height: H, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  const { mask } = await decodeStoredAnnotation(png);
  expect(Array.from(mask)).toEqual([0, 1, 1, 0, 0, 0, 1, 1]);
});
