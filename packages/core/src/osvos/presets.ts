/**
 * Quality presets: named points on the quality/time curve, each measured on the 12 DAVIS training
 * sequences (BENCHMARKS.md, "Accuracy of the presets on the DAVIS subsets"). Every field can be
 * overridden by an explicit CLI flag or request field.
 *
 * - `fast`: the decoder's top fine-tuned at 320², its map averaged with the parent's at the parent's
 *   own 1024² (parent-guide.ts): J 0.817 against 0.723 for the fine-tuned map alone and 0.786 for
 *   the parent alone (BENCHMARKS.md, "Parent guide"); finished with the dense CRF (no edge snap
 *   won F on the training subset and lost it on the held-out one: "Finishing the guided maps").
 * - `balanced`: `fast` at 512², where the parent is far stronger than at 320² (guided J 0.823).
 * - `best`: `balanced` at 768² (resolution helped the small objects most; training more of the
 *   decoder or for longer did not), with test-time flip, the zoom pass on small objects and a second
 *   network fine-tuned on 32 views averaged in (BENCHMARKS.md, "`best` at 768² with test-time flip,
 *   one network", "Zoom pass", "Two fine-tunes averaged"), guided by the parent like the others
 *   (0.4 of the mean) and finished at threshold 0.55 with no edge snap: J 0.871 / F 0.874 on the
 *   training subset against 0.785 / 0.770 for the parent alone (BENCHMARKS.md, "`best` guided",
 *   "Finishing `best`'s guided maps").
 */
import { PRESET_NAMES, type PresetName } from '@oneshot-roto/protocol';
import type { EdgeSnapMethod, MatteOptions } from '../matte/options';

// The names are the protocol's (PresetSchema); their settings are here.
export { PRESET_NAMES, type PresetName } from '@oneshot-roto/protocol';

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
  /** Deep supervision weight on the side outputs (0 disables). */
  sideOutputWeight: number;
  /** Foreground threshold on the soft map: the matte's, unless a flag or request sets one. Stored with the weights. */
  threshold: number;
  /**
   * The matte's edge snap for this preset's maps, unless a flag or request sets one. Stored with
   * the weights. The dense CRF sharpens a single fine-tuned network's soft edges; `best`'s map,
   * already averaged with the parent's sharp 1024² map, loses by it. On `fast`'s guided maps no
   * edge snap won on the training subset (+0.6 J / +1.6 F) but lost F on the held-out one (−1.7),
   * so `fast` keeps the CRF (BENCHMARKS.md, "Finishing the guided maps").
   */
  edgeSnap: EdgeSnapMethod;
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
   * Further networks fine-tuned beside the first, one per entry: the entry is that network's
   * augmented views per annotation (the first network uses `augmentationsPerAnnotation`). Each
   * frame's soft map is the mean of all the networks' maps: fine-tunes that differ only in their
   * views err partly independently (BENCHMARKS.md, "Two fine-tunes averaged"). Each one costs a
   * fine-tune and a network pass per frame. Empty: one network. Stored with the weights.
   */
  ensembleViews: readonly number[];
  /**
   * Input size of the parent's guide pass (parent-guide.ts): every frame is also segmented by the
   * parent at this size and the two maps are averaged, unless the editor annotated a part of what
   * the parent calls one object and the parent's share is half or more (parent-guide.ts
   * `guideStandsAside`; BENCHMARKS.md, "Parent guide"). 0: off. Costs one parent pass per
   * frame at this size, and one per annotated frame after fine-tuning. Stored with the weights.
   */
  parentGuideResolution: number;
  /**
   * The parent's share of the guide's mean (0–1; parent-guide.ts). Stored with the weights.
   * `best`'s two-network ensemble with flip and zoom is a stronger one-shot model than `fast`'s or
   * `balanced`'s single network and earns more of the vote: on the training subset its maps score
   * J 0.855 / F 0.844 at 0.5 and 0.866 / 0.863 at 0.4 (0.867–0.868 at 0.25–0.35, a plateau;
   * BENCHMARKS.md, "Parent guide"); 0.4 is the plateau's end nearest the parent.
   */
  parentGuideShare: number;
}

export const PRESETS: Record<PresetName, FineTuneSettings> = {
  fast: {
    resolution: 320,
    trainable: 'decoder-top',
    iterations: 120,
    timeBudgetSeconds: 55,
    learningRate: 1e-4,
    augmentationsPerAnnotation: 8,
    sideOutputWeight: 0.5,
    threshold: 0.5,
    edgeSnap: 'crf',
    loss: 'class-balanced',
    testTimeFlip: false,
    zoomPass: false,
    ensembleViews: [],
    parentGuideResolution: 1024,
    parentGuideShare: 0.5,
  },
  balanced: {
    resolution: 512,
    trainable: 'decoder-top',
    iterations: 120,
    timeBudgetSeconds: 180,
    learningRate: 1e-4,
    augmentationsPerAnnotation: 8,
    sideOutputWeight: 0.5,
    threshold: 0.5,
    edgeSnap: 'crf',
    loss: 'class-balanced',
    testTimeFlip: false,
    zoomPass: false,
    ensembleViews: [],
    parentGuideResolution: 1024,
    parentGuideShare: 0.5,
  },
  best: {
    resolution: 768,
    trainable: 'decoder-top',
    iterations: 120,
    timeBudgetSeconds: 600,
    learningRate: 1e-4,
    augmentationsPerAnnotation: 8,
    sideOutputWeight: 0.5,
    threshold: 0.55,
    edgeSnap: 'none',
    loss: 'class-balanced',
    testTimeFlip: true,
    zoomPass: true,
    ensembleViews: [32],
    parentGuideResolution: 1024,
    parentGuideShare: 0.4,
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
  for (const r of [merged.resolution, ...(guide === 0 ? [] : [guide])]) {
    if (r % 32 !== 0 || r < 128 || r > 1024) {
      throw new Error(`resolution ${r} is not supported: use a multiple of 32 between 128 and 1024`);
    }
  }
  // The CLI checks its own flags; these guard every other caller (benches, the server's overrides).
  const perAnnotation = merged.augmentationsPerAnnotation;
  if (!Number.isInteger(perAnnotation) || perAnnotation < 1) {
    throw new Error(
      `augmented views per annotation must be a whole number of 1 or more, got ${perAnnotation}`,
    );
  }
  requireKnown('trainable depth', merged.trainable, TRAINABLE_DEPTHS);
  requireKnown('loss', merged.loss, FINE_TUNE_LOSSES);
  if (!(merged.timeBudgetSeconds > 0)) {
    throw new Error(`the time budget must be a positive number of seconds, got ${merged.timeBudgetSeconds}`);
  }
  if (!(merged.parentGuideShare >= 0 && merged.parentGuideShare <= 1)) {
    throw new Error(`the parent guide's share must be between 0 and 1, got ${merged.parentGuideShare}`);
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

/**
 * The matte finishing a network's maps were chosen with (its preset's, or its saved weights'):
 * the base under the matte options an editor or a flag sets. Weights saved before the edge snap
 * was a preset choice leave it to the matte's default.
 */
export function networkFinishing(chosen: {
  threshold: number;
  edgeSnap?: EdgeSnapMethod;
}): Partial<MatteOptions> {
  return { threshold: chosen.threshold, ...(chosen.edgeSnap ? { edgeSnap: chosen.edgeSnap } : {}) };
}
