/**
 * FAKE-SPEED TEST BACKEND (not the product's segmentation): learns the mean colour of the
 * annotated object and background and labels each pixel by the nearer one. It is deterministic,
 * really uses the annotations (a correction changes the result) and can be slowed down per
 * iteration / per frame so fault tests can kill the server mid-job. Used where the real network
 * would make a server test too slow on 2 shared cores; the e2e tests use the real backend.
 */
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  BackendFineTuneRequest,
  BackendFineTuneResult,
  SegmentationBackend,
  BackendSegmentRequest,
  EdgeSnapMethod,
} from '@oneshot-roto/core';

export interface SyntheticBackendOptions {
  iterationDelayMs?: number;
  frameDelayMs?: number;
  /** Emit incompressible noise mattes (for back-pressure tests that must out-fill socket buffers). */
  noise?: boolean;
  /** Iterations per preset. */
  iterations?: { fast: number; balanced: number; best: number };
  /** The edge snap a fine-tune recommends with its weights, as a preset can (absent: none named). */
  edgeSnap?: EdgeSnapMethod;
}

interface ColourModel {
  fg: [number, number, number];
  bg: [number, number, number];
}

export function createSyntheticBackend(
  opts: SyntheticBackendOptions = {},
): SegmentationBackend & { fineTuneCalls: BackendFineTuneRequest[]; segmentCalls: number[][] } {
  const iterations = opts.iterations ?? { fast: 4, balanced: 8, best: 16 };
  const fineTuneCalls: BackendFineTuneRequest[] = [];
  const segmentCalls: number[][] = [];
  return {
    name: 'synthetic-test',
    fineTuneCalls,
    segmentCalls,
    executionProvider: () => 'cpu',
    async fineTune(req: BackendFineTuneRequest): Promise<BackendFineTuneResult> {
      fineTuneCalls.push(req);
      const sum = { fg: [0, 0, 0], bg: [0, 0, 0], nf: 0, nb: 0 };
      for (const a of req.annotations) {
        const frame = await req.clip.readFrame(a.frame);
        for (let i = 0; i < a.mask.length; i++) {
          // Open ("don't care") pixels teach nothing, as in the real fine-tuning.
          if (a.mask[i] !== 0 && a.mask[i] !== 1) continue;
          const t = a.mask[i] === 1 ? sum.fg : sum.bg;
          for (let c = 0; c < 3; c++) t[c]! += frame.data[3 * i + c]!;
          if (a.mask[i] === 1) sum.nf++;
          else sum.nb++;
        }
      }
      const total = iterations[req.preset];
      for (let it = 1; it <= total; it++) {
        await sleep(opts.iterationDelayMs ?? 0, undefined, { signal: req.signal });
        req.onProgress({
          iteration: it,
          total,
          loss: 1 / it,
          etaSeconds: ((total - it) * (opts.iterationDelayMs ?? 0)) / 1000,
        });
      }
      const model: ColourModel = {
        fg: sum.fg.map((v) => v / Math.max(1, sum.nf)) as ColourModel['fg'],
        bg: sum.bg.map((v) => v / Math.max(1, sum.nb)) as ColourModel['bg'],
      };
      await fs.writeFile(req.weightsOut, JSON.stringify(model));
      return {
        weightsPath: req.weightsOut,
        threshold: 0.5,
        ...(opts.edgeSnap ? { edgeSnap: opts.edgeSnap } : {}),
      };
    },
    async segment(req: BackendSegmentRequest): Promise<void> {
      segmentCalls.push(req.frameOrder.slice());
      const model: ColourModel = req.weightsPath
        ? (JSON.parse(await fs.readFile(req.weightsPath, 'utf8')) as ColourModel)
        : { fg: [255, 255, 255], bg: [0, 0, 0] };
      for (const index of req.frameOrder) {
        req.signal.throwIfAborted();
        const frame = await req.clip.readFrame(index);
        const out = new Uint8Array(frame.width * frame.height);
        for (let i = 0; i < out.length; i++) {
          let df = 0;
          let db = 0;
          for (let c = 0; c < 3; c++) {
            const v = frame.data[3 * i + c]!;
            df += (v - model.fg[c]!) ** 2;
            db += (v - model.bg[c]!) ** 2;
          }
          out[i] = Math.round((255 * db) / (df + db || 1));
        }
        if (opts.noise) {
          let x = (index + 1) * 2654435761;
          for (let i = 0; i < out.length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            out[i] = x & 255;
          }
        }
        await sleep(opts.frameDelayMs ?? 0, undefined, { signal: req.signal });
        await req.onFrame(index, out, frame.width, frame.height);
      }
    },
  };
}
