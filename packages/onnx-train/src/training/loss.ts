/**
 * The OSVOS class-balanced sigmoid cross-entropy (Caelles et al. 2017, Eq. 1) on logits, with its
 * gradient written in closed form (no autodiff through the loss).
 *
 *   CE_j  = max(x_j, 0) − x_j·y_j + log(1 + exp(−|x_j|))        (stable −log-likelihood)
 *   β     = Σ w·(1−y) / Σ w                                      (fraction of negatives)
 *   c_j   = β·y_j + (1−β)·(1−y_j)                                 (class balance)
 *   L     = λ · s · Σ_j w_j · c_j · CE_j,   s = 1 (sum) or 1/Σ w (mean)
 *   ∂L/∂x_j = λ · s · w_j · c_j · (σ(x_j) − y_j)
 *
 * w are optional per-pixel weights (0 = don't care), 1 when absent. `classBalance` γ in [0, 1]
 * softens the balance: c_j = β^γ·y_j + (1−β)^γ·(1−y_j); γ = 1 is Eq. 1, γ = 0 plain
 * cross-entropy (c_j = 1), γ = 0.5 weights the classes by the square root of the other's share.
 */
import type { GraphBuilder } from './graph-builder';

export type LossNormalization = 'sum' | 'mean';

export interface LossTerm {
  /** Logits tensor (forward graph). */
  logits: string;
  weight: number;
}

export interface LossGraph {
  /** Scalar total loss. */
  loss: string;
  /** Scalar loss of each term, same order as the terms. */
  termLosses: string[];
  /** Gradient of the total loss with respect to each term's logits. */
  seeds: Map<string, string>;
}

export function buildClassBalancedLoss(
  b: GraphBuilder,
  terms: readonly LossTerm[],
  label: string,
  labelDims: readonly number[],
  pixelWeight: string | undefined,
  normalization: LossNormalization,
  classBalance = 1,
): LossGraph {
  if (!(classBalance >= 0 && classBalance <= 1))
    throw new RangeError(`classBalance must be between 0 and 1, got ${classBalance}`);
  const one = b.scalar(1, 'loss_one');
  const eps = b.scalar(1e-12, 'loss_eps');
  const w = pixelWeight;
  const wy = w ? b.op('Mul', [w, label]) : label;
  const sumW = w
    ? b.op('ReduceSum', [w], { keepdims: 0 })
    : b.scalar(
        labelDims.reduce((a, c) => a * c, 1),
        'loss_count',
      );
  const sumPos = b.op('ReduceSum', [wy], { keepdims: 0 });
  const sumNeg = b.op('Sub', [sumW, sumPos]);
  const beta = b.op('Div', [sumNeg, b.op('Max', [sumW, eps])], {}, 'beta');
  // c = cNeg + y·(cPos − cNeg) with cPos = β^γ, cNeg = (1−β)^γ (both 1 when γ = 0), then
  // multiplied by the pixel weights and the normalisation. γ = 1 needs no Pow.
  const oneMinusBeta = b.op('Sub', [one, beta]);
  const pow = (base: string) => b.op('Pow', [base, b.scalar(classBalance, 'loss_gamma')]);
  const cPos = classBalance === 1 ? beta : pow(beta);
  const cNeg = classBalance === 1 ? oneMinusBeta : pow(oneMinusBeta);
  let cw = b.op('Add', [cNeg, b.op('Mul', [label, b.op('Sub', [cPos, cNeg])])]);
  if (w) cw = b.op('Mul', [cw, w]);
  if (normalization === 'mean') cw = b.op('Div', [cw, b.op('Max', [sumW, eps])]);

  const seeds = new Map<string, string>();
  const termLosses: string[] = [];
  for (const [i, term] of terms.entries()) {
    const x = term.logits;
    const ce = b.op(
      'Add',
      [
        b.op('Sub', [b.op('Relu', [x]), b.op('Mul', [x, label])]),
        b.op('Softplus', [b.op('Neg', [b.op('Abs', [x])])]),
      ],
      {},
      'ce',
    );
    const scaled = term.weight === 1 ? cw : b.op('Mul', [cw, b.scalar(term.weight, 'loss_weight')]);
    termLosses.push(b.op('ReduceSum', [b.op('Mul', [scaled, ce])], { keepdims: 0 }, `loss_term_${i}`));
    const g = b.op('Mul', [scaled, b.op('Sub', [b.op('Sigmoid', [x]), label])], {}, `grad/${x}`);
    const prev = seeds.get(x);
    seeds.set(x, prev ? b.op('Add', [prev, g]) : g);
  }
  const loss = termLosses.length === 1 ? termLosses[0]! : b.op('Sum', termLosses, {}, 'loss_sum');
  return { loss, termLosses, seeds };
}
