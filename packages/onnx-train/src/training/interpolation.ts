/**
 * Linear interpolation matrices for ONNX Resize (mode "linear", opset 11-18 semantics, no
 * antialias), one spatial axis at a time. Bilinear resize is separable, so
 * Y = A_h · X · A_wᵀ per channel, and its exact adjoint is dX = A_hᵀ · dY · A_w.
 */
import { TrainingGraphError } from './errors';

export type CoordinateMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric';
export const SUPPORTED_COORDINATE_MODES: readonly CoordinateMode[] = [
  'half_pixel',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
];

/**
 * Row-major [outSize, inSize] matrix A with y = A·x for one axis.
 * `scale` is the factor ONNX Runtime uses in the coordinate transform: the given `scales` value,
 * or outSize/inSize when `sizes` were given.
 */
export function linearResizeMatrix(
  inSize: number,
  outSize: number,
  scale: number,
  mode: CoordinateMode,
): Float32Array {
  if (!SUPPORTED_COORDINATE_MODES.includes(mode)) {
    throw new TrainingGraphError(
      `Resize coordinate_transformation_mode "${mode}" has no gradient rule (supported: ${SUPPORTED_COORDINATE_MODES.join(', ')})`,
    );
  }
  const a = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    let x: number;
    switch (mode) {
      case 'half_pixel':
        x = (o + 0.5) / scale - 0.5;
        break;
      case 'pytorch_half_pixel':
        x = outSize > 1 ? (o + 0.5) / scale - 0.5 : 0;
        break;
      case 'align_corners':
        x = outSize === 1 ? 0 : (o * (inSize - 1)) / (outSize - 1);
        break;
      case 'asymmetric':
        x = o / scale;
        break;
    }
    x = Math.min(Math.max(x, 0), inSize - 1);
    const x0 = Math.floor(x);
    const x1 = Math.min(x0 + 1, inSize - 1);
    const f = x - x0;
    if (x0 === x1) a[o * inSize + x0] = 1;
    else {
      a[o * inSize + x0]! += 1 - f;
      a[o * inSize + x1]! += f;
    }
  }
  return a;
}

export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}
