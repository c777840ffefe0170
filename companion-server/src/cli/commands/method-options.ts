/**
 * Flags shared by the commands that run the method (`segment`, `eval`, `demo`): network, device,
 * preset and the explicit fine-tuning knobs, parsed into typed settings with clear errors.
 */
import { Option, type Command } from 'commander';
import {
  DEVICE_CHOICES,
  isDeviceChoice,
  type DeviceChoice,
  FINE_TUNE_LOSSES,
  PRESET_NAMES,
  TRAINABLE_DEPTHS,
  resolveSettings,
  type FineTuneLoss,
  type FineTuneSettings,
  type PresetName,
  type TrainableDepth,
} from '@oneshot-roto/core';
import { optionText } from './option-text';

export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function addMethodOptions(cmd: Command, defaultPreset: PresetName = 'balanced'): Command {
  return cmd
    .addOption(
      new Option('--preset <name>', 'quality preset (see BENCHMARKS.md for its measured quality and time)')
        .choices([...PRESET_NAMES])
        .default(defaultPreset),
    )
    .option('--resolution <px>', "network input size (square, multiple of 32); default: the preset's")
    .addOption(
      new Option(
        '--trainable <depth>',
        "how much of the network fine-tuning changes; default: the preset's",
      ).choices([...TRAINABLE_DEPTHS]),
    )
    .option('--iterations <n>', "maximum fine-tuning steps; default: the preset's")
    .option('--time-budget <seconds>', "fine-tuning wall-clock budget; default: the preset's")
    .option('--learning-rate <lr>', "fine-tuning learning rate (Adam); default: the preset's")
    .addOption(
      new Option(
        '--loss <kind>',
        "fine-tuning loss: class-balanced (OSVOS Eq. 1), sqrt-balanced (square root of its class weights) or plain cross-entropy; default: the preset's",
      ).choices([...FINE_TUNE_LOSSES]),
    )
    .option(
      '--augmented-views <n>',
      "training views rendered per annotation (flips, zooms, rotations, shifts); default: the preset's",
    )
    .option(
      '--ensemble-views <n,...>',
      "fine-tune one more network per entry, on that many views per annotation, and average all the networks' soft maps (each costs a fine-tune and a network pass per frame); none = one network; default: the preset's",
    )
    .option(
      '--test-time-flip',
      "also segment each frame mirrored and average (2x the network time); default: the preset's, or the saved weights'",
    )
    .option('--no-test-time-flip', 'segment each frame once, as it is')
    .option(
      '--zoom-pass',
      "segment frames with a small object (under 80 % of the frame) again, zoomed in on it, and average (up to 2x the network time); default: the preset's, or the saved weights'",
    )
    .option('--no-zoom-pass', 'one pass over the whole frame only')
    .option(
      '--parent-guide <px|none>',
      "also segment every frame with the parent network at this input size (its own is 1024) and average its map with the fine-tuned one (left out on a clip whose annotation is a part of what the parent calls one object); none = the fine-tuned map alone; default: the preset's",
    )
    .option(
      '--model <file.onnx>',
      'segment with your own ONNX network instead of the built-in parent (no fine-tuning)',
    )
    .addOption(
      new Option('--device <device>', 'execution provider: auto picks CUDA when installed, else CPU')
        .choices([...DEVICE_CHOICES])
        .default('auto'),
    )
    .option('--threads <n>', 'CPU threads for onnxruntime (default: all cores)');
}

function numberFlag(raw: unknown, flag: string, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(
      `${flag} expects a positive ${integer ? 'integer' : 'number'}, got "${optionText(raw)}"`,
    );
  }
  return v;
}

/** `--ensemble-views`: a comma list of view counts of 1 or more, or `none` (an empty list). */
function ensembleViewsFlag(raw: unknown): number[] | undefined {
  if (raw === undefined) return undefined;
  const text = optionText(raw).trim();
  if (text === 'none') return [];
  const items = text.split(',').map((t) => t.trim());
  const values = items.map(Number);
  if (items.some((t) => t === '') || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new UsageError(
      `--ensemble-views expects view counts of 1 or more separated by commas (e.g. 32 or 16,32), or none; got "${text}"`,
    );
  }
  return values;
}

function parentGuideFlag(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = optionText(raw).trim();
  if (text === 'none') return 0;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1)
    throw new UsageError(`--parent-guide expects an input size in pixels (e.g. 1024) or none, got "${text}"`);
  return v;
}

export interface MethodOptions {
  settings: FineTuneSettings;
  preset: PresetName;
  device: DeviceChoice;
  threads?: number;
  modelPath?: string;
  /** --test-time-flip / --no-test-time-flip when given (undefined: the preset's or the weights'). */
  testTimeFlip?: boolean;
  /** --zoom-pass / --no-zoom-pass when given (undefined: the preset's or the weights'). */
  zoomPass?: boolean;
  /** --parent-guide when given (0 for none; undefined: the preset's or the weights'). */
  parentGuideResolution?: number;
}

export function parseMethodOptions(opts: Record<string, unknown>): MethodOptions {
  const device = optionText(opts.device ?? 'auto');
  if (!isDeviceChoice(device)) throw new UsageError(`--device must be one of ${DEVICE_CHOICES.join(', ')}`);
  const preset = optionText(opts.preset ?? 'balanced') as PresetName;
  let settings: FineTuneSettings;
  try {
    settings = resolveSettings(preset, {
      resolution: numberFlag(opts.resolution, '--resolution', true),
      trainable: opts.trainable as TrainableDepth | undefined,
      iterations: numberFlag(opts.iterations, '--iterations', true),
      timeBudgetSeconds: numberFlag(opts.timeBudget, '--time-budget', false),
      learningRate: numberFlag(opts.learningRate, '--learning-rate', false),
      loss: opts.loss as FineTuneLoss | undefined,
      augmentationsPerAnnotation: numberFlag(opts.augmentedViews, '--augmented-views', true),
      ensembleViews: ensembleViewsFlag(opts.ensembleViews),
      testTimeFlip: opts.testTimeFlip as boolean | undefined,
      zoomPass: opts.zoomPass as boolean | undefined,
      parentGuideResolution: parentGuideFlag(opts.parentGuide),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    settings,
    preset,
    device,
    threads: numberFlag(opts.threads, '--threads', true),
    modelPath: opts.model === undefined ? undefined : optionText(opts.model),
    testTimeFlip: opts.testTimeFlip as boolean | undefined,
    zoomPass: opts.zoomPass as boolean | undefined,
    parentGuideResolution: parentGuideFlag(opts.parentGuide),
  };
}
