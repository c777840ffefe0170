/** The prepared parent network (ISNet, fp32) at a small resolution, and a synthetic sample for it. */
import * as ort from 'onnxruntime-node';
import { ensureParentModel } from '../../src/model';
import { loadModel, type ModelProto } from '@oneshot-roto/onnx-train';

export async function loadParent(resolution: number): Promise<ModelProto> {
  const prepared = await ensureParentModel({ resolution });
  return loadModel(prepared.modelPath);
}

/** A bright disk on a textured background, and its 0/1 mask. */
export function diskSample(size: number): { image: ort.Tensor; label: ort.Tensor } {
  const img = new Float32Array(3 * size * size);
  const lab = new Float32Array(size * size);
  const r = size * 0.3;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const inside = (x - size * 0.45) ** 2 + (y - size * 0.55) ** 2 < r * r;
      lab[y * size + x] = inside ? 1 : 0;
      for (let c = 0; c < 3; c++) {
        const texture = 0.15 * Math.sin((x * (c + 1)) / 3) * Math.cos(y / 4);
        img[c * size * size + y * size + x] = (inside ? 0.3 - 0.1 * c : -0.2 + 0.05 * c) + texture;
      }
    }
  return {
    image: new ort.Tensor('float32', img, [1, 3, size, size]),
    label: new ort.Tensor('float32', lab, [1, 1, size, size]),
  };
}

/** ISNet's decoder: the stage*d blocks and the side outputs. */
export const ISNET_DECODER = { nodeName: /^\/(stage\d+d|side\d+)\// };
export const ISNET_ENCODER_NODE = /^\/(conv_in|stage\d+)\//;
