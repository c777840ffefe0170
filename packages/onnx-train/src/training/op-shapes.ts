/**
 * Output shapes and element types of one node from those of its inputs (and the constant values
 * of inputs such as Reshape shapes or Resize sizes): the per-op rules of static shape inference.
 */
import { DataType, getIntAttribute, getIntsAttribute, type NodeProto } from '../onnx/model-io';
import { evalConst, type ConstValue } from './const-fold';
import { failShapeInference } from './errors';
import {
  broadcastShapes,
  convGeometry,
  convTransposeGeometry,
  numel,
  poolGeometry,
  reshapeDims,
  sliceSpec,
  type TensorInfo,
} from './shape-geometry';

/** Undefined for an op these rules do not know. */
export function inferOpShapes(
  node: NodeProto,
  info: (TensorInfo | undefined)[],
  consts: (ConstValue | undefined)[],
): TensorInfo[] | undefined {
  const op = node.opType ?? '';
  const need = (i: number): TensorInfo => {
    const t = info[i];
    if (!t)
      failShapeInference(
        node,
        `shape of input ${i} ("${node.input?.[i]}") is unknown (produced by an op the training engine's shape inference does not know, and the model declares no value_info for it)`,
      );
    return t;
  };
  const needConst = (i: number, what: string): number[] => {
    const c = consts[i];
    if (!c)
      failShapeInference(
        node,
        `${what} (input ${i}, "${node.input?.[i]}") must be a constant after specialisation`,
      );
    return c.values;
  };
  switch (op) {
    case 'Relu':
    case 'Sigmoid':
    case 'Tanh':
    case 'LeakyRelu':
    case 'Identity':
    case 'Neg':
    case 'Exp':
    case 'Log':
    case 'Abs':
    case 'Sqrt':
    case 'Dropout':
    case 'Softmax':
    case 'LogSoftmax':
    case 'Softplus':
    case 'Clip':
    case 'Elu':
    case 'HardSigmoid':
    case 'Erf':
    case 'Reciprocal':
    case 'Floor':
    case 'Ceil':
    case 'Round':
    case 'Sign':
      return [need(0), { dims: need(0).dims, dataType: DataType.BOOL }].slice(0, node.output?.length ?? 1);
    case 'Cast':
      return [{ dims: need(0).dims, dataType: getIntAttribute(node, 'to', DataType.FLOAT) }];
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
      return [{ dims: broadcastShapes(need(0).dims, need(1).dims, node), dataType: need(0).dataType }];
    case 'Conv': {
      const x = need(0).dims;
      const w = need(1).dims;
      const g = convGeometry(node, x, w);
      return [{ dims: [x[0]!, w[0]!, ...g.out], dataType: need(0).dataType }];
    }
    case 'ConvTranspose': {
      const x = need(0).dims;
      const w = need(1).dims;
      const g = convTransposeGeometry(node, x, w);
      return [
        { dims: [x[0]!, w[1]! * getIntAttribute(node, 'group', 1), ...g.out], dataType: need(0).dataType },
      ];
    }
    case 'MaxPool':
    case 'AveragePool': {
      const x = need(0).dims;
      const g = poolGeometry(node, x);
      const y = { dims: [x[0]!, x[1]!, ...g.out], dataType: need(0).dataType };
      return node.output && node.output.length > 1 ? [y, { dims: y.dims, dataType: DataType.INT64 }] : [y];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool': {
      const x = need(0).dims;
      return [{ dims: [x[0]!, x[1]!, ...x.slice(2).map(() => 1)], dataType: need(0).dataType }];
    }
    case 'Resize': {
      const x = need(0).dims;
      const sizesName = node.input?.[3];
      if (sizesName) {
        const s = needConst(3, 'Resize sizes');
        if (s.length !== x.length) failShapeInference(node, 'Resize sizes must give every axis');
        return [{ dims: s.slice(), dataType: need(0).dataType }];
      }
      const scales = needConst(2, 'Resize scales');
      return [{ dims: x.map((d, i) => Math.floor(d * scales[i]!)), dataType: need(0).dataType }];
    }
    case 'Concat': {
      const first = need(0).dims;
      let axis = getIntAttribute(node, 'axis', 0);
      if (axis < 0) axis += first.length;
      const parts = (node.input ?? []).map((_, i) => need(i).dims);
      // A Resize given the wrong size shows up here first: name the shapes.
      if (parts.some((p) => p.length !== first.length || p.some((d, i) => i !== axis && d !== first[i])))
        failShapeInference(
          node,
          `input shapes ${parts.map((p) => `[${p.join(',')}]`).join(', ')} do not agree outside axis ${axis}`,
        );
      const dims = first.slice();
      dims[axis] = parts.reduce((s, p) => s + p[axis]!, 0);
      return [{ dims, dataType: need(0).dataType }];
    }
    case 'Slice': {
      const x = need(0).dims;
      const spec = sliceSpec(
        x,
        needConst(1, 'Slice starts'),
        needConst(2, 'Slice ends'),
        node.input?.[3] ? needConst(3, 'Slice axes') : undefined,
        node.input?.[4] ? needConst(4, 'Slice steps') : undefined,
      );
      return [{ dims: spec.dims, dataType: need(0).dataType }];
    }
    case 'Reshape':
      return [
        { dims: reshapeDims(need(0).dims, needConst(1, 'Reshape shape'), node), dataType: need(0).dataType },
      ];
    case 'Flatten': {
      const x = need(0).dims;
      let axis = getIntAttribute(node, 'axis', 1);
      if (axis < 0) axis += x.length;
      return [{ dims: [numel(x.slice(0, axis)), numel(x.slice(axis))], dataType: need(0).dataType }];
    }
    case 'Transpose': {
      const x = need(0).dims;
      const perm = getIntsAttribute(
        node,
        'perm',
        x.map((_, i) => x.length - 1 - i),
      );
      return [{ dims: perm.map((p) => x[p]!), dataType: need(0).dataType }];
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const x = need(0);
      const fake: ConstValue = { dims: x.dims, dataType: x.dataType, values: [] };
      const r = evalConst(node, [fake, consts[1]], info);
      if (!r) failShapeInference(node, 'axes must be constant');
      return [{ dims: r[0]!.dims, dataType: x.dataType }];
    }
    case 'MatMul': {
      const a = need(0).dims;
      const b = need(1).dims;
      const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), node);
      return [{ dims: [...batch, a[a.length - 2]!, b[b.length - 1]!], dataType: need(0).dataType }];
    }
    case 'Gather': {
      const x = need(0).dims;
      let axis = getIntAttribute(node, 'axis', 0);
      if (axis < 0) axis += x.length;
      return [
        { dims: [...x.slice(0, axis), ...need(1).dims, ...x.slice(axis + 1)], dataType: need(0).dataType },
      ];
    }
    case 'Shape': {
      const r = need(0).dims.length;
      return [{ dims: [r], dataType: DataType.INT64 }];
    }
    default:
      return undefined;
  }
}
