/**
 * What a segmentation model must look like to be used here: one image input [N,3,H,W] and, as its
 * first output, a one-channel map that is either a probability (produced by a Sigmoid) or logits
 * (anything else; a sigmoid is then applied after inference). Checked on the ONNX graph before a
 * session is created, so a user's `--model file.onnx` fails with a message that says what is wrong.
 */
import { decodeModel, toNumber, type onnx } from '@oneshot-roto/onnx-train';
import { ModelError } from './errors';

export type Dim = number | string;

export interface ModelSignature {
  inputName: string;
  /** [N, 3, H, W]; a string is a symbolic (dynamic) dimension. */
  inputShape: Dim[];
  outputName: string;
  outputShape: Dim[];
  /** 'probability' when the output comes from a Sigmoid node, else 'logits'. */
  outputKind: 'probability' | 'logits';
}

function shapeOf(vi: onnx.IValueInfoProto): Dim[] | undefined {
  const dims = vi.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.map((d, i) =>
    d.dimParam
      ? d.dimParam
      : d.dimValue !== null && d.dimValue !== undefined
        ? toNumber(d.dimValue)
        : `d${i}`,
  );
}

export function inspectModelSignature(bytes: Uint8Array, label: string): ModelSignature {
  let model: onnx.ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (cause) {
    throw new ModelError(
      'MODEL_INVALID',
      `${label} is not an ONNX model (it could not be decoded). Give the path of an .onnx file.`,
      { cause },
    );
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) {
    throw new ModelError(
      'MODEL_INVALID',
      `${label} is not an ONNX model with a graph (no nodes found). Give the path of an .onnx file.`,
    );
  }
  const initNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((i) => !initNames.has(i.name ?? ''));
  if (inputs.length !== 1) {
    throw new ModelError(
      'MODEL_INVALID',
      `${label} has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); a segmentation model needs exactly one image input [N,3,H,W]`,
    );
  }
  const input = inputs[0]!;
  const inputShape = shapeOf(input);
  const elemType = input.type?.tensorType?.elemType;
  if (!inputShape || inputShape.length !== 4 || (typeof inputShape[1] === 'number' && inputShape[1] !== 3)) {
    throw new ModelError(
      'MODEL_INVALID',
      `${label}: input "${input.name}" has shape [${inputShape?.join(',') ?? 'unknown'}]; expected an RGB image batch [N,3,H,W]`,
    );
  }
  if (elemType !== 1) {
    throw new ModelError(
      'MODEL_INVALID',
      `${label}: input "${input.name}" has ONNX element type ${elemType}; expected float32 (1)`,
    );
  }
  const output = (graph.output ?? [])[0];
  if (!output) throw new ModelError('MODEL_INVALID', `${label} has no outputs`);
  const outputShape = shapeOf(output) ?? [];
  const channels = outputShape.length === 4 ? outputShape[1] : outputShape.length === 3 ? 1 : undefined;
  if (channels === undefined || (typeof channels === 'number' && channels !== 1)) {
    throw new ModelError(
      'MODEL_INVALID',
      `${label}: first output "${output.name}" has shape [${outputShape.join(',')}]; expected a one-channel map [N,1,H,W] or [N,H,W]`,
    );
  }
  const producer = (graph.node ?? []).find((n) => (n.output ?? []).includes(output.name ?? ''));
  return {
    inputName: input.name ?? '',
    inputShape,
    outputName: output.name ?? '',
    outputShape,
    outputKind: producer?.opType === 'Sigmoid' ? 'probability' : 'logits',
  };
}
