/**
 * The server's segmentation backend with real one-shot fine-tuning: presets map to measured
 * settings, weights persist in the server's workspace, and the fine-tuned network of the last
 * weights file stays loaded so consecutive segment jobs on one object don't rebuild it.
 */
import { probabilityToUint8, SegmentationModel, type DeviceChoice, type FrameSegmenter } from '../model';
import type {
  BackendClip,
  BackendFineTuneRequest,
  BackendFineTuneResult,
  BackendSegmentRequest,
  SegmentationBackend,
} from '../server/backend';
import type { RgbFrame } from '../video/frame';
import type { Annotation } from './annotations';
import { OperationCancelledError } from './cancelled';
import { fineTuneOnClip } from './clip-fine-tune';
import { predictWithEvidence } from './frame-evidence';
import { loadWeightsSegmenter } from './fine-tuned-model';
import { resolveSettings, type FineTuneSettings, type PresetName } from './presets';
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
      ? await loadWeightsSegmenter(await readWeights(weightsPath), options)
      : await SegmentationModel.load({
          resolution: settingsFor('balanced').resolution,
          device: options.device,
          threads: options.threads,
          cacheDir: options.cacheDir,
        });
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
      const frames = new Map<number, RgbFrame>();
      for (const a of req.annotations)
        if (!frames.has(a.frame)) frames.set(a.frame, await req.clip.readFrame(a.frame));
      const annotations: Annotation[] = req.annotations.map((a) => ({
        frameIndex: a.frame,
        mask: a.mask,
        width: a.width,
        height: a.height,
      }));
      try {
        const result = await fineTuneOnClip({
          frames,
          annotations,
          settings,
          resumeFrom: resume,
          device: options.device,
          threads: options.threads,
          cacheDir: options.cacheDir,
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
        return { weightsPath: req.weightsOut, threshold: result.weights.threshold };
      } catch (err) {
        if (req.signal.aborted) throw new OperationCancelledError('fine-tuning');
        throw err;
      }
    },

    async segment(req: BackendSegmentRequest): Promise<void> {
      const model = await modelFor(req.weightsPath);
      const clip: BackendClip = req.clip;
      // Decode one frame ahead while the network runs.
      let next: Promise<RgbFrame> | undefined =
        req.frameOrder.length > 0 ? clip.readFrame(req.frameOrder[0]!) : undefined;
      for (let k = 0; k < req.frameOrder.length; k++) {
        if (req.signal.aborted) throw new OperationCancelledError('segmentation');
        const index = req.frameOrder[k]!;
        const frame = await next!;
        next = k + 1 < req.frameOrder.length ? clip.readFrame(req.frameOrder[k + 1]!) : undefined;
        next?.catch(() => undefined);
        const { probability, evidence } = await predictWithEvidence(model, frame);
        await req.onFrame(index, probabilityToUint8(probability), frame.width, frame.height, evidence);
      }
    },

    async close(): Promise<void> {
      await loaded?.model.dispose();
      loaded = undefined;
    },
  };
}
