/** Shared helpers of the model tests: real sample frames, tiny hand-built ONNX models, temp folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { setLogger } from '../../src/logging/logger';
import { DataType, encodeModel, makeFloatTensor, onnx } from '@oneshot-roto/onnx-train';
import type { RgbFrame } from '../../src/video/frame';
import { sampleClip } from '../../src/video/sample-clip';

export function silenceLogs(): void {
  setLogger(pino({ level: 'silent' }));
}

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `oneshot-roto-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Frame `index` of the embedded DAVIS bear clip, and its ground-truth mask (0/1). */
export async function loadBearFrame(index = 0): Promise<{ frame: RgbFrame; mask: Uint8Array }> {
  const clip = sampleClip();
  const name = `${String(index).padStart(5, '0')}`;
  const img = await sharp(path.join(clip.framesDir, `${name}.jpg`))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gt = await sharp(path.join(clip.annotationsDir, `${name}.png`))
    .greyscale()
    .raw()
    .toBuffer();
  return {
    frame: { data: new Uint8Array(img.data), width: img.info.width, height: img.info.height, channels: 3 },
    mask: Uint8Array.from(gt, (v) => (v > 127 ? 1 : 0)),
  };
}

function valueInfo(name: string, dims: Array<number | string>): onnx.ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

/**
 * A one-node model: 1×1 Conv from 3 channels to 1 with the given weights and bias, input shape
 * `inputDims`; optionally followed by a Sigmoid. Output = (sigmoid of) w·rgb + b per pixel.
 */
export function tinyConvModel(options: {
  inputDims: Array<number | string>;
  weights?: [number, number, number];
  bias?: number;
  sigmoid?: boolean;
}): Uint8Array {
  const w = options.weights ?? [1, 1, 1];
  const nodes = [
    onnx.NodeProto.create({
      opType: 'Conv',
      input: ['image', 'w', 'b'],
      output: [options.sigmoid ? 'logits' : 'mask'],
      name: 'conv',
    }),
  ];
  if (options.sigmoid)
    nodes.push(
      onnx.NodeProto.create({ opType: 'Sigmoid', input: ['logits'], output: ['mask'], name: 'sigmoid' }),
    );
  const outDims =
    options.inputDims.length === 4
      ? [options.inputDims[0]!, 1, options.inputDims[2]!, options.inputDims[3]!]
      : ['n', 1, 'h', 'w'];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 15 }],
    producerName: 'oneshot-roto-test',
    graph: {
      name: 'tiny',
      node: nodes,
      input: [valueInfo('image', options.inputDims)],
      output: [valueInfo('mask', outDims)],
      initializer: [
        makeFloatTensor('w', [1, 3, 1, 1], Float32Array.from(w)),
        makeFloatTensor('b', [1], Float32Array.from([options.bias ?? 0])),
      ],
    },
  });
  return encodeModel(model);
}
