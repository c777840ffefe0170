/**
 * Connected-component labelling of a binary mask (breadth-first flood fill over typed arrays).
 * Foreground uses 8-connectivity and background 4-connectivity — the dual pair, so a one-pixel
 * diagonal gap neither splits a foreground island nor lets a hole leak out through a corner.
 */

export type Connectivity = 4 | 8;

export interface Components {
  /** Component id per pixel (0-based), -1 for pixels not of the labelled value. */
  labels: Int32Array;
  /** Pixel count per component id. */
  areas: number[];
  /** Whether each component touches the image border. */
  touchesBorder: boolean[];
}

/** Labels the connected components of the pixels where `(mask[i] !== 0) === (value === 1)`. */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  value: 0 | 1,
  connectivity: Connectivity,
): Components {
  const n = width * height;
  const labels = new Int32Array(n).fill(-1);
  const areas: number[] = [];
  const touchesBorder: boolean[] = [];
  const queue = new Int32Array(n);
  const want = value === 1;
  for (let seed = 0; seed < n; seed++) {
    if (labels[seed] !== -1 || (mask[seed] !== 0) !== want) continue;
    const id = areas.length;
    let head = 0;
    let tail = 0;
    let area = 0;
    let border = false;
    labels[seed] = id;
    queue[tail++] = seed;
    while (head < tail) {
      const p = queue[head++]!;
      area++;
      const x = p % width;
      const y = (p - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if (dx === 0 && dy === 0) continue;
          if (connectivity === 4 && dx !== 0 && dy !== 0) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (labels[q] !== -1 || (mask[q] !== 0) !== want) continue;
          labels[q] = id;
          queue[tail++] = q;
        }
      }
    }
    areas.push(area);
    touchesBorder.push(border);
  }
  return { labels, areas, touchesBorder };
}
