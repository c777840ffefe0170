/**
 * `train-graph`: exports the train-step ONNX graph the training engine builds for a forward model,
 * so that it can be inspected or run with any onnxruntime (see packages/onnx-train/src/training/README.md).
 */
import { promises as fs } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  encodeModel,
  loadModel,
  buildMultiStep,
  buildTrainStep,
  describeTrainStep,
  parseTrainableSpec,
  splitAtFrozenBoundary,
  type OptimizerOptions,
  type TrainStepOptions,
} from '@oneshot-roto/core';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function number(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${v}"`);
    return n;
  };
}

function parseShapes(values: string[]): Record<string, number[]> | undefined {
  if (values.length === 0) return undefined;
  const out: Record<string, number[]> = {};
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    const name = eq >= 0 ? v.slice(0, eq) : '';
    const dims = (eq >= 0 ? v.slice(eq + 1) : v).split(/[,x]/).map(Number);
    if (dims.some((d) => !Number.isInteger(d) || d <= 0))
      throw new InvalidArgumentError(
        `--input-shape "${v}": give positive integers, e.g. 1,3,512,512 or input=1,3,512,512`,
      );
    out[name] = dims;
  }
  return out;
}

interface Opts {
  model: string;
  out: string;
  inputShape: string[];
  output?: string;
  sideOutput: string[];
  trainable: string;
  loss: 'sum' | 'mean';
  pixelWeights?: boolean;
  optimizer: 'sgd' | 'adam' | 'none';
  momentum: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  biasLrMult: number;
  lrMult: string[];
  exposeGradients?: boolean;
  splitPrefix?: string;
  describe?: string;
  loop?: number;
}

export function registerTrainGraphCommand(program: Command): void {
  program
    .command('train-graph')
    .description(
      'Export the train-step ONNX graph (forward, class-balanced sigmoid cross-entropy loss, reverse-mode gradients, optimizer update) built for a forward ONNX model. Its inputs and outputs are listed by --describe and documented in packages/onnx-train/src/training/README.md.',
    )
    .requiredOption('--model <in.onnx>', 'forward model (fp32, ONNX opset >= 13)')
    .requiredOption('--out <step.onnx>', 'where to write the train-step graph')
    .option(
      '--input-shape <[name=]dims>',
      'static shape of a model input, e.g. 1,3,512,512 (repeatable; a bare shape applies to the only input)',
      collect,
      [],
    )
    .option(
      '--output <name>',
      'output trained against (default: the first); a Sigmoid output trains on its logits',
    )
    .option(
      '--side-output <name[:weight]>',
      'deep supervision: another output with its loss weight (repeatable; weight defaults to 1)',
      collect,
      [],
    )
    .option(
      '--trainable <spec>',
      "'all', 'isnet-decoder', 'node:<regex>' (parameters of matching nodes) or 'param:<regex>' / <regex> (parameter names)",
      'all',
    )
    .addOption(
      new Option('--loss <normalization>', 'class-balanced cross-entropy normalisation')
        .choices(['sum', 'mean'])
        .default('mean'),
    )
    .option('--pixel-weights', "add a 'pixel_weight' input (per-pixel loss weight, 0 = don't care)")
    .addOption(
      new Option('--optimizer <kind>', 'update inside the graph (none: loss and gradients only)')
        .choices(['sgd', 'adam', 'none'])
        .default('sgd'),
    )
    .option('--momentum <m>', 'SGD momentum', number('--momentum'), 0.9)
    .option(
      '--weight-decay <wd>',
      'L2 weight decay (not on biases / 1-D parameters)',
      number('--weight-decay'),
      0,
    )
    .option('--beta1 <b>', 'Adam beta1', number('--beta1'), 0.9)
    .option('--beta2 <b>', 'Adam beta2', number('--beta2'), 0.999)
    .option('--epsilon <e>', 'Adam epsilon', number('--epsilon'), 1e-8)
    .option(
      '--bias-lr-mult <x>',
      'learning-rate multiplier of biases (1-D parameters); OSVOS uses 2',
      number('--bias-lr-mult'),
      1,
    )
    .option(
      '--lr-mult <regex=mult>',
      'learning-rate multiplier for parameters whose name matches (repeatable, first match wins)',
      collect,
      [],
    )
    .option('--expose-gradients', "also output each parameter's gradient as <param>__grad")
    .option(
      '--split-prefix <prefix.onnx>',
      'split at the frozen/trainable boundary: write the frozen prefix (inference) here and build the step on the trainable suffix',
    )
    .option(
      '--loop <steps>',
      'export a multi-step graph instead: an ONNX Loop over <steps> stacked samples (per-step inputs get a leading axis of that size, learning_rate is a vector, loss is [steps])',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1)
          throw new InvalidArgumentError(`--loop must be a positive integer, got "${v}"`);
        return n;
      },
    )
    .option(
      '--describe <io.json>',
      'write the ordered list of the graph inputs/outputs (names, shapes, meaning) as JSON',
    )
    .action(async (opts: Opts) => {
      let model = await loadModel(opts.model);
      const trainable = parseTrainableSpec(opts.trainable);
      let inputShapes = parseShapes(opts.inputShape);
      if (inputShapes && '' in inputShapes) {
        const inits = new Set((model.graph?.initializer ?? []).map((t) => t.name));
        const inputs = (model.graph?.input ?? []).map((i) => i.name ?? '').filter((n) => !inits.has(n));
        if (inputs.length !== 1)
          throw new InvalidArgumentError(
            `the model has ${inputs.length} inputs (${inputs.join(', ')}): name them, e.g. --input-shape ${inputs[0] ?? 'input'}=1,3,512,512`,
          );
        inputShapes = { [inputs[0]!]: inputShapes[''] };
      }
      const sideOutputs = opts.sideOutput.map((s) => {
        const i = s.lastIndexOf(':');
        return i > 0
          ? { name: s.slice(0, i), weight: number('--side-output weight')(s.slice(i + 1)) }
          : { name: s, weight: 1 };
      });
      const lrMults = opts.lrMult.map((s) => {
        const i = s.lastIndexOf('=');
        if (i <= 0) throw new InvalidArgumentError(`--lr-mult "${s}": use <regex>=<multiplier>`);
        return { pattern: new RegExp(s.slice(0, i)), mult: number('--lr-mult')(s.slice(i + 1)) };
      });
      const optimizer: OptimizerOptions =
        opts.optimizer === 'adam'
          ? {
              kind: 'adam',
              beta1: opts.beta1,
              beta2: opts.beta2,
              epsilon: opts.epsilon,
              weightDecay: opts.weightDecay,
            }
          : opts.optimizer === 'sgd'
            ? { kind: 'sgd', momentum: opts.momentum, weightDecay: opts.weightDecay }
            : { kind: 'none' };
      const options: TrainStepOptions = {
        ...(inputShapes ? { inputShapes } : {}),
        ...(opts.output ? { output: opts.output } : {}),
        sideOutputs,
        ...(trainable ? { trainable } : {}),
        loss: { normalization: opts.loss, pixelWeights: !!opts.pixelWeights },
        optimizer,
        biasLrMult: opts.biasLrMult,
        lrMults,
        exposeGradients: !!opts.exposeGradients,
      };
      if (opts.splitPrefix) {
        if (!trainable)
          throw new InvalidArgumentError('--split-prefix needs a --trainable set smaller than all');
        // The suffix computes the trained output (default: the model's first) and the side outputs.
        const main = opts.output ?? model.graph?.output?.[0]?.name ?? '';
        const outputs = [main, ...sideOutputs.map((s) => s.name)];
        const split = splitAtFrozenBoundary(model, {
          trainable,
          ...(inputShapes ? { inputShapes } : {}),
          outputs,
        });
        await fs.writeFile(opts.splitPrefix, encodeModel(split.prefix));
        process.stdout.write(
          `frozen prefix: ${opts.splitPrefix} (boundary: ${split.boundary.map((b) => `${b.name} [${b.dims.join(',')}]`).join(', ')})\n`,
        );
        model = split.suffix;
        delete options.inputShapes;
      }
      const graph = buildTrainStep(model, options);
      await fs.writeFile(opts.out, encodeModel(opts.loop ? buildMultiStep(graph, opts.loop) : graph.model));
      const desc = describeTrainStep(graph);
      if (opts.describe) await fs.writeFile(opts.describe, `${JSON.stringify(desc, null, 2)}\n`);
      const nParams = graph.parameters.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0);
      process.stdout.write(
        `train step: ${opts.out}\n` +
          `  ${graph.parameters.length} trainable tensors (${nParams} values), ${graph.frozenParameters.length} frozen, optimizer ${optimizer.kind}\n` +
          `  logits: ${graph.logits.join(', ')}\n` +
          `  ${desc.inputs.length} inputs: ${desc.inputs
            .slice(0, 4)
            .map((d) => `${d.name} [${d.dims.join(',')}]`)
            .join(', ')}${desc.inputs.length > 4 ? ', ...' : ''}\n` +
          `  ${desc.outputs.length} outputs: ${desc.outputs
            .slice(0, 3)
            .map((d) => `${d.name} [${d.dims.join(',')}]`)
            .join(', ')}${desc.outputs.length > 3 ? ', ...' : ''}\n`,
      );
    });
}
