/**
 * Execution-provider selection for onnxruntime-node. CUDA is used when asked for, or under 'auto'
 * when its provider libraries are installed (`npm run install:cuda`); otherwise 'auto' runs on the
 * CPU with a logged warning, and an explicit GPU choice fails with what to do. DirectML, CoreML
 * and WebGPU are used only when asked for: their coverage of this project's graphs is untested.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { childLogger } from '../logging/logger';
import { ModelError } from './errors';

export type DeviceChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
export const DEVICE_CHOICES: readonly DeviceChoice[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'];

export interface SessionOptions {
  device?: DeviceChoice;
  /** intra-op threads; defaults to the number of logical cores. */
  threads?: number;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  executionProvider: Exclude<DeviceChoice, 'auto'>;
  threads: number;
}

export function isDeviceChoice(v: string): v is DeviceChoice {
  return (DEVICE_CHOICES as readonly string[]).includes(v);
}

/** Folder holding onnxruntime-node's native libraries for this platform. */
export function onnxRuntimeBinDir(): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether the CUDA provider library (downloaded by `npm run install:cuda`) is present. */
export function cudaProviderInstalled(): boolean {
  const lib =
    process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(onnxRuntimeBinDir(), lib));
}

const GPU_HINT: Record<string, string> = {
  cuda: 'The CUDA provider needs an NVIDIA GPU, CUDA 12 and cuDNN 9, and its libraries installed with `npm run install:cuda`. Use --device cpu (or auto) to run on the CPU.',
  dml: 'DirectML is available only on Windows (x64). Use --device cpu (or auto).',
  coreml: 'CoreML is available only on macOS. Use --device cpu (or auto).',
  webgpu: 'WebGPU needs a GPU with a working Vulkan/Metal/D3D12 driver. Use --device cpu (or auto).',
};

let warnedNoCuda = false;

export async function createSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<CreatedSession> {
  const log = childLogger('inference');
  const device = options.device ?? 'auto';
  if (!isDeviceChoice(device)) {
    throw new ModelError(
      'PROVIDER_UNAVAILABLE',
      `unknown device "${String(device)}"; use one of ${DEVICE_CHOICES.join(', ')}`,
    );
  }
  const threads =
    options.threads ??
    (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  const open = (eps: string[]) =>
    typeof model === 'string'
      ? ort.InferenceSession.create(model, { ...base, executionProviders: eps })
      : ort.InferenceSession.create(model, { ...base, executionProviders: eps });

  const gpuCandidates: Array<Exclude<DeviceChoice, 'auto' | 'cpu'>> =
    device === 'auto' ? (cudaProviderInstalled() ? ['cuda'] : []) : device === 'cpu' ? [] : [device];
  if (device === 'auto' && gpuCandidates.length === 0 && !warnedNoCuda) {
    warnedNoCuda = true; // once per process: jobs create several sessions
    log.warn(
      'CUDA provider not installed (run `npm run install:cuda` on an NVIDIA machine); running on the CPU',
    );
  }
  for (const ep of gpuCandidates) {
    if (ep === 'cuda' && !cudaProviderInstalled()) {
      throw new ModelError(
        'PROVIDER_UNAVAILABLE',
        `the CUDA execution provider is not installed in ${onnxRuntimeBinDir()}. Run \`npm run install:cuda\`. ${GPU_HINT.cuda}`,
      );
    }
    try {
      // The CPU provider stays registered for the few ops a GPU provider may not implement.
      const session = await open([ep, 'cpu']);
      log.info({ executionProvider: ep, threads }, 'inference session created');
      return { session, executionProvider: ep, threads };
    } catch (cause) {
      if (device !== 'auto') {
        throw new ModelError(
          'PROVIDER_UNAVAILABLE',
          `the ${ep} execution provider could not start: ${(cause as Error).message}. ${GPU_HINT[ep]}`,
          { cause },
        );
      }
      log.warn(
        { executionProvider: ep, err: (cause as Error).message },
        `${ep} execution provider failed to start; running on the CPU`,
      );
    }
  }
  try {
    const session = await open(['cpu']);
    log.info({ executionProvider: 'cpu', threads }, 'inference session created');
    return { session, executionProvider: 'cpu', threads };
  } catch (cause) {
    const what = typeof model === 'string' ? model : 'the in-memory model';
    throw new ModelError('MODEL_INVALID', `onnxruntime could not load ${what}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
