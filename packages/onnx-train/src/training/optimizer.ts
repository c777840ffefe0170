/**
 * Optimizer updates written as ONNX nodes. Parameters and optimizer state are graph inputs; the
 * updated values are graph outputs that the caller feeds back at the next step.
 *
 * SGD (PyTorch semantics): g' = g + wd·p (wd only on parameters of rank ≥ 2),
 *   v ← μ·v + g',  p ← p − lr·mult·v   (no momentum state when μ = 0).
 * Adam (PyTorch semantics, L2 weight decay as above): t ← t+1, m ← β1·m + (1−β1)·g',
 *   v ← β2·v + (1−β2)·g'², p ← p − lr·mult/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 */
import type { GraphBuilder } from './graph-builder';

export interface SgdOptions {
  kind: 'sgd';
  momentum?: number;
  weightDecay?: number;
}

export interface AdamOptions {
  kind: 'adam';
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

/** No update: the step graph outputs the loss and the gradients only. */
export interface NoOptimizer {
  kind: 'none';
}

export type OptimizerOptions = SgdOptions | AdamOptions | NoOptimizer;

export interface ParamUpdateSpec {
  name: string;
  dims: number[];
  grad: string;
  lrMult: number;
  weightDecay: number;
}

/** A state tensor: graph input name, graph output name (its next value), initial value. */
export interface StateSlot {
  input: string;
  output: string;
  dims: number[];
  init: number;
}

export interface ParamUpdate {
  name: string;
  /** Output carrying the updated parameter (absent for kind 'none'). */
  output?: string;
  state: StateSlot[];
}

export interface OptimizerGraph {
  params: ParamUpdate[];
  /** State shared by all parameters (Adam's step count). */
  globalState: StateSlot[];
}

export function buildOptimizer(
  b: GraphBuilder,
  opt: OptimizerOptions,
  lr: string,
  params: readonly ParamUpdateSpec[],
): OptimizerGraph {
  if (opt.kind === 'none')
    return { params: params.map((p) => ({ name: p.name, state: [] })), globalState: [] };
  const lrFor = new Map<number, string>();
  const scaledLr = (mult: number) => {
    let s = lrFor.get(mult);
    if (!s) {
      s = mult === 1 ? lr : b.op('Mul', [lr, b.scalar(mult, 'lr_mult')]);
      lrFor.set(mult, s);
    }
    return s;
  };
  const decayed = (p: ParamUpdateSpec) =>
    p.weightDecay > 0 ? b.op('Add', [p.grad, b.op('Mul', [p.name, b.scalar(p.weightDecay, 'wd')])]) : p.grad;

  if (opt.kind === 'sgd') {
    const mu = opt.momentum ?? 0.9;
    const muC = b.scalar(mu, 'momentum');
    return {
      globalState: [],
      params: params.map((p) => {
        const g = decayed(p);
        const output = b.fresh(`${p.name}__new`);
        if (mu === 0) {
          b.node('Sub', [p.name, b.op('Mul', [g, scaledLr(p.lrMult)])], [output]);
          return { name: p.name, output, state: [] };
        }
        const vIn = b.fresh(`${p.name}__momentum`);
        const vOut = b.fresh(`${p.name}__momentum__new`);
        b.node('Add', [b.op('Mul', [vIn, muC]), g], [vOut]);
        b.node('Sub', [p.name, b.op('Mul', [vOut, scaledLr(p.lrMult)])], [output]);
        return { name: p.name, output, state: [{ input: vIn, output: vOut, dims: p.dims, init: 0 }] };
      }),
    };
  }

  const beta1 = opt.beta1 ?? 0.9;
  const beta2 = opt.beta2 ?? 0.999;
  const eps = b.scalar(opt.epsilon ?? 1e-8, 'adam_eps');
  const b1 = b.scalar(beta1, 'adam_beta1');
  const b2 = b.scalar(beta2, 'adam_beta2');
  const c1 = b.scalar(1 - beta1, 'adam_1mbeta1');
  const c2 = b.scalar(1 - beta2, 'adam_1mbeta2');
  const one = b.scalar(1, 'adam_one');
  const tIn = b.fresh('adam_step');
  const tOut = b.fresh('adam_step__new');
  b.node('Add', [tIn, one], [tOut]);
  const bc1 = b.op('Sub', [one, b.op('Pow', [b1, tOut])], {}, 'adam_bc1');
  const sqrtBc2 = b.op('Sqrt', [b.op('Sub', [one, b.op('Pow', [b2, tOut])])], {}, 'adam_sqrt_bc2');
  const epsScaled = b.op('Mul', [eps, sqrtBc2], {}, 'adam_eps_scaled');
  const stepFor = new Map<number, string>();
  const stepSize = (mult: number) => {
    let s = stepFor.get(mult);
    if (!s) {
      s = b.op('Mul', [b.op('Div', [scaledLr(mult), bc1]), sqrtBc2], {}, 'adam_step_size');
      stepFor.set(mult, s);
    }
    return s;
  };
  return {
    globalState: [{ input: tIn, output: tOut, dims: [], init: 0 }],
    params: params.map((p) => {
      const g = decayed(p);
      const mIn = b.fresh(`${p.name}__adam_m`);
      const vIn = b.fresh(`${p.name}__adam_v`);
      const mOut = b.fresh(`${p.name}__adam_m__new`);
      const vOut = b.fresh(`${p.name}__adam_v__new`);
      const output = b.fresh(`${p.name}__new`);
      b.node('Add', [b.op('Mul', [mIn, b1]), b.op('Mul', [g, c1])], [mOut]);
      b.node('Add', [b.op('Mul', [vIn, b2]), b.op('Mul', [b.op('Mul', [g, g]), c2])], [vOut]);
      // m/(√v/√bc2 + ε) = √bc2 · m/(√v + ε·√bc2): the √bc2 factors go to scalars (one pass fewer).
      const denom = b.op('Add', [b.op('Sqrt', [vOut]), epsScaled]);
      b.node('Sub', [p.name, b.op('Mul', [b.op('Div', [mOut, denom]), stepSize(p.lrMult)])], [output]);
      return {
        name: p.name,
        output,
        state: [
          { input: mIn, output: mOut, dims: p.dims, init: 0 },
          { input: vIn, output: vOut, dims: p.dims, init: 0 },
        ],
      };
    }),
  };
}
