/** Puts trained weights into an inference model: same graph, initializers replaced by name. */
import { DataType, dimsOf, makeFloatTensor, onnx, type ModelProto } from '../onnx/model-io';
import { TrainingGraphError } from './errors';

/**
 * Returns a copy of `model` whose initializers named in `weights` hold the new values. An fp16
 * initializer is replaced by an fp32 one only if the model is fp32 elsewhere, so callers should
 * bake into the fp32 (prepared) model the weights were trained from.
 */
export function bakeWeights(model: ModelProto, weights: ReadonlyMap<string, Float32Array>): ModelProto {
  const graph = model.graph;
  if (!graph) throw new TrainingGraphError('model has no graph');
  const seen = new Set<string>();
  const initializer = (graph.initializer ?? []).map((t) => {
    const w = weights.get(t.name ?? '');
    if (!w) return t;
    const dims = dimsOf(t);
    if (t.dataType !== DataType.FLOAT)
      throw new TrainingGraphError(
        `initializer "${t.name}" is not float32 (data type ${t.dataType}); bake into the fp32 model the weights were trained from`,
      );
    if (dims.reduce((a, b) => a * b, 1) !== w.length)
      throw new TrainingGraphError(
        `trained weight "${t.name}" has ${w.length} values, the model's initializer [${dims.join(',')}]`,
      );
    seen.add(t.name ?? '');
    return makeFloatTensor(t.name ?? '', dims, w);
  });
  const missing = [...weights.keys()].filter((k) => !seen.has(k));
  if (missing.length)
    throw new TrainingGraphError(
      `model has no initializers named ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`,
    );
  return onnx.ModelProto.create({ ...model, graph: onnx.GraphProto.create({ ...graph, initializer }) });
}
