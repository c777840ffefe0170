/**
 * The server's segmentation backend with real one-shot fine-tuning: presets map to measured
 * settings, weights persist in the server's workspace, and the fine-tuned network of the last
 * weights file stays loaded so consecutive segment jobs on one object don't rebuild it.
 */
import { probabilityToUint8, type DeviceChoice, type FrameSegmenter } from '../model';
import type {
  BackendFineTuneRequest,
  BackendFineTuneResult,
  BackendSegmentRequest,
  SegmentationBackend,
} from '../backend';
import type { Annotation } from './annotations';
import { OperationCancelledError } from './cancelled';
import { createOneShotMethod } from './one-shot';
import { resolveSettings, type FineTuneSettings, type PresetName } from './presets';
import { segmentFrames } from './segment-clip';
import { readWeights, settingsToContinue, writeWeights } from './weights';

export interface OsvosBackendOptions {
  device?: DeviceChoice;
  /** Overrides the presets' network resolution (tests use small ones). */
  resolution?: number;
  threads?: number;
  cacheDir?: string;
  /** Extra overrides of every preset (tests shorten fine-tuning). */
  overrides?: Partial<FineTuneSettings>;
}

export function createOsvosBackend(options: OsvosBackendOptions = {}): SegmentationBackend {
  const method = createOneShotMethod(options);
  let provider = 'none';
  let loaded: { key: string; model: FrameSegmenter } | undefined;
  const settingsFor = (preset: PresetName) =>
    resolveSettings(preset, {
      ...options.overrides,
      ...(options.resolution ? { resolution: options.resolution } : {}),
    });

  async function modelFor(weightsPath: string | null): Promise<FrameSegmenter> {
    const key = weightsPath ?? 'parent';
    if (loaded?.key === key) return loaded.model;
    await loaded?.model.dispose();
    loaded = undefined;
    const model = weightsPath
      ? await method.segmenter(await readWeights(weightsPath))
      : await method.plainSegmenter({ resolution: settingsFor('balanced').resolution });
    provider = model.executionProvider;
    loaded = { key, model };
    return model;
  }

  return {
    name: 'osvos',
    executionProvider: () => provider,

    async fineTune(req: BackendFineTuneRequest): Promise<BackendFineTuneResult> {
      const resume = req.resumeFrom ? await readWeights(req.resumeFrom) : undefined;
      // A correction continues the object's weights: same resolution and depth as they were trained with.
      const settings = resume ? settingsToContinue(settingsFor(req.preset), resume) : settingsFor(req.preset);
      const annotations: Annotation[] = req.annotations.map((a) => ({
        frameIndex: a.frame,
        mask: a.mask,
        width: a.width,
        height: a.height,
      }));
      try {
        const result = await method.fineTune(req.clip, annotations, settings, {
          resumeFrom: resume,
          signal: req.signal,
          progressFile: req.progressFile,
          onProgress: (p) => {
            if (p.phase === 'training')
              req.onProgress({
                iteration: p.iteration,
                total: p.total,
                loss: p.loss,
                etaSeconds: p.etaSeconds,
              });
          },
        });
        provider = result.executionProvider;
        await writeWeights(req.weightsOut, result.weights);
        return {
          weightsPath: req.weightsOut,
          threshold: result.weights.threshold,
          ...(result.weights.edgeSnap ? { edgeSnap: result.weights.edgeSnap } : {}),
        };
      } catch (err) {
        if (req.signal.aborted) throw new OperationCancelledError('fine-tuning');
        throw err;
      }
    },

    async segment(req: BackendSegmentRequest): Promise<void> {
      const model = await modelFor(req.weightsPath);
      const read = (index: number) => req.clip.readFrame(index);
      for await (const f of segmentFrames(read, req.frameOrder, model, req.signal))
        await req.onFrame(
          f.index,
          probabilityToUint8(f.probability),
          f.frame.width,
          f.frame.height,
          f.evidence,
        );
    },

    async close(): Promise<void> {
      await loaded?.model.dispose();
      loaded = undefined;
    },
  };
}
