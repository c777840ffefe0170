/**
 * Annotation masks as the workspace stores them: an 8-bit grey PNG at frame size, 0 background,
 * 255 object and 128 open ("don't care"). In memory they follow the fine-tuning convention
 * (osvos/annotations.ts): 0, 1 and DONT_CARE. Annotations stored before open pixels existed hold
 * only 0 and 255, so they read back exactly as they did.
 */
import { DONT_CARE } from '@oneshot-roto/core';
import { decodeGrayPng, encodeGrayPng } from '../png';

/** Grey level of an open pixel in the stored PNG: halfway, far from both definite levels. */
export const STORED_OPEN = 128;

export async function encodeStoredAnnotation(
  mask: Uint8Array,
  width: number,
  height: number,
): Promise<Buffer> {
  const gray = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i];
    gray[i] = v === 1 ? 255 : v === 0 ? 0 : STORED_OPEN;
  }
  return encodeGrayPng(gray, width, height);
}

/**
 * Reads a stored annotation back. Levels are read by band, not exactly, so that a PNG edited
 * outside the server still reads sensibly: dark is background, bright object, mid-grey open.
 */
export async function decodeStoredAnnotation(
  png: Uint8Array,
): Promise<{ mask: Uint8Array; width: number; height: number }> {
  const { data, width, height } = await decodeGrayPng(png);
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    mask[i] = v < 64 ? 0 : v >= 192 ? 1 : DONT_CARE;
  }
  return { mask, width, height };
}
