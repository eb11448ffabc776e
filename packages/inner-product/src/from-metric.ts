/**
 * Build reference Gram matrices and inner-product spaces from the spec's `Metric` (ALGORITHMS.md §1):
 * euclidean/identity, scaled identity `cI`, width-scaled (`I/n` on the domain, `I/m` on the codomain),
 * and data-based Grams from second moments, with damping ε:
 *   domain   dense `M_X = (E[x xᵀ] + εI)⁻¹`,   diagonal `M_X = diag(1 / (E[x²] + ε))`
 *   codomain dense `M_Y = E[δ δᵀ] + εI`,      diagonal `M_Y = diag(E[δ²] + ε)`
 * The moments are estimated per batch or as an exponential moving average (`updateMoment`).
 * [design] A data Gram with no statistics yet is the identity.
 */
import type { Gram as GramSpec, Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import type { GramMatrix } from './Gram.js';
import type { InnerProductError } from './InnerProductError.js';
import type { Mat } from './Mat.js';
import { frobeniusSpace, type FrobeniusSpace } from './frobenius.js';
import { add, cholesky, identity, matmul, scale, transpose } from './linalg.js';

/** The weight of a layer as a map `Rⁿ → Rᵐ`: dense `n` = fan-in; conv `n = kh·kw·in`, `m = out`; bias `n = 1`. */
export interface WeightShape {
  readonly n: number;
  readonly m: number;
}

/** Second-moment statistics of a layer: `xx = E[x xᵀ]` (n×n) and `dd = E[δ δᵀ]` (m×m). */
export interface MomentStats {
  readonly xx?: Mat;
  readonly dd?: Mat;
}

export type Side = 'domain' | 'codomain';

/** `E[s sᵀ] = Sᵀ S / B` for the B×k sample matrix `S` (one sample per row). */
export const secondMoment = (samples: Mat): Mat =>
  scale(1 / Math.max(samples.rows, 1), matmul(transpose(samples), samples));

/**
 * One estimator update: `batch` returns the batch moment; `ema` returns `decay·prev + (1 − decay)·batch`
 * (the first batch initialises the average).
 */
export const updateMoment = (prev: Mat | undefined, samples: Mat, estimate: 'batch' | 'ema', decay: number): Mat => {
  const m = secondMoment(samples);
  return estimate === 'batch' || prev === undefined ? m : add(scale(decay, prev), scale(1 - decay, m));
};

const invalid = (message: string): E.Either<InnerProductError, never> => E.left({ _tag: 'invalid-metric', message });

/** Check the numbers of a Gram spec (shared by the reference and the tfjs instance). */
export const validateGramSpec = (spec: GramSpec): E.Either<InnerProductError, GramSpec> => {
  switch (spec._tag) {
    case 'identity':
    case 'width':
      return E.right(spec);
    case 'scaled':
      return spec.c > 0 && Number.isFinite(spec.c) ? E.right(spec) : invalid(`scaled Gram needs c > 0, got ${spec.c}`);
    case 'data':
      if (!(spec.damping >= 0) || !Number.isFinite(spec.damping))
        return invalid(`data Gram needs damping ε ≥ 0, got ${spec.damping}`);
      if (!(Number.isInteger(spec.refreshEvery) && spec.refreshEvery >= 1))
        return invalid(`data Gram needs a positive integer refreshEvery, got ${spec.refreshEvery}`);
      if (spec.estimate === 'ema' && !(spec.decay >= 0 && spec.decay < 1)) {
        return invalid(`ema estimate needs 0 ≤ decay < 1, got ${spec.decay}`);
      }
      return E.right(spec);
  }
};

/** The scalar `c` of `M = cI` for the non-data families, or undefined for `data`. */
export const scalarOf = (spec: GramSpec, side: Side, dim: number): number | undefined => {
  switch (spec._tag) {
    case 'identity':
      return 1;
    case 'scaled':
      return spec.c;
    case 'width':
      // I/n on the domain (n = fan-in), I/m on the codomain (m = fan-out); the dimension is the side's.
      return 1 / dim;
    case 'data':
      return undefined;
  }
};

/** The reference Gram of one side from its spec and (for `data`) the side's second moment. */
export const gramFromSpec = (
  spec: GramSpec,
  side: Side,
  dim: number,
  moment?: Mat,
): E.Either<InnerProductError, GramMatrix> =>
  E.flatMap(validateGramSpec(spec), (s): E.Either<InnerProductError, GramMatrix> => {
    const c = scalarOf(s, side, dim);
    if (c !== undefined) return E.right({ _tag: 'scalar', dim, c });
    if (s._tag !== 'data') throw new Error('gramFromSpec: unreachable');
    if (moment === undefined) return E.right({ _tag: 'scalar', dim, c: 1 });
    if (moment.rows !== dim || moment.cols !== dim) {
      return invalid(`${side} moment is ${moment.rows}×${moment.cols}, expected ${dim}×${dim}`);
    }
    if (s.structure === 'diagonal') {
      const d = new Float64Array(dim);
      for (let i = 0; i < dim; i++) {
        const v = moment.data[i * dim + i]! + s.damping;
        d[i] = side === 'domain' ? 1 / v : v;
      }
      if (!d.every((v) => v > 0 && Number.isFinite(v))) {
        return E.left({
          _tag: 'not-positive-definite',
          side,
          message: `diagonal ${side} Gram has a non-positive entry; raise the damping`,
        });
      }
      return E.right({ _tag: 'diagonal', dim, d });
    }
    const sMat = add(moment, identity(dim, s.damping));
    const chol = cholesky(sMat);
    if (chol === undefined) {
      return E.left({
        _tag: 'not-positive-definite',
        side,
        message: `E[··ᵀ] + εI on the ${side} is not positive definite; raise the damping`,
      });
    }
    return E.right({ _tag: 'dense', dim, s: sMat, chol, inverted: side === 'domain' });
  });

/** The reference inner-product space of a layer weight (m×n) for a spec `Metric`. */
export const frobeniusSpaceFor = (
  metric: Metric,
  shape: WeightShape,
  stats: MomentStats = {},
): E.Either<InnerProductError, FrobeniusSpace> => {
  if (!(Number.isInteger(shape.n) && shape.n > 0 && Number.isInteger(shape.m) && shape.m > 0)) {
    return invalid(`layer shape needs positive integer n, m; got n=${shape.n}, m=${shape.m}`);
  }
  return E.flatMap(gramFromSpec(metric.domain, 'domain', shape.n, stats.xx), (mx) =>
    E.map((my: GramMatrix) => frobeniusSpace(mx, my))(gramFromSpec(metric.codomain, 'codomain', shape.m, stats.dd)),
  );
};

/** The classical Frobenius product (`M_X = I`, `M_Y = I`). */
export const EUCLIDEAN: Metric = { _tag: 'frobenius', domain: { _tag: 'identity' }, codomain: { _tag: 'identity' } };
