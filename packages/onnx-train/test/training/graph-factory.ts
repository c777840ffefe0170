/** Builds small forward ONNX models in tests (random weights, any op sequence). */
import { onnx, makeFloatTensor, type ModelProto } from '../../src/onnx/model-io';
import { GraphBuilder } from '../../src/training/graph-builder';
import { makeValueInfo } from '../../src/training/specialize';

export class Rng {
  constructor(private s: number) {}
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.next() + 1e-12)) * Math.cos(2 * Math.PI * this.next());
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  array(n: number, scale = 1): Float32Array {
    return Float32Array.from({ length: n }, () => this.normal() * scale);
  }
}

export class ModelFactory {
  readonly b = new GraphBuilder();
  private readonly inputs: onnx.ValueInfoProto[] = [];
  constructor(readonly rng: Rng) {}

  input(name: string, dims: number[]): string {
    this.b.reserve(name);
    this.inputs.push(makeValueInfo(name, { dims, dataType: onnx.TensorProto.DataType.FLOAT }));
    return name;
  }

  param(hint: string, dims: number[], scale?: number): string {
    const fanIn = dims.slice(1).reduce((a, c) => a * c, 1) || 1;
    const name = this.b.fresh(hint);
    this.b.initializers.push(
      makeFloatTensor(
        name,
        dims,
        this.rng.array(
          dims.reduce((a, c) => a * c, 1),
          scale ?? Math.sqrt(2 / fanIn),
        ),
      ),
    );
    return name;
  }

  /** Outputs without dims get no declared shape (the training engine infers it). */
  model(outputs: { name: string; dims?: number[] }[], opset = 17): ModelProto {
    return onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      graph: onnx.GraphProto.create({
        name: 'test',
        node: this.b.nodes,
        initializer: this.b.initializers,
        input: this.inputs,
        output: outputs.map((o) =>
          o.dims
            ? makeValueInfo(o.name, { dims: o.dims, dataType: onnx.TensorProto.DataType.FLOAT })
            : onnx.ValueInfoProto.create({
                name: o.name,
                type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } },
              }),
        ),
      }),
    });
  }
}
