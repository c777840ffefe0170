/** A plain description of a train-step graph's inputs and outputs (names, order, shapes, meaning). */
import type { TrainStepGraph } from './train-step';

export interface TensorDescription {
  name: string;
  dims: number[];
  role:
    | 'data'
    | 'label'
    | 'pixel_weight'
    | 'learning_rate'
    | 'parameter'
    | 'optimizer_state'
    | 'loss'
    | 'term_loss'
    | 'updated_parameter'
    | 'updated_state'
    | 'gradient';
  meaning: string;
}

export interface TrainStepDescription {
  optimizer: TrainStepGraph['optimizer'];
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  /** Output name → input name it replaces at the next step. */
  feedback: Record<string, string>;
  logits: string[];
  unreachedParameters: string[];
  frozenParameterCount: number;
}

export function describeTrainStep(g: TrainStepGraph): TrainStepDescription {
  const inputs: TensorDescription[] = [];
  const outputs: TensorDescription[] = [];
  const feedback: Record<string, string> = {};
  for (const d of g.dataInputs)
    inputs.push({ ...d, role: 'data', meaning: 'model input (or boundary activation of a split model)' });
  inputs.push({
    ...g.label,
    role: 'label',
    meaning: 'target in [0,1] for the trained output (same shape as its logits)',
  });
  if (g.pixelWeight)
    inputs.push({
      ...g.pixelWeight,
      role: 'pixel_weight',
      meaning: 'per-pixel loss weight; 0 = don\u2019t care',
    });
  if (g.learningRate)
    inputs.push({
      name: g.learningRate,
      dims: [],
      role: 'learning_rate',
      meaning: 'base learning rate of this step',
    });
  for (const p of g.parameters)
    inputs.push({
      name: p.name,
      dims: p.dims,
      role: 'parameter',
      meaning: `trainable parameter (lr x${p.lrMult}, weight decay ${p.weightDecay})`,
    });
  for (const p of g.parameters)
    for (const s of p.state)
      inputs.push({
        name: s.input,
        dims: s.dims,
        role: 'optimizer_state',
        meaning: `optimizer state of ${p.name}, initially ${s.init}`,
      });
  for (const s of g.globalState)
    inputs.push({
      name: s.input,
      dims: s.dims,
      role: 'optimizer_state',
      meaning: `optimizer step count, initially ${s.init}`,
    });

  outputs.push({
    name: g.lossOutput,
    dims: [],
    role: 'loss',
    meaning: 'total loss of this step (before the update)',
  });
  for (const p of g.parameters) {
    if (!p.output) continue;
    outputs.push({
      name: p.output,
      dims: p.dims,
      role: 'updated_parameter',
      meaning: `${p.name} after the update`,
    });
    feedback[p.output] = p.name;
  }
  for (const p of g.parameters)
    for (const s of p.state) {
      outputs.push({
        name: s.output,
        dims: s.dims,
        role: 'updated_state',
        meaning: `${s.input} after the update`,
      });
      feedback[s.output] = s.input;
    }
  for (const s of g.globalState) {
    outputs.push({
      name: s.output,
      dims: s.dims,
      role: 'updated_state',
      meaning: `${s.input} after the update`,
    });
    feedback[s.output] = s.input;
  }
  g.termLossOutputs.forEach((t, i) =>
    outputs.push({
      name: t,
      dims: [],
      role: 'term_loss',
      meaning: `loss term ${i} (on logits ${g.logits[i]}), weighted`,
    }),
  );
  for (const p of g.parameters)
    if (p.gradientOutput)
      outputs.push({
        name: p.gradientOutput,
        dims: p.dims,
        role: 'gradient',
        meaning: `d loss / d ${p.name}`,
      });
  return {
    optimizer: g.optimizer,
    inputs,
    outputs,
    feedback,
    logits: g.logits,
    unreachedParameters: g.unreachedParameters,
    frozenParameterCount: g.frozenParameters.length,
  };
}
