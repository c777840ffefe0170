/**
 * Reverse-mode rules: for one forward node, given the gradients of its outputs, emit ONNX nodes
 * computing the gradients of the inputs that need one. Written for speed on ONNX Runtime CPU:
 * conv input gradients as ConvTranspose, conv weight gradients as patch extraction (a grouped
 * Conv with one-hot kernels) plus one Gemm, resize adjoints as MatMuls with constant
 * interpolation matrices, max-pool adjoints as a scatter through the pooling indices.
 */
import {
  DataType,
  getIntAttribute,
  getIntsAttribute,
  getStringAttribute,
  type NodeProto,
} from '../onnx/model-io';
import { UnsupportedGradientError } from './errors';
import type { GraphBuilder } from './graph-builder';
import { linearResizeMatrix, transpose, type CoordinateMode } from './interpolation';
import type { ConstValue } from './const-fold';
import {
  convGeometry,
  convTransposeGeometry,
  numel,
  poolGeometry,
  sliceSpec,
  type PoolGeometry,
  type TensorInfo,
} from './shape-geometry';

export interface GradContext {
  b: GraphBuilder;
  info(name: string): TensorInfo;
  constant(name: string): ConstValue | undefined;
  /** How stride-1 conv input gradients are written (default 'auto': by map size). */
  convInputGradient: ConvInputGradient;
  /** How ungrouped batch-1 conv weight gradients are written (default 'auto': by patch size). */
  convWeightGradient: ConvWeightGradient;
  zero: string;
  one: string;
}

export type ConvInputGradient = 'auto' | 'flipped-conv' | 'conv-transpose';
export type ConvWeightGradient = 'auto' | 'tapwise' | 'patches';

/** Gradient names per input (undefined: not needed or zero). */
export type GradRule = (
  ctx: GradContext,
  node: NodeProto,
  dOut: (string | undefined)[],
  need: boolean[],
) => (string | undefined)[];

function unsupported(node: NodeProto, detail: string): never {
  throw new UnsupportedGradientError(node.opType ?? '?', node.name || node.output?.[0] || '?', detail);
}

function input(node: NodeProto, i: number): string {
  return node.input?.[i] ?? '';
}

/** Sums `g` (shape gDims) down to `target` dims, undoing numpy broadcasting. */
export function reduceTo(ctx: GradContext, g: string, gDims: number[], target: number[]): string {
  const off = gDims.length - target.length;
  const axes: number[] = [];
  gDims.forEach((d, i) => {
    const t = i - off < 0 ? 1 : target[i - off]!;
    if (t === 1 && d !== 1) axes.push(i);
    else if (i < off) axes.push(i);
  });
  let out = g;
  if (axes.length) out = ctx.b.op('ReduceSum', [g, ctx.b.int64Const('axes', axes)], { keepdims: 1 });
  if (off !== 0 || axes.length) out = ctx.b.op('Reshape', [out, ctx.b.int64Const('shape', target)]);
  return out;
}

const elementwise: Record<string, GradRule> = {
  Relu: (ctx, node, [dy]) => {
    const mask = ctx.b.op('Greater', [node.output![0]!, ctx.zero]);
    return [ctx.b.op('Where', [mask, dy!, ctx.zero])];
  },
  LeakyRelu: (ctx, node, [dy]) => {
    const alpha = ctx.b.scalar(node.attribute?.find((a) => a.name === 'alpha')?.f ?? 0.01, 'alpha');
    const mask = ctx.b.op('Greater', [input(node, 0), ctx.zero]);
    return [ctx.b.op('Where', [mask, dy!, ctx.b.op('Mul', [dy!, alpha])])];
  },
  Sigmoid: (ctx, node, [dy]) => {
    const y = node.output![0]!;
    const dydx = ctx.b.op('Mul', [y, ctx.b.op('Sub', [ctx.one, y])]);
    return [ctx.b.op('Mul', [dy!, dydx])];
  },
  Tanh: (ctx, node, [dy]) => {
    const y = node.output![0]!;
    return [ctx.b.op('Mul', [dy!, ctx.b.op('Sub', [ctx.one, ctx.b.op('Mul', [y, y])])])];
  },
  Identity: (_ctx, _node, [dy]) => [dy],
  Dropout: (_ctx, _node, [dy]) => [dy],
  Neg: (ctx, _node, [dy]) => [ctx.b.op('Neg', [dy!])],
  Cast: (_ctx, node, [dy]) => {
    const to = getIntAttribute(node, 'to', DataType.FLOAT);
    if (to !== DataType.FLOAT)
      unsupported(
        node,
        `Cast to data type ${to} on a differentiable path; the training engine works in float32`,
      );
    return [dy];
  },
};

const binary: Record<string, GradRule> = {
  Add: (ctx, node, [dy], need) => {
    const y = ctx.info(node.output![0]!).dims;
    return [0, 1].map((i) => (need[i] ? reduceTo(ctx, dy!, y, ctx.info(input(node, i)).dims) : undefined));
  },
  Sub: (ctx, node, [dy], need) => {
    const y = ctx.info(node.output![0]!).dims;
    return [
      need[0] ? reduceTo(ctx, dy!, y, ctx.info(input(node, 0)).dims) : undefined,
      need[1] ? reduceTo(ctx, ctx.b.op('Neg', [dy!]), y, ctx.info(input(node, 1)).dims) : undefined,
    ];
  },
  Mul: (ctx, node, [dy], need) => {
    const y = ctx.info(node.output![0]!).dims;
    return [0, 1].map((i) =>
      need[i]
        ? reduceTo(ctx, ctx.b.op('Mul', [dy!, input(node, 1 - i)]), y, ctx.info(input(node, i)).dims)
        : undefined,
    );
  },
  Div: (ctx, node, [dy], need) => {
    const y = ctx.info(node.output![0]!).dims;
    const a = input(node, 0);
    const bIn = input(node, 1);
    return [
      need[0] ? reduceTo(ctx, ctx.b.op('Div', [dy!, bIn]), y, ctx.info(a).dims) : undefined,
      need[1]
        ? reduceTo(
            ctx,
            ctx.b.op('Neg', [ctx.b.op('Mul', [dy!, ctx.b.op('Div', [node.output![0]!, bIn])])]),
            y,
            ctx.info(bIn).dims,
          )
        : undefined,
    ];
  },
};

const shapeOps: Record<string, GradRule> = {
  Reshape: (ctx, node, [dy]) => [
    ctx.b.op('Reshape', [dy!, ctx.b.int64Const('shape', ctx.info(input(node, 0)).dims)]),
  ],
  Flatten: (ctx, node, [dy]) => [
    ctx.b.op('Reshape', [dy!, ctx.b.int64Const('shape', ctx.info(input(node, 0)).dims)]),
  ],
  Squeeze: (ctx, node, [dy]) => [
    ctx.b.op('Reshape', [dy!, ctx.b.int64Const('shape', ctx.info(input(node, 0)).dims)]),
  ],
  Unsqueeze: (ctx, node, [dy]) => [
    ctx.b.op('Reshape', [dy!, ctx.b.int64Const('shape', ctx.info(input(node, 0)).dims)]),
  ],
  Transpose: (ctx, node, [dy]) => {
    const r = ctx.info(input(node, 0)).dims.length;
    const perm = getIntsAttribute(
      node,
      'perm',
      Array.from({ length: r }, (_, i) => r - 1 - i),
    );
    const inv = new Array<number>(r);
    perm.forEach((p, i) => (inv[p] = i));
    return [ctx.b.op('Transpose', [dy!], { perm: inv })];
  },
  Concat: (ctx, node, [dy], need) => {
    const r = ctx.info(input(node, 0)).dims.length;
    let axis = getIntAttribute(node, 'axis', 0);
    if (axis < 0) axis += r;
    let start = 0;
    return (node.input ?? []).map((name, i) => {
      const len = ctx.info(name).dims[axis]!;
      const s = start;
      start += len;
      if (!need[i]) return undefined;
      return ctx.b.op('Slice', [
        dy!,
        ctx.b.int64Const('starts', [s]),
        ctx.b.int64Const('ends', [s + len]),
        ctx.b.int64Const('axes', [axis]),
      ]);
    });
  },
  Slice: (ctx, node, [dy]) => {
    const x = ctx.info(input(node, 0)).dims;
    const c = (i: number) => (input(node, i) ? ctx.constant(input(node, i))?.values : undefined);
    const starts = c(1);
    const ends = c(2);
    if (!starts || !ends) unsupported(node, 'starts/ends are not constant');
    const spec = sliceSpec(x, starts, ends, c(3), c(4));
    if (spec.steps.some((s) => s !== 1)) unsupported(node, 'Slice with steps other than 1');
    const pads = [...spec.starts, ...x.map((d, i) => d - spec.starts[i]! - spec.dims[i]!)];
    return [ctx.b.op('Pad', [dy!, ctx.b.int64Const('pads', pads)])];
  },
};

/** Patches of `x` for a conv geometry: [N, C·kk, out...] via a grouped Conv with one-hot kernels. */
function patches(
  ctx: GradContext,
  x: string,
  channels: number,
  kernel: number[],
  attrs: { strides: number[]; pads: number[]; dilations: number[] },
): string {
  const kk = numel(kernel);
  const w = new Float32Array(channels * kk * kk);
  for (let c = 0; c < channels; c++) for (let j = 0; j < kk; j++) w[(c * kk + j) * kk + j] = 1;
  const k = ctx.b.floatConst('onehot', [channels * kk, 1, ...kernel], w);
  return ctx.b.op(
    'Conv',
    [x, k],
    {
      kernel_shape: kernel,
      strides: attrs.strides,
      pads: attrs.pads,
      dilations: attrs.dilations,
      group: channels,
    },
    'patches',
  );
}

/**
 * dW[m, c·kk] = Σ_{n,l} dy[n, m, l] · P[n, c·kk, l] where P are the patches of `x` (conv geometry).
 * `x` [N, C, ...] with C = groups·Cg, `dy` [N, M, out...]; result shaped [M, Cg, ...kernel].
 */
function weightGradient(
  ctx: GradContext,
  x: string,
  xDims: number[],
  dy: string,
  dyDims: number[],
  kernel: number[],
  geo: { strides: number[]; pads: number[]; dilations: number[] },
  group: number,
): string {
  const b = ctx.b;
  const [n, c] = [xDims[0]!, xDims[1]!];
  const m = dyDims[1]!;
  const kk = numel(kernel);
  const l = numel(dyDims.slice(2));
  const cg = c / group;
  const mg = m / group;
  const identityPatch = kk === 1 && geo.strides.every((s) => s === 1) && geo.pads.every((p) => p === 0);
  if (group === 1 && n === 1) {
    const dy2 = b.op('Reshape', [dy, b.int64Const('shape', [m, l])]);
    if (identityPatch) {
      const x2 = b.op('Reshape', [x, b.int64Const('shape', [c, l])]);
      return b.op('Reshape', [
        b.op('Gemm', [dy2, x2], { transB: 1 }, 'dW'),
        b.int64Const('shape', [m, cg, ...kernel]),
      ]);
    }
    const tapwise =
      ctx.convWeightGradient === 'tapwise' ||
      (ctx.convWeightGradient === 'auto' && c * kk * l * 4 > ONE_HOT_PATCH_MAX_BYTES);
    if (tapwise) return tapwiseWeightGradient(ctx, x, xDims, dy2, dyDims, kernel, geo);
    // Small maps: one patch tensor (grouped one-hot Conv) and one Gemm; fewer nodes, quicker sessions.
    const p2 = b.op('Reshape', [patches(ctx, x, c, kernel, geo), b.int64Const('shape', [c * kk, l])]);
    return b.op('Reshape', [
      b.op('Gemm', [dy2, p2], { transB: 1 }, 'dW'),
      b.int64Const('shape', [m, cg, ...kernel]),
    ]);
  }
  // General case (batch > 1 or grouped): one patch tensor and an Einsum per group.
  const p = identityPatch ? x : patches(ctx, x, c, kernel, geo);
  const p4 = b.op('Reshape', [p, b.int64Const('shape', [n, group, cg * kk, l])]);
  const dy4 = b.op('Reshape', [dy, b.int64Const('shape', [n, group, mg, l])]);
  const dw = b.op('Einsum', [dy4, p4], { equation: 'ngml,ngkl->gmk' }, 'dW');
  return b.op('Reshape', [dw, b.int64Const('shape', [m, cg, ...kernel])]);
}

/**
 * Conv weight [M, C/g, k...] → [C, M/g, k...] with the spatial axes reversed (the adjoint's
 * kernel). The reversal is a MatMul with an anti-identity over the kk kernel taps (exact, and much
 * faster on ONNX Runtime CPU than a Slice with negative steps), then one Transpose.
 */
function flippedKernel(ctx: GradContext, w: string, wDims: number[], group: number): string {
  const b = ctx.b;
  const [m, cg] = [wDims[0]!, wDims[1]!];
  const kernel = wDims.slice(2);
  const kk = numel(kernel);
  let flipped = w;
  if (kk > 1) {
    const j = new Float32Array(kk * kk);
    for (let i = 0; i < kk; i++) j[i * kk + (kk - 1 - i)] = 1;
    const w3 = b.op('Reshape', [w, b.int64Const('shape', [m, cg, kk])]);
    flipped = b.op('MatMul', [w3, b.floatConst('antiIdentity', [kk, kk], j)], {}, 'flipW');
  }
  const g4 = b.op('Reshape', [flipped, b.int64Const('shape', [group, m / group, cg, kk])]);
  const tr = b.op('Transpose', [g4], { perm: [0, 2, 1, 3] });
  return b.op('Reshape', [tr, b.int64Const('shape', [cg * group, m / group, ...kernel])]);
}

/** Output positions from which the flipped-kernel Conv beats ConvTranspose for input gradients. */
const FLIP_MIN_POSITIONS = 1024;

/** Largest im2col patch tensor materialised for a weight gradient; beyond it, tap by tap. */
const ONE_HOT_PATCH_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Weight gradient of a batch-1, ungrouped conv, one kernel tap at a time:
 * dW[:, :, tap] = dY[M, L] · X_tap[C, L]ᵀ, where X_tap is the (padded) input shifted and strided
 * for that tap. Uses one Gemm per tap on a Slice of the input instead of materialising the
 * C·kk·L im2col tensor: memory stays at one shifted copy of the input, and ONNX Runtime CPU runs
 * it much faster than patch extraction with a grouped one-hot Conv.
 */
function tapwiseWeightGradient(
  ctx: GradContext,
  x: string,
  xDims: number[],
  dy2: string,
  dyDims: number[],
  kernel: number[],
  geo: { strides: number[]; pads: number[]; dilations: number[] },
): string {
  const b = ctx.b;
  const r = kernel.length;
  const c = xDims[1]!;
  const m = dyDims[1]!;
  const out = dyDims.slice(2);
  const l = numel(out);
  const padded = geo.pads.some((p) => p !== 0)
    ? b.op('Pad', [x, b.int64Const('pads', [0, 0, ...geo.pads.slice(0, r), 0, 0, ...geo.pads.slice(r)])])
    : x;
  const axes = b.int64Const(
    'axes',
    kernel.map((_, i) => i + 2),
  );
  const steps = geo.strides.some((st) => st !== 1) ? b.int64Const('steps', geo.strides) : undefined;
  const taps: string[] = [];
  const kk = numel(kernel);
  for (let t = 0; t < kk; t++) {
    // Row-major tap index → per-axis kernel offsets.
    const k: number[] = [];
    let rest = t;
    for (let i = r - 1; i >= 0; i--) {
      k[i] = rest % kernel[i]!;
      rest = Math.floor(rest / kernel[i]!);
    }
    const starts = k.map((ki, i) => ki * geo.dilations[i]!);
    const ends = starts.map((s0, i) => s0 + (out[i]! - 1) * geo.strides[i]! + 1);
    const sliceInputs = [padded, b.int64Const('starts', starts), b.int64Const('ends', ends), axes];
    if (steps) sliceInputs.push(steps);
    const xt = b.op('Reshape', [b.op('Slice', sliceInputs, {}, 'tap'), b.int64Const('shape', [c, l])]);
    const g = b.op('Gemm', [dy2, xt], { transB: 1 }, 'dW');
    taps.push(kk === 1 ? g : b.op('Unsqueeze', [g, b.int64Const('axes', [2])]));
  }
  const stacked = kk === 1 ? taps[0]! : b.op('Concat', taps, { axis: 2 });
  return b.op('Reshape', [stacked, b.int64Const('shape', [m, c, ...kernel])]);
}

function biasGradient(ctx: GradContext, dy: string, rank: number): string {
  return ctx.b.op(
    'ReduceSum',
    [dy, ctx.b.int64Const('axes', [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)])],
    { keepdims: 0 },
    'dB',
  );
}

function checkNoAutoPadIssues(node: NodeProto): void {
  const ap = getStringAttribute(node, 'auto_pad', 'NOTSET');
  if (ap !== 'NOTSET' && ap !== 'VALID' && ap !== 'SAME_UPPER' && ap !== 'SAME_LOWER')
    unsupported(node, `auto_pad=${ap}`);
}

/**
 * ConvTranspose output_padding for the adjoint of a forward Conv/Pool window with geometry `geo`
 * mapping `xDims` to `yDims`: the extra trailing rows a strided forward pass never reached, so the
 * adjoint maps a `yDims` gradient back to exactly `xDims`.
 */
function adjointOutputPadding(geo: PoolGeometry, xDims: number[], yDims: number[]): number[] {
  const r = xDims.length - 2;
  return geo.kernel.map(
    (k, i) =>
      xDims[i + 2]! -
      (geo.strides[i]! * (yDims[i + 2]! - 1) +
        (k - 1) * geo.dilations[i]! +
        1 -
        geo.pads[i]! -
        geo.pads[i + r]!),
  );
}

const convOps: Record<string, GradRule> = {
  Conv: (ctx, node, [dy], need) => {
    checkNoAutoPadIssues(node);
    const x = input(node, 0);
    const w = input(node, 1);
    const xDims = ctx.info(x).dims;
    const wDims = ctx.info(w).dims;
    const yDims = ctx.info(node.output![0]!).dims;
    const group = getIntAttribute(node, 'group', 1);
    const geo = convGeometry(node, xDims, wDims);
    const r = xDims.length - 2;
    const out: (string | undefined)[] = [undefined, undefined, undefined];
    const flipOk =
      geo.strides.every((st) => st === 1) &&
      geo.kernel.every((k, i) => (k - 1) * geo.dilations[i]! >= Math.max(geo.pads[i]!, geo.pads[i + r]!));
    const useFlip =
      flipOk &&
      (ctx.convInputGradient === 'flipped-conv' ||
        (ctx.convInputGradient === 'auto' && numel(yDims.slice(2)) >= FLIP_MIN_POSITIONS));
    if (need[0] && useFlip) {
      // Stride 1 on a large map: the input gradient as a plain Conv of dY with the flipped,
      // transposed kernel: measured 1.2-2x faster than ConvTranspose on ONNX Runtime CPU; on
      // small maps with big kernels ConvTranspose is ~20% faster (see README, "Performance").
      out[0] = ctx.b.op(
        'Conv',
        [dy!, flippedKernel(ctx, w, wDims, group)],
        {
          kernel_shape: geo.kernel,
          dilations: geo.dilations,
          group,
          pads: [
            ...geo.kernel.map((k, i) => (k - 1) * geo.dilations[i]! - geo.pads[i]!),
            ...geo.kernel.map((k, i) => (k - 1) * geo.dilations[i]! - geo.pads[i + r]!),
          ],
        },
        'dX',
      );
    } else if (need[0]) {
      out[0] = ctx.b.op(
        'ConvTranspose',
        [dy!, w],
        {
          kernel_shape: geo.kernel,
          strides: geo.strides,
          pads: geo.pads,
          dilations: geo.dilations,
          group,
          output_padding: adjointOutputPadding(geo, xDims, yDims),
        },
        'dX',
      );
    }
    if (need[1]) out[1] = weightGradient(ctx, x, xDims, dy!, yDims, geo.kernel, geo, group);
    if (need[2]) out[2] = biasGradient(ctx, dy!, yDims.length);
    return out;
  },
  ConvTranspose: (ctx, node, [dy], need) => {
    const x = input(node, 0);
    const w = input(node, 1);
    const xDims = ctx.info(x).dims;
    const wDims = ctx.info(w).dims;
    const yDims = ctx.info(node.output![0]!).dims;
    const group = getIntAttribute(node, 'group', 1);
    const geo = convTransposeGeometry(node, xDims, wDims);
    const out: (string | undefined)[] = [undefined, undefined, undefined];
    if (need[0])
      out[0] = ctx.b.op(
        'Conv',
        [dy!, w],
        { kernel_shape: geo.kernel, strides: geo.strides, pads: geo.pads, dilations: geo.dilations, group },
        'dX',
      );
    if (need[1]) {
      // The forward map is the adjoint of a Conv from y-space to x-space: swap the roles of x and dy.
      const dwT = weightGradient(ctx, dy!, yDims, x, xDims, geo.kernel, geo, group); // [Cin, M/g, k...]
      out[1] = dwT;
    }
    if (need[2]) out[2] = biasGradient(ctx, dy!, yDims.length);
    return out;
  },
};

const poolOps: Record<string, GradRule> = {
  MaxPool: (ctx, node, [dy]) => {
    const idx = node.output?.[1];
    if (!idx) unsupported(node, 'internal: MaxPool indices output missing');
    if (getIntAttribute(node, 'storage_order', 0) !== 0) unsupported(node, 'storage_order=1');
    const xDims = ctx.info(input(node, 0)).dims;
    const geo = poolGeometry(node, xDims);
    const overlapping = geo.kernel.some((k, i) => (k - 1) * geo.dilations[i]! + 1 > geo.strides[i]!);
    const b = ctx.b;
    const flat = b.int64Const('shape', [-1]);
    const zeros = b.op('ConstantOfShape', [b.int64Const('shape', [numel(xDims)])], {}, 'zeros');
    const scattered = b.op(
      'ScatterElements',
      [zeros, b.op('Reshape', [idx, flat]), b.op('Reshape', [dy!, flat])],
      overlapping ? { axis: 0, reduction: 'add' } : { axis: 0 },
      'dX',
    );
    return [b.op('Reshape', [scattered, b.int64Const('shape', xDims)])];
  },
  AveragePool: (ctx, node, [dy]) => {
    // Adjoint of average pooling = ConvTranspose with a constant 1/k kernel per channel (count_include_pad=1 only).
    const xDims = ctx.info(input(node, 0)).dims;
    if (
      getIntAttribute(node, 'count_include_pad', 0) !== 1 &&
      getIntsAttribute(node, 'pads', []).some((p) => p !== 0)
    ) {
      unsupported(node, 'AveragePool with padding and count_include_pad=0');
    }
    if (getIntAttribute(node, 'ceil_mode', 0) === 1) unsupported(node, 'AveragePool with ceil_mode=1');
    const geo = poolGeometry(node, xDims);
    const yDims = ctx.info(node.output![0]!).dims;
    const c = xDims[1]!;
    const kk = numel(geo.kernel);
    const k = ctx.b.floatConst('avgk', [c, 1, ...geo.kernel], new Float32Array(c * kk).fill(1 / kk));
    return [
      ctx.b.op('ConvTranspose', [dy!, k], {
        kernel_shape: geo.kernel,
        strides: geo.strides,
        dilations: geo.dilations,
        pads: geo.pads,
        group: c,
        output_padding: adjointOutputPadding(geo, xDims, yDims),
      }),
    ];
  },
  GlobalAveragePool: (ctx, node, [dy]) => {
    const xDims = ctx.info(input(node, 0)).dims;
    const scaled = ctx.b.op('Mul', [dy!, ctx.b.scalar(1 / numel(xDims.slice(2)))]);
    return [ctx.b.op('Expand', [scaled, ctx.b.int64Const('shape', xDims)])];
  },
};

const resizeOps: Record<string, GradRule> = {
  Resize: (ctx, node, [dy]) => {
    const mode = getStringAttribute(node, 'mode', 'nearest');
    if (mode !== 'linear') unsupported(node, `Resize mode "${mode}" (only "linear" is differentiable here)`);
    if (getIntAttribute(node, 'antialias', 0) !== 0) unsupported(node, 'Resize with antialias=1');
    const coord = getStringAttribute(node, 'coordinate_transformation_mode', 'half_pixel') as CoordinateMode;
    const xDims = ctx.info(input(node, 0)).dims;
    const yDims = ctx.info(node.output![0]!).dims;
    const r = xDims.length;
    if (r !== 4 && r !== 3) unsupported(node, `Resize of a rank-${r} tensor (only 3-D and 4-D)`);
    for (let i = 0; i < r - (r - 2); i++)
      if (xDims[i] !== yDims[i]) unsupported(node, 'Resize along the batch or channel axis');
    const scalesName = input(node, 2);
    const scales = input(node, 3) ? undefined : scalesName ? ctx.constant(scalesName)?.values : undefined;
    const spatial = xDims.slice(2).map((inSize, i) => {
      const outSize = yDims[i + 2]!;
      const scale = scales ? scales[i + 2]! : outSize / inSize;
      try {
        return { inSize, outSize, a: linearResizeMatrix(inSize, outSize, scale, coord) };
      } catch (cause) {
        unsupported(node, (cause as Error).message);
      }
    });
    const b = ctx.b;
    let g = dy!;
    if (r === 3) {
      const w = spatial[0]!;
      return [b.op('MatMul', [g, b.floatConst('resizeA', [w.outSize, w.inSize], w.a)], {}, 'dX')];
    }
    const [h, w] = [spatial[0]!, spatial[1]!];
    // dX = A_hᵀ · dY · A_w, multiplied in the cheaper order.
    const costWFirst = h.outSize * w.outSize * w.inSize + h.inSize * h.outSize * w.inSize;
    const costHFirst = h.inSize * h.outSize * w.outSize + h.inSize * w.outSize * w.inSize;
    const aw = () =>
      w.outSize === w.inSize && isIdentity(w.a, w.inSize)
        ? undefined
        : b.floatConst('resizeAw', [w.outSize, w.inSize], w.a);
    const ahT = () =>
      h.outSize === h.inSize && isIdentity(h.a, h.inSize)
        ? undefined
        : b.floatConst('resizeAhT', [h.inSize, h.outSize], transpose(h.a, h.outSize, h.inSize));
    const alongW = (t: string) => {
      const m = aw();
      return m ? b.op('MatMul', [t, m]) : t;
    };
    const alongH = (t: string) => {
      const m = ahT();
      return m ? b.op('MatMul', [m, t]) : t;
    };
    g = costWFirst <= costHFirst ? alongH(alongW(g)) : alongW(alongH(g));
    return [g];
  },
};

function isIdentity(a: Float32Array, n: number): boolean {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) if (a[i * n + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

const matmulOps: Record<string, GradRule> = {
  MatMul: (ctx, node, [dy], need) => {
    const a = input(node, 0);
    const bName = input(node, 1);
    const aDims = ctx.info(a).dims;
    const bDims = ctx.info(bName).dims;
    if (aDims.length < 2 || bDims.length < 2) unsupported(node, 'MatMul with 1-D operands');
    const yDims = ctx.info(node.output![0]!).dims;
    const tr = (name: string, rank: number) =>
      ctx.b.op('Transpose', [name], {
        perm: [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2],
      });
    const out: (string | undefined)[] = [undefined, undefined];
    if (need[0]) {
      const g = ctx.b.op('MatMul', [dy!, tr(bName, bDims.length)]);
      out[0] = reduceTo(
        ctx,
        g,
        [...yDims.slice(0, -2), aDims[aDims.length - 2]!, aDims[aDims.length - 1]!],
        aDims,
      );
    }
    if (need[1]) {
      const g = ctx.b.op('MatMul', [tr(a, aDims.length), dy!]);
      out[1] = reduceTo(
        ctx,
        g,
        [...yDims.slice(0, -2), bDims[bDims.length - 2]!, bDims[bDims.length - 1]!],
        bDims,
      );
    }
    return out;
  },
};

export const GRADIENT_RULES: Readonly<Record<string, GradRule>> = {
  ...elementwise,
  ...binary,
  ...shapeOps,
  ...convOps,
  ...poolOps,
  ...resizeOps,
  ...matmulOps,
};
