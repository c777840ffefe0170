/**
 * Small helper to append ONNX nodes and initializers to a graph under construction, with unique
 * names. Every generated tensor name is prefixed so that the train-step graph's own tensors are
 * recognisable (and never collide with the forward model's names).
 */
import { onnx, makeFloatTensor, makeInt64Tensor, type NodeProto, type TensorProto } from '../onnx/model-io';

export type AttrValue =
  number | string | number[] | onnx.ITensorProto | { floats: number[] } | { float: number };

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;
  private readonly used = new Set<string>();
  private readonly int64Cache = new Map<string, string>();

  constructor(reserved: Iterable<string> = []) {
    for (const n of reserved) this.used.add(n);
  }

  /** A fresh tensor name based on `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  /** Appends one node; returns its output names (fresh unless given). */
  node(
    opType: string,
    inputs: string[],
    outputs: string[] | number,
    attrs: Record<string, AttrValue> = {},
    hint?: string,
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) =>
            this.fresh(`${hint ?? opType}${outputs > 1 ? `_o${i}` : ''}`),
          )
        : outputs;
    if (typeof outputs !== 'number') for (const o of outs) this.reserve(o);
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        name: this.fresh(`n/${hint ?? opType}`),
        input: inputs,
        output: outs,
        attribute: Object.entries(attrs).map(([name, v]) => makeAttribute(name, v)),
      }),
    );
    return outs;
  }

  /** One-output node convenience. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint?: string): string {
    return this.node(opType, inputs, 1, attrs, hint)[0]!;
  }

  floatConst(hint: string, dims: readonly number[], data: Float32Array | number[]): string {
    const name = this.fresh(hint);
    this.initializers.push(
      makeFloatTensor(name, dims, data instanceof Float32Array ? data : Float32Array.from(data)),
    );
    return name;
  }

  scalar(value: number, hint = 'const'): string {
    return this.floatConst(`${hint}`, [], [value]);
  }

  /** Small int64 constants (shapes, axes, pads) are shared between nodes by value. */
  int64Const(hint: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    const key = `${dims.join(',')}|${data.join(',')}`;
    const existing = this.int64Cache.get(key);
    if (existing) return existing;
    const name = this.fresh(hint);
    this.initializers.push(makeInt64Tensor(name, dims, data));
    this.int64Cache.set(key, name);
    return name;
  }
}

export function makeAttribute(name: string, v: AttrValue): onnx.AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  if (typeof v === 'string')
    return onnx.AttributeProto.create({ name, type: T.STRING, s: Buffer.from(v, 'utf8') });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v.floats });
  if ('float' in v) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  return onnx.AttributeProto.create({ name, type: T.TENSOR, t: v });
}
