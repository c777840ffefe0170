/** Helpers for the lab scripts that run a saved fine-tuned network outside the product's pipeline. */
import {
  SegmentationModel,
  ensureParentModel,
  type RgbFrame,
  type FineTunedWeights,
} from '@oneshot-roto/core';
import { encodeModel, loadModel, bakeWeights } from '@oneshot-roto/onnx-train';

/** The saved network's first member baked into the parent prepared at `resolution`. */
export async function modelAt(w: FineTunedWeights, resolution: number): Promise<SegmentationModel> {
  const parent = await ensureParentModel({ resolution });
  const baked = bakeWeights(await loadModel(parent.modelPath), w.parameters);
  return SegmentationModel.load({ modelBytes: encodeModel(baked) });
}

/** The frame mirrored left to right. */
export function flipRgb(f: RgbFrame): RgbFrame {
  const out = new Uint8Array(f.data.length);
  for (let y = 0; y < f.height; y++)
    for (let x = 0; x < f.width; x++) {
      const a = 3 * (y * f.width + x);
      const b = 3 * (y * f.width + f.width - 1 - x);
      out.set(f.data.subarray(b, b + 3), a);
    }
  return { ...f, data: out };
}
