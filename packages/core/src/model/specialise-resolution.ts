/**
 * Specialises an ISNet-style graph to a square working resolution R. The PyTorch export baked the
 * spatial size of every `_upsample_like(src, tar)` as `Resize(src, sizes = Concat(Shape(src)[0:2],
 * Constant[h, w]))` for a 1024² input, so other sizes fail at a Concat. Each Resize is given the
 * spatial size of the tensor its result is joined with (Concat/Add partner) at R, or R×R when the
 * result is a full-size side output. Static shapes of every tensor are then written as value_info
 * (batch as the symbolic dimension `batch`), which the training graph builder relies on. Shapes
 * come from the training engine's shape inference (@oneshot-roto/onnx-train's
 * training/shape-inference.ts), so both agree.
 */
import {
  DataType,
  makeInt64Tensor,
  onnx,
  toNumber,
  TrainingGraphError,
  inferGraph,
  type InferredGraph,
  type ModelProto,
  type NodeProto,
  type ShapeState,
} from '@oneshot-roto/onnx-train';
import { ModelError } from './errors';

export const BATCH_DIM = 'batch';
/** Element types of the baked size constants (shape arithmetic is integer). */
const INT_SIZES = new Set<number>([DataType.INT64, DataType.INT32]);

export interface SpecialisationReport {
  resolution: number;
  resizesRewritten: number;
  /** Shapes (batch as 1) of the graph outputs, by name. */
  outputShapes: Record<string, number[]>;
}

function dimsOfValueInfo(vi: onnx.IValueInfoProto): Array<number | string> {
  return (vi.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue)));
}

function setValueInfoShape(
  vi: onnx.IValueInfoProto,
  shape: number[],
  elemType: number,
  dynamicBatch: boolean,
): void {
  const dims = shape.map((d, i) =>
    i === 0 && dynamicBatch && shape.length === 4
      ? onnx.TensorShapeProto.Dimension.create({ dimParam: BATCH_DIM })
      : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
  );
  vi.type = onnx.TypeProto.create({
    tensorType: onnx.TypeProto.Tensor.create({
      elemType,
      shape: onnx.TensorShapeProto.create({ dim: dims }),
    }),
  });
}

/** Rewrites the model in place for an input of [batch, 3, R, R]. */
export function specialiseResolution(
  model: ModelProto,
  resolution: number,
  options: { dynamicBatch?: boolean } = {},
): SpecialisationReport {
  const dynamicBatch = options.dynamicBatch ?? true;
  const graph = model.graph;
  if (!graph) throw new Error('model has no graph');
  const initNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const inputs = (graph.input ?? []).filter((i) => !initNames.has(i.name ?? ''));
  if (inputs.length !== 1)
    throw new ModelError('UNSUPPORTED_GRAPH', `expected one image input, found ${inputs.length}`);
  const input = inputs[0]!;
  const originalDims = dimsOfValueInfo(input);
  if (originalDims.length !== 4 || originalDims[1] !== 3) {
    throw new ModelError(
      'UNSUPPORTED_GRAPH',
      `input ${input.name} has shape [${originalDims.join(',')}], expected [N,3,H,W]`,
    );
  }
  const originalSpatial = originalDims.slice(2);

  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node ?? []) {
    for (const o of node.output ?? []) producer.set(o, node);
    for (const i of node.input ?? []) {
      if (!i) continue;
      const list = consumers.get(i) ?? [];
      list.push(node);
      consumers.set(i, list);
    }
  }

  /** Spatial shape of a tensor the resized map is joined with (looking through Casts). */
  const partnerSpatial = (tensor: string, shapes: ShapeState): number[] | undefined => {
    for (const c of consumers.get(tensor) ?? []) {
      if (c.opType === 'Cast' || c.opType === 'Identity') {
        const found = partnerSpatial(c.output![0]!, shapes);
        if (found) return found;
        continue;
      }
      if (c.opType !== 'Concat' && c.opType !== 'Add') continue;
      for (const other of c.input ?? []) {
        if (other === tensor) continue;
        const s = shapes.info.get(other);
        if (s && s.dims.length === 4) return s.dims.slice(2);
      }
    }
    return undefined;
  };

  const targetSpatial = (resizeOut: string, shapes: ShapeState, baked: number[]): number[] => {
    const partner = partnerSpatial(resizeOut, shapes);
    if (partner) return partner;
    if (baked.every((v, i) => v === originalSpatial[i])) return [resolution, resolution];
    throw new ModelError(
      'UNSUPPORTED_GRAPH',
      `cannot tell which size the Resize producing ${resizeOut} should have at ${resolution}² (baked [${baked.join(',')}], joined with no tensor of known shape)`,
    );
  };

  let resizesRewritten = 0;
  const rewriteBakedSize = (node: NodeProto, known: ShapeState): void => {
    if (node.opType !== 'Resize' || !node.input?.[3]) return;
    const concat = producer.get(node.input[3]);
    if (!concat || concat.opType !== 'Concat' || (concat.input ?? []).length !== 2) return;
    const constNode = producer.get(concat.input![1]!);
    if (!constNode || constNode.opType !== 'Constant') return;
    const bakedConst = known.consts.get(concat.input![1]!);
    if (!bakedConst || !INT_SIZES.has(bakedConst.dataType) || bakedConst.dims.length > 1) return;
    const baked = bakedConst.values;
    if (baked.length !== 2) return;
    if ((consumers.get(concat.input![1]!) ?? []).length !== 1) {
      throw new ModelError(
        'UNSUPPORTED_GRAPH',
        `Resize size constant ${concat.input![1]} is shared by several nodes`,
      );
    }
    const target = targetSpatial(node.output![0]!, known, baked);
    const valueAttr = (constNode.attribute ?? []).find((a) => a.name === 'value');
    valueAttr!.t = makeInt64Tensor(valueAttr!.t?.name ?? '', [2], target);
    // The constant and the Concat feeding this Resize were folded already: refold them with the new value.
    known.consts.set(concat.input![1]!, { dims: [2], dataType: DataType.INT64, values: target });
    const head = known.consts.get(concat.input![0]!);
    if (head) {
      const values = [...head.values, ...target];
      known.consts.set(node.input[3], { dims: [values.length], dataType: DataType.INT64, values });
    } else known.consts.delete(node.input[3]);
    resizesRewritten++;
  };
  const inputInfo = new Map([
    [
      input.name ?? '',
      { dims: [1, 3, resolution, resolution], dataType: input.type?.tensorType?.elemType ?? DataType.FLOAT },
    ],
  ]);
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  let inferred: InferredGraph;
  try {
    inferred = inferGraph(graph.node ?? [], initializers, inputInfo, {
      strict: true,
      onNode: rewriteBakedSize,
    });
  } catch (e) {
    if (e instanceof TrainingGraphError) throw new ModelError('UNSUPPORTED_GRAPH', e.message, { cause: e });
    throw e;
  }
  const shapes = inferred.info;

  setValueInfoShape(input, [1, 3, resolution, resolution], DataType.FLOAT, dynamicBatch);
  const outputShapes: Record<string, number[]> = {};
  for (const out of graph.output ?? []) {
    const s = shapes.get(out.name ?? '');
    if (!s) throw new ModelError('UNSUPPORTED_GRAPH', `graph output ${out.name} is produced by no node`);
    setValueInfoShape(out, s.dims, s.dataType, dynamicBatch);
    outputShapes[out.name ?? ''] = s.dims;
  }
  const publicNames = new Set([...(graph.input ?? []), ...(graph.output ?? [])].map((v) => v.name ?? ''));
  graph.valueInfo = [];
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) {
      const s = shapes.get(name);
      if (!s || publicNames.has(name) || !name) continue;
      const vi = onnx.ValueInfoProto.create({ name });
      setValueInfoShape(vi, s.dims, s.dataType, dynamicBatch);
      graph.valueInfo.push(vi);
    }
  }
  return { resolution, resizesRewritten, outputShapes };
}
