/** Errors raised while building or running train-step graphs. */
import type { NodeProto } from '../onnx/model-io';

export class TrainingGraphError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrainingGraphError';
  }
}

/** A node on the path from a trainable parameter to the loss uses an op (or attribute) that has no gradient rule. */
export class UnsupportedGradientError extends TrainingGraphError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    detail: string,
  ) {
    super(
      `no gradient for ${opType} node "${nodeName}" (${detail}); it lies on a path from a trainable parameter to the loss. ` +
        'Freeze the parameters before it (--trainable) or rewrite the model without this op.',
    );
    this.name = 'UnsupportedGradientError';
  }
}

/** Static shape inference cannot go on at `node`. */
export function failShapeInference(node: NodeProto, msg: string): never {
  throw new TrainingGraphError(
    `cannot infer shapes at ${node.opType} node "${node.name ?? node.output?.[0]}": ${msg}`,
  );
}
