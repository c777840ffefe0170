/**
 * Several train steps in one onnxruntime run: the step graph becomes the body of an ONNX Loop
 * over a stack of samples, with parameters and optimizer state loop-carried, so they stay inside
 * the runtime (on the device, with a GPU provider) between steps.
 *
 * Inputs: each per-step input of the step graph (data inputs, `label`, `pixel_weight`) stacked
 * on a new leading axis of size `steps`, `learning_rate` as a [steps] vector, then parameters and
 * optimizer state as in the step graph. Outputs: `loss` [steps], then the updated parameters and
 * state under the step graph's output names (values after the last step).
 */
import { DataType, onnx, type ModelProto, type NodeProto } from '../onnx/model-io';
import { TrainingGraphError } from './errors';
import { makeValueInfo } from './specialize';
import type { TrainStepGraph } from './train-step';

const BODY = 'loop_body/';

export function buildMultiStep(g: TrainStepGraph, steps: number): ModelProto {
  if (!Number.isInteger(steps) || steps < 1)
    throw new TrainingGraphError(`steps must be a positive integer, got ${steps}`);
  if (!g.learningRate) throw new TrainingGraphError('a multi-step graph needs an optimizer (not "none")');
  const step = g.model.graph!;
  const perStep = [
    ...g.dataInputs.map((d) => d.name),
    g.label.name,
    ...(g.pixelWeight ? [g.pixelWeight.name] : []),
    g.learningRate,
  ];
  const carriedIn = [
    ...g.parameters.map((p) => p.name),
    ...g.parameters.flatMap((p) => p.state.map((s) => s.input)),
    ...g.globalState.map((s) => s.input),
  ];
  const carriedOut = [
    ...g.parameters.map((p) => p.output!),
    ...g.parameters.flatMap((p) => p.state.map((s) => s.output)),
    ...g.globalState.map((s) => s.output),
  ];
  const rename = new Map<string, string>();
  for (const n of [...perStep, ...carriedIn, ...carriedOut, g.lossOutput]) rename.set(n, BODY + n);
  const r = (n: string) => rename.get(n) ?? n;

  const info = new Map<string, onnx.IValueInfoProto>();
  for (const v of [...(step.input ?? []), ...(step.output ?? [])]) info.set(v.name ?? '', v);
  const dimsOf = (name: string) =>
    (info.get(name)?.type?.tensorType?.shape?.dim ?? []).map((d) => Number(d.dimValue));
  const f = (name: string, dims: number[]) => makeValueInfo(name, { dims, dataType: DataType.FLOAT });

  const bodyNodes: NodeProto[] = [];
  for (const name of perStep) {
    bodyNodes.push(
      onnx.NodeProto.create({
        opType: 'Gather',
        name: `${BODY}gather/${name}`,
        input: [name, `${BODY}iter`],
        output: [r(name)],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      }),
    );
  }
  for (const n of step.node ?? []) {
    bodyNodes.push(
      onnx.NodeProto.create({
        ...n,
        name: BODY + (n.name ?? ''),
        input: (n.input ?? []).map((i) => (i ? r(i) : i)),
        output: (n.output ?? []).map(r),
      }),
    );
  }
  bodyNodes.push(
    onnx.NodeProto.create({
      opType: 'Identity',
      name: `${BODY}cond`,
      input: [`${BODY}cond_in`],
      output: [`${BODY}cond_out`],
    }),
  );
  const scalar = (name: string, type: number) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: type, shape: { dim: [] } } } });
  const body = onnx.GraphProto.create({
    name: 'train_step_body',
    node: bodyNodes,
    input: [
      scalar(`${BODY}iter`, DataType.INT64),
      scalar(`${BODY}cond_in`, DataType.BOOL),
      ...carriedIn.map((n) => f(r(n), dimsOf(n))),
    ],
    output: [
      scalar(`${BODY}cond_out`, DataType.BOOL),
      ...carriedOut.map((n) => f(r(n), dimsOf(n))),
      f(r(g.lossOutput), []),
    ],
  });

  const trip = onnx.TensorProto.create({
    name: 'loop_trip_count',
    dataType: DataType.INT64,
    dims: [],
    int64Data: [steps],
  });
  const cond = onnx.TensorProto.create({
    name: 'loop_cond',
    dataType: DataType.BOOL,
    dims: [],
    int32Data: [1],
  });
  const loop = onnx.NodeProto.create({
    opType: 'Loop',
    name: 'train_loop',
    input: ['loop_trip_count', 'loop_cond', ...carriedIn],
    output: [...carriedOut, g.lossOutput],
    attribute: [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }],
  });
  return onnx.ModelProto.create({
    irVersion: g.model.irVersion,
    opsetImport: g.model.opsetImport,
    producerName: 'oneshot-roto training engine (multi-step)',
    graph: onnx.GraphProto.create({
      name: 'train_steps',
      node: [loop],
      initializer: [...(step.initializer ?? []), trip, cond],
      input: [
        ...perStep.map((n) => f(n, n === g.learningRate ? [steps] : [steps, ...dimsOf(n)])),
        ...carriedIn.map((n) => f(n, dimsOf(n))),
      ],
      output: [f(g.lossOutput, [steps]), ...carriedOut.map((n) => f(n, dimsOf(n)))],
    }),
  });
}
