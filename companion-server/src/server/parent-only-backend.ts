/**
 * PARENT-ONLY BACKEND — segments with the parent network alone (no one-shot learning): its
 * "fine-tuning" is a no-op that still reports progress, so the server's whole flow can run
 * before, or without, the real OSVOS backend (osvos/backend.ts). It segments the salient object,
 * not necessarily the annotated one. For development, tests and `serve --backend parent-only`.
 */
import { promises as fs } from 'node:fs';
import {
  SegmentationModel,
  probabilityToUint8,
  type DeviceChoice,
  type BackendFineTuneRequest,
  type BackendFineTuneResult,
  type SegmentationBackend,
  type BackendSegmentRequest,
} from '@oneshot-roto/core';

export interface ParentOnlyBackendOptions {
  /** Network input resolution (default 320: fast on CPU). */
  resolution?: number;
  device?: DeviceChoice;
  threads?: number;
  cacheDir?: string;
}

export function createParentOnlyBackend(options: ParentOnlyBackendOptions = {}): SegmentationBackend {
  let model: Promise<SegmentationModel> | undefined;
  let provider = 'none';
  const load = (): Promise<SegmentationModel> => {
    model ??= SegmentationModel.load({
      resolution: options.resolution ?? 320,
      device: options.device,
      threads: options.threads,
      cacheDir: options.cacheDir,
    }).then((m) => {
      provider = m.executionProvider;
      return m;
    });
    // A failed load is retried on the next request instead of being cached.
    model.catch(() => (model = undefined));
    return model;
  };
  return {
    name: 'parent-only',
    executionProvider: () => provider,
    async fineTune(req: BackendFineTuneRequest): Promise<BackendFineTuneResult> {
      req.signal.throwIfAborted();
      req.onProgress({ iteration: 1, total: 1, loss: 0, etaSeconds: 0 });
      // Nothing is learned; the file records that so nobody mistakes it for fine-tuned weights.
      await fs.writeFile(
        req.weightsOut,
        JSON.stringify({ backend: 'parent-only', annotations: req.annotations.map((a) => a.frame) }),
      );
      return { weightsPath: req.weightsOut, threshold: 0.5 };
    },
    async segment(req: BackendSegmentRequest): Promise<void> {
      const m = await load();
      for (const index of req.frameOrder) {
        req.signal.throwIfAborted();
        const frame = await req.clip.readFrame(index);
        const prob = await m.predict(frame);
        req.signal.throwIfAborted();
        await req.onFrame(index, probabilityToUint8(prob), frame.width, frame.height);
      }
    },
    async close() {
      const m = await model?.catch(() => undefined);
      await m?.dispose();
      model = undefined;
    },
  };
}
