/**
 * The finished networks of an ensemble fine-tune that has not finished yet, kept on disk so that
 * a fine-tune interrupted by a crash or a shutdown continues with the next network instead of
 * starting over (`best` trains two networks: half its fine-tuning survives). The file is keyed by
 * everything that decides the result — settings, parent network, annotated frames and masks,
 * seed, the weights it continues from — so a changed request never picks up a stale network.
 * Stored in the training engine's checkpoint format, tensors as `network/<k>/<parameter>`.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { readCheckpoint, writeCheckpoint } from '@oneshot-roto/onnx-train';
import type { RgbFrame } from '../video/frame';
import type { Annotation } from './annotations';
import type { FineTuneSettings } from './presets';
import type { FineTunedWeights } from './weights';

/** Why a fine-tune stopped (here, beside the file that records it, so that finetune.ts imports it). */
export type FineTuneStopReason = 'iterations' | 'time-budget' | 'plateau';

export interface FinishedNetwork {
  parameters: Map<string, Float32Array>;
  iterations: number;
  finalLoss: number;
  stoppedBy: FineTuneStopReason;
  /** Wall-clock seconds it took (counted against the time budget when continuing). */
  seconds: number;
}

const KIND = 'oneshot-roto/fine-tune-progress';

/** A digest of everything that decides a fine-tune's networks. */
export function fineTuneKey(input: {
  settings: FineTuneSettings;
  parentSha256: string;
  annotations: readonly Annotation[];
  frames: ReadonlyMap<number, RgbFrame>;
  seed: number;
  resumeFrom?: FineTunedWeights;
}): string {
  const h = createHash('sha256');
  // Segmentation-only settings do not change the trained networks.
  const { testTimeFlip: _flip, zoomPass: _zoom, threshold: _threshold, ...training } = input.settings;
  h.update(JSON.stringify({ settings: training, parent: input.parentSha256, seed: input.seed }));
  for (const a of input.annotations) {
    h.update(JSON.stringify([a.frameIndex, a.width, a.height]));
    h.update(a.mask);
    const f = input.frames.get(a.frameIndex);
    if (f) h.update(f.data);
  }
  if (input.resumeFrom) {
    const sets = [input.resumeFrom.parameters, ...input.resumeFrom.ensemble.map((m) => m.parameters)];
    for (const set of sets)
      for (const [name, v] of [...set].sort(([a], [b]) => (a < b ? -1 : 1))) {
        h.update(name);
        h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      }
  }
  return h.digest('hex');
}

export async function writeFineTuneProgress(
  path: string,
  key: string,
  networks: readonly FinishedNetwork[],
): Promise<void> {
  const tensors = new Map<string, { dims: number[]; data: Float32Array }>();
  networks.forEach((n, k) => {
    for (const [name, data] of n.parameters)
      tensors.set(`network/${k}/${name}`, { dims: [data.length], data });
  });
  await writeCheckpoint(path, {
    step: networks.reduce((a, n) => a + n.iterations, 0),
    meta: {
      kind: KIND,
      key,
      networks: networks.map(({ iterations, finalLoss, stoppedBy, seconds }) => ({
        iterations,
        finalLoss,
        stoppedBy,
        seconds,
      })),
    },
    tensors,
  });
}

export type ReadProgressResult =
  | { status: 'none' }
  | { status: 'other-request' }
  | { status: 'unreadable'; reason: string }
  | { status: 'found'; networks: FinishedNetwork[] };

/** The finished networks saved at `path` for the fine-tune with this key, if any. */
export async function readFineTuneProgress(path: string, key: string): Promise<ReadProgressResult> {
  const exists = await fs.stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) return { status: 'none' };
  try {
    const c = await readCheckpoint(path);
    const meta = c.meta as { kind?: string; key?: string; networks?: Omit<FinishedNetwork, 'parameters'>[] };
    if (meta.kind !== KIND || !Array.isArray(meta.networks))
      return { status: 'unreadable', reason: 'not a fine-tune progress file' };
    if (meta.key !== key) return { status: 'other-request' };
    const networks: FinishedNetwork[] = meta.networks.map((n) => ({ ...n, parameters: new Map() }));
    for (const [name, t] of c.tensors) {
      const m = /^network\/(\d+)\/(.+)$/.exec(name);
      const n = m ? networks[Number(m[1])] : undefined;
      if (!m || !n) return { status: 'unreadable', reason: `unexpected tensor ${name}` };
      n.parameters.set(m[2]!, t.data);
    }
    if (networks.some((n) => n.parameters.size === 0 || n.parameters.size !== networks[0]!.parameters.size))
      return { status: 'unreadable', reason: 'a network lacks parameters' };
    return { status: 'found', networks };
  } catch (err) {
    return { status: 'unreadable', reason: (err as Error).message };
  }
}
