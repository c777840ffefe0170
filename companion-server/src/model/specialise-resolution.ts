/**
 * Specialises an ISNet-style graph to a square working resolution R. The PyTorch export baked the
 * spatial size of every `_upsample_like(src, tar)` as `Resize(src, sizes = Concat(Shape(src)[0:2],
 * Constant[h, w]))` for a 1024² input, so other sizes fail at a Concat. Each Resize is given the
 * spatial size of the tensor its result is joined with (Concat/Add partner) at R, or R×R when the
 * result is a full-size side output. Static shapes of every tensor are then written as value_info
 * (batch as the symbolic dimension `batch`), which the training graph builder relies on.
 */
import { DataType, makeInt64Tensor, onnx, toNumber, type ModelProto, type NodeProto } from '../onnx/model-io';
import { ModelError } from './errors';
import { inferShapes, type ShapeMap } from './shape-inference';

export const BATCH_DIM = 'batch';

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
  const partnerSpatial = (tensor: string, shapes: ShapeMap): number[] | undefined => {
    for (const c of consumers.get(tensor) ?? []) {
      if (c.opType === 'Cast' || c.opType === 'Identity') {
        const found = partnerSpatial(c.output![0]!, shapes);
        if (found) return found;
        continue;
      }
      if (c.opType !== 'Concat' && c.opType !== 'Add') continue;
      for (const other of c.input ?? []) {
        if (other === tensor) continue;
        const s = shapes.get(other);
        if (s && s.shape.length === 4) return s.shape.slice(2);
      }
    }
    return undefined;
  };

  const targetSpatial = (resizeOut: string, shapes: ShapeMap, baked: number[]): number[] => {
    const partner = partnerSpatial(resizeOut, shapes);
    if (partner) return partner;
    if (baked.every((v, i) => v === originalSpatial[i])) return [resolution, resolution];
    throw new ModelError(
      'UNSUPPORTED_GRAPH',
      `cannot tell which size the Resize producing ${resizeOut} should have at ${resolution}² (baked [${baked.join(',')}], joined with no tensor of known shape)`,
    );
  };

  let resizesRewritten = 0;
  const initial: ShapeMap = new Map([
    [
      input.name ?? '',
      { shape: [1, 3, resolution, resolution], elemType: input.type?.tensorType?.elemType ?? DataType.FLOAT },
    ],
  ]);
  const shapes = inferShapes(graph, initial, (node, known) => {
    if (node.opType !== 'Resize' || !node.input?.[3]) return;
    const concat = producer.get(node.input[3]);
    if (!concat || concat.opType !== 'Concat' || (concat.input ?? []).length !== 2) return;
    const constNode = producer.get(concat.input![1]!);
    if (!constNode || constNode.opType !== 'Constant') return;
    const baked = known.get(concat.input![1]!)?.value;
    if (!baked || baked.length !== 2) return;
    if ((consumers.get(concat.input![1]!) ?? []).length !== 1) {
      throw new ModelError(
        'UNSUPPORTED_GRAPH',
        `Resize size constant ${concat.input![1]} is shared by several nodes`,
      );
    }
    const target = targetSpatial(node.output![0]!, known, baked);
    const valueAttr = (constNode.attribute ?? []).find((a) => a.name === 'value');
    valueAttr!.t = makeInt64Tensor(valueAttr!.t?.name ?? '', [2], target);
    // Re-run inference of the constant and the Concat feeding this Resize with the new value.
    known.set(concat.input![1]!, { shape: [2], elemType: DataType.INT64, value: target });
    const head = known.get(concat.input![0]!);
    known.set(node.input[3], {
      shape: [4],
      elemType: DataType.INT64,
      value: head?.value ? [...head.value, ...target] : undefined,
    });
    resizesRewritten++;
  });

  setValueInfoShape(input, [1, 3, resolution, resolution], DataType.FLOAT, dynamicBatch);
  const outputShapes: Record<string, number[]> = {};
  for (const out of graph.output ?? []) {
    const s = shapes.get(out.name ?? '');
    if (!s) throw new ModelError('UNSUPPORTED_GRAPH', `graph output ${out.name} is produced by no node`);
    setValueInfoShape(out, s.shape, s.elemType, dynamicBatch);
    outputShapes[out.name ?? ''] = s.shape;
  }
  const publicNames = new Set([...(graph.input ?? []), ...(graph.output ?? [])].map((v) => v.name ?? ''));
  graph.valueInfo = [];
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) {
      const s = shapes.get(name);
      if (!s || publicNames.has(name) || !name) continue;
      const vi = onnx.ValueInfoProto.create({ name });
      setValueInfoShape(vi, s.shape, s.elemType, dynamicBatch);
      graph.valueInfo.push(vi);
    }
  }
  return { resolution, resizesRewritten, outputShapes };
}
