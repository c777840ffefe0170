/**
 * Quality presets: named points on the quality/time curve (BENCHMARKS.md, "One-shot"). Every
 * field can be overridden by an explicit CLI flag or request field.
 *
 * `fast` and `balanced` are guided by the parent at its own 1024² (parent-guide.ts): on the 12
 * training sequences the fine-tuned map averaged with the parent's scored J 0.817 / 0.823 before
 * finishing, against 0.723 / 0.774 for the fine-tuned map alone and 0.786 for the parent alone
 * (BENCHMARKS.md, "Parent guide"). `best` is not guided yet: its guided figures are not measured.
 *
 * All three are measured on the 12 DAVIS training sequences. `balanced` is `fast` at 512² (the
 * parent is far stronger there than at 320²). `best` is `balanced` at 768² with test-time flip:
 * resolution is what helped most on the hardest sequences (drift-turn's small car: J 0.30 / 0.64 /
 * 0.78 at 320² / 512² / 768²), while training the whole decoder or more steps did not
 * (BENCHMARKS.md, "Fine-tuning loss, learning rate and depth"; at 768² the whole decoder fits the
 * annotated frame and loses the object elsewhere, "Training the whole decoder at 768²"); averaging
 * each frame with its mirror image added 0.6 J / 0.8 F on the same fine-tuned networks
 * (BENCHMARKS.md, "`best` as the preset is now"). 32 training views instead of 8, and composite
 * views, moved the hardest sequences by ±5–15 points either way but not the 12-sequence mean
 * (BENCHMARKS.md, "Augmentation"): one fine-tune's result depends on the draw of its views. So
 * `best` fine-tunes two networks, on 8 and on 32 views, and averages their maps: with the default
 * finishing J 0.870 / F 0.867 against 0.853 / 0.853 for the 8-view network alone, the gain on the
 * hard sequences (bus +6, mallard-fly +6, dog-agility +4) and within ±1.2 on the easy ones
 * (BENCHMARKS.md, "Two fine-tunes averaged"). It doubles the fine-tuning; per frame the encoder
 * runs once for both networks (ensemble-graph.ts), so a frame costs about 1.25× the one-network
 * `best`'s, 3.5× `balanced`'s. `best` also takes a second, zoomed-in look at objects that span
 * under 80 % of the frame (model/zoom-pass.ts): drift-turn's small car +4.3 J / +3.0 F with the
 * default finishing, the other sequences within ±0.6, the large objects untouched and at no cost
 * (BENCHMARKS.md, "Zoom pass"). No preset segments at further sizes (`testTimeResolutions`: 1024²
 * beside 768² gave +0.3 J / +1.0 F with the default finishing on every 2nd frame of the 12
 * sequences, drift-turn +3.0 J and bus −2.6 J, for 2.75× the per-frame time; BENCHMARKS.md,
 * "Test-time resolutions"), composite views, nor self-training (self-training.ts: −0.25 J / −0.04 F
 * over ten sequences with the default finishing, for a second round as long as the first;
 * BENCHMARKS.md, "Self-training").
 */
export type PresetName = 'fast' | 'balanced' | 'best';
export const PRESET_NAMES: readonly PresetName[] = ['fast', 'balanced', 'best'];

/** Which part of the parent network fine-tuning changes; the rest stays frozen and is computed once. */
export type TrainableDepth = 'head' | 'decoder-top' | 'decoder' | 'all';
export const TRAINABLE_DEPTHS: readonly TrainableDepth[] = ['head', 'decoder-top', 'decoder', 'all'];

export type FineTuneLoss = 'class-balanced' | 'sqrt-balanced' | 'plain';
export const FINE_TUNE_LOSSES: readonly FineTuneLoss[] = ['class-balanced', 'sqrt-balanced', 'plain'];

export interface FineTuneSettings {
  /** Square network input size in pixels (frames are stretched to it and the matte back). */
  resolution: number;
  trainable: TrainableDepth;
  /** Upper bound on optimizer steps. */
  iterations: number;
  /** Wall-clock budget for fine-tuning, seconds; whichever of this and `iterations` comes first. */
  timeBudgetSeconds: number;
  learningRate: number;
  /** Augmented views rendered per annotated frame. */
  augmentationsPerAnnotation: number;
  /**
   * Composite views per annotated frame, on top of `augmentationsPerAnnotation`: the object moved
   * and rescaled over its frame with its old place filled in (augment.ts).
   */
  compositeViews: number;
  /**
   * Zoom views per annotated frame, on top of the others: the frame framed on the object as the
   * zoom pass frames it (augment.ts `planZoomViews`); none when the object is too large for the
   * zoom pass. Every network of an ensemble gets them. Measured to lose (−1.4 J on the four
   * sequences it touches; BENCHMARKS.md, "Zoom views"): 0 in every preset.
   */
  zoomViews: number;
  /** Deep supervision weight on the side outputs (0 disables). */
  sideOutputWeight: number;
  /** Foreground threshold on the soft map. */
  threshold: number;
  /**
   * `class-balanced`: OSVOS Eq. 1, each class weighted by the other's share; `sqrt-balanced`: by
   * its square root; `plain`: cross-entropy, as the parent was trained (BENCHMARKS.md, "Loss").
   */
  loss: FineTuneLoss;
  /**
   * Segment each frame twice, as it is and mirrored, and average (twice the per-frame network
   * time; BENCHMARKS.md, "Test-time flip"). Stored with the weights.
   */
  testTimeFlip: boolean;
  /**
   * Segment frames whose object spans under 80 % of the frame a second time, zoomed in on it, and
   * average inside its box (model/zoom-pass.ts; BENCHMARKS.md, "Zoom pass"). Stored with the weights.
   */
  zoomPass: boolean;
  /**
   * Further square input sizes every frame is also segmented at, by the same fine-tuned networks
   * (their parameters are convolution kernels and apply at any size); the soft maps are averaged at
   * frame size (BENCHMARKS.md, "Test-time resolutions"). Each costs a pass per frame,
   * (size / resolution)² times the main one's. Empty: the training resolution only. Stored with the
   * weights.
   */
  testTimeResolutions: readonly number[];
  /**
   * Further networks fine-tuned beside the first, one per entry: the entry is that network's
   * augmented views per annotation (the first network uses `augmentationsPerAnnotation`). Each
   * frame's soft map is the mean of all the networks' maps: fine-tunes that differ only in their
   * views err partly independently (BENCHMARKS.md, "Two fine-tunes averaged"). Each one costs a
   * fine-tune and a network pass per frame. Empty: one network. Stored with the weights.
   */
  ensembleViews: readonly number[];
  /**
   * Self-training: after fine-tuning, segment this many frames spread over the clip and continue
   * fine-tuning on the network's confident answers there beside the annotations (self-training.ts;
   * BENCHMARKS.md, "Self-training"). 0: off. Costs a short second round of fine-tuning.
   */
  selfTrainingFrames: number;
  /**
   * Input size of the parent's guide pass (parent-guide.ts): every frame is also segmented by the
   * parent at this size and the two maps are averaged, unless the parent misses the annotated
   * object on the annotated frames (BENCHMARKS.md, "Parent guide"). 0: off. Costs one parent pass per frame at this size, and one
   * per annotated frame after fine-tuning. Stored with the weights.
   */
  parentGuideResolution: number;
}

export const PRESETS: Record<PresetName, FineTuneSettings> = {
  fast: {
    resolution: 320,
    trainable: 'decoder-top',
    iterations: 120,
    timeBudgetSeconds: 55,
    learningRate: 1e-4,
    augmentationsPerAnnotation: 8,
    compositeViews: 0,
    zoomViews: 0,
    sideOutputWeight: 0.5,
    threshold: 0.5,
    loss: 'class-balanced',
    testTimeFlip: false,
    zoomPass: false,
    testTimeResolutions: [],
    ensembleViews: [],
    selfTrainingFrames: 0,
    parentGuideResolution: 1024,
  },
  balanced: {
    resolution: 512,
    trainable: 'decoder-top',
    iterations: 120,
    timeBudgetSeconds: 180,
    learningRate: 1e-4,
    augmentationsPerAnnotation: 8,
    compositeViews: 0,
    zoomViews: 0,
    sideOutputWeight: 0.5,
    threshold: 0.5,
    loss: 'class-balanced',
    testTimeFlip: false,
    zoomPass: false,
    testTimeResolutions: [],
    ensembleViews: [],
    selfTrainingFrames: 0,
    parentGuideResolution: 1024,
  },
  best: {
    resolution: 768,
    trainable: 'decoder-top',
    iterations: 120,
    timeBudgetSeconds: 600,
    learningRate: 1e-4,
    augmentationsPerAnnotation: 8,
    compositeViews: 0,
    zoomViews: 0,
    sideOutputWeight: 0.5,
    threshold: 0.5,
    loss: 'class-balanced',
    testTimeFlip: true,
    zoomPass: true,
    testTimeResolutions: [],
    ensembleViews: [32],
    selfTrainingFrames: 0,
    parentGuideResolution: 0,
  },
};

export function resolveSettings(
  preset: PresetName,
  overrides: Partial<FineTuneSettings> = {},
): FineTuneSettings {
  requireKnown('preset', preset, PRESET_NAMES);
  const base = PRESETS[preset];
  const merged: FineTuneSettings = { ...base };
  for (const [k, v] of Object.entries(overrides) as [keyof FineTuneSettings, unknown][]) {
    if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  }
  const guide = merged.parentGuideResolution;
  for (const r of [merged.resolution, ...merged.testTimeResolutions, ...(guide === 0 ? [] : [guide])]) {
    if (r % 32 !== 0 || r < 128 || r > 1024) {
      throw new Error(`resolution ${r} is not supported: use a multiple of 32 between 128 and 1024`);
    }
  }
  if (merged.testTimeResolutions.includes(merged.resolution)) {
    throw new Error(
      `test-time resolution ${merged.resolution} is the training resolution itself; list only further sizes`,
    );
  }
  // The CLI checks its own flags; these guard every other caller (benches, the server's overrides).
  const counts: [string, number, number][] = [
    ['augmented views per annotation', merged.augmentationsPerAnnotation, 1],
    ['composite views per annotation', merged.compositeViews, 0],
    ['zoom views per annotation', merged.zoomViews, 0],
    ['self-training frames', merged.selfTrainingFrames, 0],
  ];
  for (const [what, value, min] of counts) {
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${what} must be a whole number of ${min} or more, got ${value}`);
    }
  }
  requireKnown('trainable depth', merged.trainable, TRAINABLE_DEPTHS);
  requireKnown('loss', merged.loss, FINE_TUNE_LOSSES);
  if (!(merged.timeBudgetSeconds > 0)) {
    throw new Error(`the time budget must be a positive number of seconds, got ${merged.timeBudgetSeconds}`);
  }
  for (const views of merged.ensembleViews) {
    if (!Number.isInteger(views) || views < 1) {
      throw new Error(`ensemble networks need a whole number of 1 or more views each, got ${views}`);
    }
  }
  return merged;
}

/** Refuses a name outside `known`, listing the names it takes. */
function requireKnown(what: string, value: string, known: readonly string[]): void {
  if (!known.includes(value))
    throw new Error(`unknown ${what} "${value}"; choose one of ${known.join(', ')}`);
}
