/**
 * Fine-tuned weights of one (clip, object): the trained parameters and what they were trained
 * with, stored in the training engine's checkpoint format so a correction round can continue from
 * them and a reopened clip segments without training again.
 */
import {
  dimsOf,
  loadModel,
  type ModelProto,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  bakeWeights,
} from '@oneshot-roto/onnx-train';
import { ensureParentModel } from '../model';
import type { ParentGuide } from './parent-guide';
import { EDGE_SNAP_METHODS, type EdgeSnapMethod } from '../matte/options';
import type { FineTuneSettings, TrainableDepth } from './presets';

export interface FineTunedWeights {
  resolution: number;
  trainable: TrainableDepth;
  /** sha256 of the prepared parent model the parameters belong to. */
  parentSha256: string;
  annotatedFrames: number[];
  /** Optimizer steps taken in total, over every round and every network of an ensemble. */
  iterations: number;
  threshold: number;
  /** The matte's edge snap for these maps (presets.ts); absent in weights saved before it was a choice. */
  edgeSnap?: EdgeSnapMethod;
  /** Segment with test-time flip (the settings it was fine-tuned with recommend it). */
  testTimeFlip: boolean;
  /** Segment small objects a second time, zoomed in (model/zoom-pass.ts). */
  zoomPass: boolean;
  /** The first network's trained parameters (the parent's names). */
  parameters: Map<string, Float32Array>;
  /** Further networks whose soft maps are averaged with the first's (presets.ts `ensembleViews`). */
  ensemble: EnsembleMember[];
  /** Segment guided by the parent at its own resolution (parent-guide.ts); absent: the fine-tuned map alone. */
  parentGuide?: ParentGuide;
}

export interface EnsembleMember {
  /** Augmented views per annotation it was fine-tuned on. */
  views: number;
  parameters: Map<string, Float32Array>;
}

interface WeightsMeta {
  kind: 'oneshot-roto/fine-tuned-weights';
  resolution: number;
  trainable: TrainableDepth;
  parentSha256: string;
  annotatedFrames: number[];
  threshold: number;
  edgeSnap?: EdgeSnapMethod;
  testTimeFlip?: boolean;
  zoomPass?: boolean;
  /** Views of each further network; its tensors are stored as `ensemble/<k>/<name>`. */
  ensembleViews?: number[];
  parentGuide?: ParentGuide;
}

const memberPrefix = (k: number) => `ensemble/${k}/`;

/**
 * `settings` for continuing `w` (a correction round, a reopened clip): the network's shape,
 * segmentation and finishing — resolution, trainable depth, test-time flip, zoom pass, ensemble,
 * threshold and edge snap — stay what it was trained with, whatever preset the round names.
 */
export function settingsToContinue(settings: FineTuneSettings, w: FineTunedWeights): FineTuneSettings {
  return {
    ...settings,
    resolution: w.resolution,
    trainable: w.trainable,
    testTimeFlip: w.testTimeFlip,
    zoomPass: w.zoomPass,
    ensembleViews: w.ensemble.map((m) => m.views),
    threshold: w.threshold,
    edgeSnap: w.edgeSnap ?? settings.edgeSnap,
  };
}

/**
 * How saved weights segment: stored with them, and chosen again by a CLI flag or a comparison run
 * (FineTuneSettings has these fields too). Training does not depend on them.
 */
export interface SegmentationChoices {
  testTimeFlip?: boolean;
  zoomPass?: boolean;
  /**
   * 0: segment without the parent guide the weights were saved with; another size: the guide's
   * parent pass at that size. Weights saved without a guide get none from this (the guide's
   * annotation share is measured on the annotated frames: method-eval does that for its runs).
   */
  parentGuideResolution?: number;
  /** The parent's share of the guide's mean; undefined keeps the weights' own. */
  parentGuideShare?: number;
}

/** `w` segmenting with the choices given; those left undefined keep what the weights were saved with. */
export function withSegmentationChoices(w: FineTunedWeights, choices: SegmentationChoices): FineTunedWeights {
  const { parentGuide, ...rest } = w;
  const guideSize = choices.parentGuideResolution;
  let guide = parentGuide;
  if (guideSize === 0) guide = undefined;
  else if (guide && guideSize !== undefined && guideSize > 0) guide = { ...guide, resolution: guideSize };
  if (guide && choices.parentGuideShare !== undefined) guide = { ...guide, share: choices.parentGuideShare };
  return {
    ...rest,
    testTimeFlip: choices.testTimeFlip ?? w.testTimeFlip,
    zoomPass: choices.zoomPass ?? w.zoomPass,
    ...(guide ? { parentGuide: guide } : {}),
  };
}

function toCheckpoint(w: FineTunedWeights, dimsOfParam: (name: string, length: number) => number[]) {
  const meta: WeightsMeta = {
    kind: 'oneshot-roto/fine-tuned-weights',
    resolution: w.resolution,
    trainable: w.trainable,
    parentSha256: w.parentSha256,
    annotatedFrames: w.annotatedFrames,
    threshold: w.threshold,
    ...(w.edgeSnap ? { edgeSnap: w.edgeSnap } : {}),
    testTimeFlip: w.testTimeFlip,
    zoomPass: w.zoomPass,
    ensembleViews: w.ensemble.map((m) => m.views),
    ...(w.parentGuide ? { parentGuide: w.parentGuide } : {}),
  };
  const tensors = new Map(
    [...w.parameters].map(([k, v]) => [k, { dims: dimsOfParam(k, v.length), data: v }]),
  );
  w.ensemble.forEach((m, i) => {
    for (const [k, v] of m.parameters)
      tensors.set(memberPrefix(i) + k, { dims: dimsOfParam(k, v.length), data: v });
  });
  return { step: w.iterations, meta: meta as unknown as Record<string, unknown>, tensors };
}

function fromCheckpoint(
  c: { step: number; meta: Record<string, unknown>; tensors: Map<string, { data: Float32Array }> },
  source: string,
): FineTunedWeights {
  // Older files may also carry `testTimeResolutions` (further input sizes, no longer offered): not
  // read, so they segment at their training resolution only.
  const meta = c.meta as Partial<WeightsMeta>;
  if (meta.kind !== 'oneshot-roto/fine-tuned-weights' || typeof meta.resolution !== 'number') {
    throw new Error(`${source} is a checkpoint but not OneShot Roto fine-tuned weights`);
  }
  if (meta.edgeSnap !== undefined && !EDGE_SNAP_METHODS.includes(meta.edgeSnap)) {
    throw new Error(
      `${source} names an unknown edge snap "${String(meta.edgeSnap)}" (known: ${EDGE_SNAP_METHODS.join(', ')}); fine-tune the clip again`,
    );
  }
  const views = meta.ensembleViews ?? [];
  const ensemble: EnsembleMember[] = views.map((v) => ({ views: v, parameters: new Map() }));
  const parameters = new Map<string, Float32Array>();
  for (const [name, t] of c.tensors) {
    const member = /^ensemble\/(\d+)\/(.+)$/.exec(name);
    if (!member) {
      parameters.set(name, t.data);
      continue;
    }
    const m = ensemble[Number(member[1])];
    if (!m) throw new Error(`${source} holds tensors of an ensemble network its header does not list`);
    m.parameters.set(member[2]!, t.data);
  }
  if (ensemble.some((m) => m.parameters.size !== parameters.size)) {
    throw new Error(
      `${source} is incomplete: an ensemble network lacks parameters; fine-tune the clip again`,
    );
  }
  return {
    resolution: meta.resolution,
    trainable: meta.trainable as TrainableDepth,
    parentSha256: String(meta.parentSha256),
    annotatedFrames: meta.annotatedFrames ?? [],
    iterations: c.step,
    threshold: meta.threshold ?? 0.5,
    ...(meta.edgeSnap ? { edgeSnap: meta.edgeSnap } : {}),
    testTimeFlip: meta.testTimeFlip ?? false,
    zoomPass: meta.zoomPass ?? false,
    parameters,
    ensemble,
    ...(meta.parentGuide ? { parentGuide: meta.parentGuide } : {}),
  };
}

/** Parameters are stored flat (their shapes are the parent's); dims are recorded as [length]. */
const flatDims = (_: string, length: number) => [length];

export async function writeWeights(path: string, w: FineTunedWeights): Promise<void> {
  await writeCheckpoint(path, toCheckpoint(w, flatDims));
}

export async function readWeights(path: string): Promise<FineTunedWeights> {
  return fromCheckpoint(await readCheckpoint(path), path);
}

export function encodeWeights(w: FineTunedWeights): Buffer {
  return encodeCheckpoint(toCheckpoint(w, flatDims));
}

export function decodeWeights(buf: Buffer, source = 'weights'): FineTunedWeights {
  return fromCheckpoint(decodeCheckpoint(buf, source), source);
}

/**
 * The parent network at the weights' resolution with the fine-tuned parameters baked in: the
 * first network's by default, or those of ensemble network `member` (0-based).
 */
export async function buildFineTunedModel(
  w: FineTunedWeights,
  cacheDir?: string,
  member?: number,
): Promise<ModelProto> {
  const parameters = member === undefined ? w.parameters : w.ensemble[member]?.parameters;
  if (!parameters) throw new Error(`these weights have no ensemble network ${member}`);
  const parent = await ensureParentModel({ resolution: w.resolution, cacheDir });
  if (parent.manifest.sha256 !== w.parentSha256) {
    throw new Error(
      `these fine-tuned weights belong to a different parent model (sha256 ${w.parentSha256.slice(0, 12)}…, ` +
        `installed ${parent.manifest.sha256.slice(0, 12)}…); fine-tune the clip again`,
    );
  }
  const model = await loadModel(parent.modelPath);
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  for (const [name, data] of parameters) {
    const t = byName.get(name);
    const n = t ? dimsOf(t).reduce((a, b) => a * b, 1) : -1;
    if (n !== data.length)
      throw new Error(
        `fine-tuned parameter "${name}" does not fit the parent model; fine-tune the clip again`,
      );
  }
  return bakeWeights(model, parameters);
}
