/**
 * A segmentation network ready to run on frames: an onnxruntime session on the chosen execution
 * provider plus the pre/post-processing around it. Built from the prepared parent network (default),
 * from an ONNX file (`--model`), or from ONNX bytes in memory (fine-tuned weights).
 */
import { promises as fs } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { childLogger } from '../logging/logger';
import type { RgbFrame } from '../video/frame';
import { ModelError } from './errors';
import type { FrameSegmenter } from './frame-segmenter';
import { createSession, type DeviceChoice } from './execution-provider';
import { inspectModelSignature, type ModelSignature } from './model-signature';
import { DEFAULT_RESOLUTION, ensureParentModel, type ParentModelManifest } from './parent-model';
import { checkFrame, preprocessFrame } from './preprocess';
import { resizeBilinear, sigmoidInPlace } from './postprocess';
import { blendZoomed, cropFrame, zoomBox } from './zoom-pass';

export interface SegmentationModelOptions {
  /** An ONNX file: the user's own network or a saved fine-tuned one. */
  modelPath?: string;
  /** ONNX bytes in memory (e.g. fine-tuned weights); takes precedence over modelPath. */
  modelBytes?: Uint8Array;
  /** Working resolution of the parent network (default 512), or of a model whose input size is dynamic. */
  resolution?: number;
  device?: DeviceChoice;
  threads?: number;
  /**
   * Average each prediction with the network's prediction on the mirrored frame, mirrored back
   * (test-time flip: twice the network time; measured in BENCHMARKS.md). Default false.
   */
  testTimeFlip?: boolean;
  /**
   * A second pass on small objects: the part of the frame around the first pass's object (when it
   * spans under 80 % of the frame) is segmented again at the network's full input size and averaged
   * in (zoom-pass.ts). Up to twice the network time, on frames with a small object only. Default false.
   */
  zoomPass?: boolean;
  /**
   * What the first output holds, when the caller knows better than the graph's last node (which
   * says "probability" only for a Sigmoid): a graph built by the project whose output is a mean of
   * probabilities (osvos/ensemble-graph.ts).
   */
  outputKind?: ModelSignature['outputKind'];
  /** Parent-model cache and package folders (tests and the CLI pass them; defaults otherwise). */
  cacheDir?: string;
  packageDir?: string;
}

export type ModelSource =
  | { kind: 'parent'; path: string; manifest: ParentModelManifest }
  | { kind: 'file'; path: string }
  | { kind: 'bytes'; size: number };

export interface RawOutput {
  /** The first output, as the network produced it (probability, or logits when `signature.outputKind` says so). */
  data: Float32Array;
  dims: number[];
}

async function readModelFile(file: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ModelError(
        'MODEL_NOT_FOUND',
        `model file ${file} does not exist. Check the --model path, or leave it out to use the built-in parent network.`,
        { cause },
      );
    }
    throw new ModelError('MODEL_NOT_FOUND', `cannot read model file ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** One onnxruntime session and the input size it runs at. */
interface NetworkPass {
  session: ort.InferenceSession;
  signature: ModelSignature;
  inputSize: { width: number; height: number };
  /** False when the model's batch dimension is fixed at 1. */
  supportsBatch: boolean;
}

export class SegmentationModel implements FrameSegmenter {
  private readonly log = childLogger('inference');
  private disposed = false;

  private constructor(
    private readonly pass: NetworkPass,
    readonly executionProvider: Exclude<DeviceChoice, 'auto'>,
    readonly threads: number,
    readonly source: ModelSource,
    readonly testTimeFlip: boolean,
    readonly zoomPass: boolean,
  ) {}

  /** The model's inputs and output. */
  get signature(): ModelSignature {
    return this.pass.signature;
  }

  /** The input size (`runRaw` and `preprocess` work at it). */
  get inputSize(): { width: number; height: number } {
    return this.pass.inputSize;
  }

  /** False when the model's batch dimension is fixed at 1. */
  get supportsBatch(): boolean {
    return this.pass.supportsBatch;
  }

  static async load(options: SegmentationModelOptions = {}): Promise<SegmentationModel> {
    let bytes: Uint8Array;
    let source: ModelSource;
    let label: string;
    if (options.modelBytes) {
      bytes = options.modelBytes;
      source = { kind: 'bytes', size: bytes.length };
      label = 'the in-memory model';
    } else if (options.modelPath) {
      bytes = await readModelFile(options.modelPath);
      source = { kind: 'file', path: options.modelPath };
      label = `model file ${options.modelPath}`;
    } else {
      const parent = await ensureParentModel({
        resolution: options.resolution,
        cacheDir: options.cacheDir,
        packageDir: options.packageDir,
      });
      bytes = await readModelFile(parent.modelPath);
      source = { kind: 'parent', path: parent.modelPath, manifest: parent.manifest };
      label = `parent model ${parent.modelPath}`;
    }
    const signature = signatureOf(bytes, label, options.outputKind);
    const [batchDim, , h, w] = signature.inputShape;
    const requested = options.resolution ?? DEFAULT_RESOLUTION;
    const inputSize = {
      width: typeof w === 'number' ? w : requested,
      height: typeof h === 'number' ? h : requested,
    };
    if (
      source.kind !== 'parent' &&
      options.resolution !== undefined &&
      (inputSize.width !== requested || inputSize.height !== requested)
    ) {
      childLogger('inference').warn(
        { model: label, inputSize, requested },
        'the model has a fixed input size; the requested resolution is ignored',
      );
    }
    const { session, executionProvider, threads } = await createSession(bytes, {
      device: options.device,
      threads: options.threads,
    });
    const model = new SegmentationModel(
      { session, signature, inputSize, supportsBatch: batchDim !== 1 },
      executionProvider,
      threads,
      source,
      options.testTimeFlip ?? false,
      options.zoomPass ?? false,
    );
    model.log.info(
      {
        model: label,
        executionProvider,
        threads,
        inputSize,
        outputKind: signature.outputKind,
        testTimeFlip: model.testTimeFlip,
        zoomPass: model.zoomPass,
      },
      'segmentation model loaded',
    );
    return model;
  }

  /** Runs the network on already pre-processed input ([batch,3,H,W] float32) and returns its first output. */
  async runRaw(input: Float32Array, batch = 1): Promise<RawOutput> {
    this.assertOpen();
    const { session, signature, inputSize } = this.pass;
    const { width, height } = inputSize;
    if (input.length !== batch * 3 * width * height) {
      throw new ModelError(
        'BAD_INPUT',
        `input has ${input.length} values; [${batch},3,${height},${width}] needs ${batch * 3 * width * height}`,
      );
    }
    const { inputName, outputName } = signature;
    const feeds = { [inputName]: new ort.Tensor('float32', input, [batch, 3, height, width]) };
    const results = await session.run(feeds, [outputName]);
    const out = results[outputName];
    if (!out) throw new ModelError('MODEL_INVALID', `the model run returned no output "${outputName}"`);
    return { data: out.data as Float32Array, dims: out.dims.slice() };
  }

  /** Pre-processes frames into one [n,3,H,W] buffer (the frames may differ in size). */
  async preprocess(frames: readonly RgbFrame[]): Promise<Float32Array> {
    return preprocessAt(this.inputSize, frames);
  }

  /** Foreground probability of every pixel of `frame` (row-major, frame.width × frame.height, 0..1). */
  async predict(frame: RgbFrame): Promise<Float32Array> {
    return (await this.predictBatch([frame]))[0]!;
  }

  /** Like predict, for several frames; one network run per batch when the model allows it. */
  async predictBatch(frames: readonly RgbFrame[]): Promise<Float32Array[]> {
    this.assertOpen();
    frames.forEach(checkFrame);
    if (frames.length === 0) return [];
    const maps = await this.predictAt(frames);
    if (this.zoomPass) await this.zoomIn(frames, maps);
    return maps;
  }

  /** The zoom pass (zoom-pass.ts): frames with a small object segmented again on a crop around it. */
  private async zoomIn(frames: readonly RgbFrame[], maps: Float32Array[]): Promise<void> {
    const boxes = maps.map((m, i) => zoomBox(m, frames[i]!.width, frames[i]!.height));
    const zoomed = boxes.flatMap((b, i) => (b ? [i] : []));
    if (zoomed.length === 0) return;
    const crops = await this.predictAt(zoomed.map((i) => cropFrame(frames[i]!, boxes[i]!)));
    zoomed.forEach((i, k) => blendZoomed(maps[i]!, frames[i]!.width, crops[k]!, boxes[i]!));
  }

  /** One pass over the frames (with test-time flip when set), probabilities at frame size. */
  private async predictAt(frames: readonly RgbFrame[]): Promise<Float32Array[]> {
    const n = frames.length;
    const { width, height } = this.inputSize;
    const input = await preprocessAt(this.inputSize, frames);
    // Test-time flip: the mirrored copies run in the same batch, mirrored in network space (the
    // resize to the network commutes with a horizontal flip up to rounding), and the probabilities
    // are averaged at network resolution before the one resize back to the frame.
    const raw = this.testTimeFlip
      ? await this.runImages(concat(input, mirrorPlanes(input, 3 * n, width, height)), 2 * n)
      : await this.runImages(input, n);
    const [oh, ow] = raw.dims.slice(-2);
    if (oh === undefined || ow === undefined) {
      throw new ModelError(
        'MODEL_INVALID',
        `the model's output has dims [${raw.dims.join(',')}], not [n,1,H,W]`,
      );
    }
    const plane = oh * ow;
    const probability = this.signature.outputKind === 'logits' ? sigmoidInPlace(raw.data) : raw.data;
    return frames.map((f, i) => {
      let net = probability.subarray(i * plane, (i + 1) * plane);
      if (this.testTimeFlip) {
        const mirrored = mirrorPlanes(probability.subarray((n + i) * plane, (n + i + 1) * plane), 1, ow, oh);
        net = net.map((v, k) => 0.5 * (v + mirrored[k]!));
      }
      return resizeBilinear(net, ow, oh, f.width, f.height);
    });
  }

  /** runRaw over `count` images: one batch, or one run per image when the batch is fixed at 1. */
  private async runImages(input: Float32Array, count: number): Promise<RawOutput> {
    if (this.supportsBatch || count === 1) return this.runRaw(input, count);
    const per = input.length / count;
    const outs: RawOutput[] = [];
    for (let i = 0; i < count; i++) outs.push(await this.runRaw(input.subarray(i * per, (i + 1) * per), 1));
    const data = new Float32Array(outs.reduce((a, o) => a + o.data.length, 0));
    outs.forEach((o, i) => data.set(o.data, i * o.data.length));
    return { data, dims: [count, ...outs[0]!.dims.slice(1)] };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.pass.session.release();
  }

  private assertOpen(): void {
    if (this.disposed) throw new ModelError('BAD_INPUT', 'this segmentation model was disposed');
  }
}

/** The model's signature, its output kind overridden when the caller knows better (`outputKind`). */
function signatureOf(
  bytes: Uint8Array,
  label: string,
  outputKind: ModelSignature['outputKind'] | undefined,
): ModelSignature {
  const inspected = inspectModelSignature(bytes, label);
  return outputKind ? { ...inspected, outputKind } : inspected;
}

async function preprocessAt(
  size: { width: number; height: number },
  frames: readonly RgbFrame[],
): Promise<Float32Array> {
  const { width, height } = size;
  const per = 3 * width * height;
  const input = new Float32Array(frames.length * per);
  await Promise.all(frames.map((f, i) => preprocessFrame(f, width, height, input, i * per)));
  return input;
}

/** `planes` row-major planes of width × height, each mirrored left–right (a new array). */
export function mirrorPlanes(
  data: Float32Array,
  planes: number,
  width: number,
  height: number,
): Float32Array {
  const out = new Float32Array(planes * width * height);
  for (let p = 0, row = 0; p < planes; p++) {
    for (let y = 0; y < height; y++, row += width) {
      for (let x = 0; x < width; x++) out[row + x] = data[row + width - 1 - x]!;
    }
  }
  return out;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
