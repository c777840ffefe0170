/**
 * Hole filling for the composite augmentation: the annotated object is cut out of its frame and
 * the hole filled from the surrounding background, so the object can be pasted elsewhere and the
 * network learns that its old place is background (Lucid Data Dreaming, Khoreva et al. 2017, fill
 * the hole with an inpainting network; a smooth fill is enough for the network to be told "this
 * is not the object").
 *
 * Push-pull interpolation: known pixels are averaged down a 2× pyramid until every cell has some,
 * then each level's unknown pixels take the bilinearly upsampled coarser level. Linear in the
 * pixel count; no iterations to converge.
 */
import type { RgbFrame } from '../video/frame';

interface Level {
  width: number;
  height: number;
  /** Premultiplied colour sums, RGB interleaved. */
  colour: Float32Array;
  /** Known-pixel weight per cell. */
  weight: Float32Array;
}

/**
 * Returns a copy of `image` whose pixels where `hole` is non-zero are replaced by a smooth fill
 * from the pixels around them. `hole` is width×height, row-major. A hole covering every pixel
 * cannot be filled and is an error.
 */
export function fillHole(image: RgbFrame, hole: Uint8Array): RgbFrame {
  const { width, height } = image;
  if (hole.length !== width * height) {
    throw new RangeError(`hole mask has ${hole.length} pixels, the image ${width}×${height}`);
  }
  const base: Level = {
    width,
    height,
    colour: new Float32Array(width * height * 3),
    weight: new Float32Array(width * height),
  };
  let known = 0;
  for (let p = 0; p < width * height; p++) {
    if (hole[p]) continue;
    known++;
    base.weight[p] = 1;
    for (let c = 0; c < 3; c++) base.colour[3 * p + c] = image.data[3 * p + c]!;
  }
  if (known === 0)
    throw new RangeError('the hole covers the whole image: there is no background to fill it from');

  // Push: sum 2×2 blocks until the coarsest level is a single cell.
  const levels: Level[] = [base];
  while (levels[levels.length - 1]!.width > 1 || levels[levels.length - 1]!.height > 1) {
    levels.push(downsample(levels[levels.length - 1]!));
  }
  // Pull: fill each level from the one above, coarsest first.
  let filled = normalised(levels[levels.length - 1]!);
  for (let l = levels.length - 2; l >= 0; l--) {
    const level = levels[l]!;
    const coarse = levels[l + 1]!;
    const out = new Float32Array(level.width * level.height * 3);
    for (let y = 0; y < level.height; y++) {
      // Cell centres of the finer level in the coarser level's pixel coordinates.
      const cy = Math.min(Math.max((y + 0.5) / 2 - 0.5, 0), coarse.height - 1);
      const y0 = Math.floor(cy);
      const y1 = Math.min(y0 + 1, coarse.height - 1);
      const ay = cy - y0;
      for (let x = 0; x < level.width; x++) {
        const p = y * level.width + x;
        const w = Math.min(level.weight[p]!, 1);
        const cx = Math.min(Math.max((x + 0.5) / 2 - 0.5, 0), coarse.width - 1);
        const x0 = Math.floor(cx);
        const x1 = Math.min(x0 + 1, coarse.width - 1);
        const ax = cx - x0;
        for (let c = 0; c < 3; c++) {
          const up =
            (1 - ay) *
              ((1 - ax) * filled[3 * (y0 * coarse.width + x0) + c]! +
                ax * filled[3 * (y0 * coarse.width + x1) + c]!) +
            ay *
              ((1 - ax) * filled[3 * (y1 * coarse.width + x0) + c]! +
                ax * filled[3 * (y1 * coarse.width + x1) + c]!);
          const own = level.weight[p]! > 0 ? level.colour[3 * p + c]! / level.weight[p]! : 0;
          // Partly known cells blend their own average with the coarser fill by how much is known.
          out[3 * p + c] = w * own + (1 - w) * up;
        }
      }
    }
    filled = out;
  }

  const data = new Uint8Array(image.data);
  for (let p = 0; p < width * height; p++) {
    if (!hole[p]) continue;
    for (let c = 0; c < 3; c++) data[3 * p + c] = Math.round(filled[3 * p + c]!);
  }
  return { ...image, data };
}

function downsample(l: Level): Level {
  const width = Math.ceil(l.width / 2);
  const height = Math.ceil(l.height / 2);
  const colour = new Float32Array(width * height * 3);
  const weight = new Float32Array(width * height);
  for (let y = 0; y < l.height; y++) {
    for (let x = 0; x < l.width; x++) {
      const p = y * l.width + x;
      const q = (y >> 1) * width + (x >> 1);
      weight[q] += l.weight[p]!;
      for (let c = 0; c < 3; c++) colour[3 * q + c] += l.colour[3 * p + c]!;
    }
  }
  return { width, height, colour, weight };
}

function normalised(l: Level): Float32Array {
  const out = new Float32Array(l.width * l.height * 3);
  for (let p = 0; p < l.width * l.height; p++) {
    const w = l.weight[p]!;
    for (let c = 0; c < 3; c++) out[3 * p + c] = w > 0 ? l.colour[3 * p + c]! / w : 0;
  }
  return out;
}
