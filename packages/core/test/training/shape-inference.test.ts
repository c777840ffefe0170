/**
 * The static shapes the project infers for the real parent network agree with what onnxruntime
 * computes. Both users of the one shape inference are checked: the value_info the parent's
 * preparation writes (model/specialise-resolution.ts) and the training engine's specialisation.
 * 160² makes the deepest stages odd-sized (5 → 3 through a ceil-mode pool).
 */
import * as ort from 'onnxruntime-node';
import {
  encodeModel,
  onnx,
  toNumber,
  DataType,
  type ModelProto,
  specializeModel,
} from '@oneshot-roto/onnx-train';
import { loadParent } from './parent-fixture';

const R = 160;
const OPS = ['Conv', 'MaxPool', 'Resize', 'Concat', 'Add', 'Sigmoid'];

/** A few feature maps of each op type, spread over the graph (first, middle, last). */
function probes(model: ModelProto): string[] {
  const graphOutputs = new Set((model.graph!.output ?? []).map((o) => o.name));
  // Concats also assemble Resize sizes: those are int64 shape arithmetic, not feature maps.
  const sizes = new Set(model.graph!.node!.filter((n) => n.opType === 'Resize').map((n) => n.input![3]));
  return OPS.flatMap((op) => {
    const outs = model
      .graph!.node!.filter((n) => n.opType === op)
      .map((n) => n.output![0]!)
      .filter((o) => !graphOutputs.has(o) && !sizes.has(o));
    return [...new Set([outs[0], outs[Math.floor(outs.length / 2)], outs[outs.length - 1]])].filter(
      (o): o is string => o !== undefined,
    );
  });
}

let parent: ModelProto;
let names: string[];
const actual = new Map<string, number[]>();

beforeAll(async () => {
  parent = await loadParent(R);
  names = probes(parent);
  const probed = onnx.ModelProto.create({
    ...parent,
    graph: onnx.GraphProto.create({
      ...parent.graph,
      output: [
        ...(parent.graph!.output ?? []),
        ...names.map((name) =>
          onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DataType.FLOAT } } }),
        ),
      ],
    }),
  });
  const session = await ort.InferenceSession.create(encodeModel(probed), { logSeverityLevel: 3 });
  const input = new ort.Tensor('float32', new Float32Array(3 * R * R), [1, 3, R, R]);
  const out = await session.run({ input }, names);
  await session.release();
  for (const name of names) actual.set(name, [...out[name]!.dims]);
});

test('probes cover every op type of interest', () => {
  expect(names.length).toBeGreaterThanOrEqual(OPS.length * 2);
  expect([...actual.values()].some((d) => d.includes(3))).toBe(true);
});

test('the prepared parent declares the shapes onnxruntime computes (batch 1)', () => {
  const declared = new Map(
    (parent.graph!.valueInfo ?? []).map((vi) => [
      vi.name!,
      vi.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? 1 : toNumber(d.dimValue))),
    ]),
  );
  for (const name of names) expect([name, declared.get(name)]).toEqual([name, actual.get(name)]);
});

test('the training specialisation infers the shapes onnxruntime computes', () => {
  const { info } = specializeModel(parent, { input: [1, 3, R, R] });
  for (const name of names) expect([name, info.get(name)?.dims]).toEqual([name, actual.get(name)]);
});
