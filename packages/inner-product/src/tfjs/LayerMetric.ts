/**
 * The stateful, TensorFlow.js-side inner product of one layer: a spec `Metric` on a weight `Rⁿ → Rᵐ`,
 * with data-based Grams estimated from the layer's inputs `x` (B×n) and per-example output gradients
 * `δ` (B×m), per batch or as a moving average (ALGORITHMS.md §1):
 *   domain   dense `M_X = (E[x xᵀ] + εI)⁻¹`,   diagonal `M_X = diag(1 / (E[x²] + ε))`
 *   codomain dense `M_Y = E[δ δᵀ] + εI`,      diagonal `M_Y = diag(E[δ²] + ε)`
 * Moments are computed by tfjs ops; diagonal Grams stay on the tfjs side; dense Grams download the
 * moment once per refresh and are factored in Float64 by Cholesky (see TfGram.ts). Before the first
 * update a data Gram is the identity [design]. For conv layers `x` must be the input patches (P×n,
 * n = kh·kw·in); without them the data Grams of a conv layer stay the identity.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Gram as GramSpec, Metric } from '@sprout/spec';
import * as E from 'fp-ts/lib/Either.js';
import { gramFromSpec, scalarOf, validateGramSpec, type WeightShape, type Side } from '../from-metric.js';
import type { InnerProductError } from '../InnerProductError.js';
import type { GramMatrix } from '../Gram.js';
import { disposeTfGram, tfGramFromReference, tfScalarGram, type TfGram } from './TfGram.js';
import { tfBiasSpace, tfFrobeniusSpace, type TfFrobeniusSpace } from './tf-frobenius.js';

export interface LayerMetricOptions {
  /** Refresh a dense data Gram's Cholesky factorisation every k-th update (the moment is still updated every time). @default the Gram spec's `refreshEvery` (1) */
  readonly refreshEvery?: number;
  /** Lower bound of a diagonal data Gram's entries, guarding against ε = 0 on a dead unit. @default the Gram spec's `minDiagonal` (1e-12) */
  readonly minDiagonal?: number;
}

/** Statistics of one batch for a layer: inputs `x` (B×n) and per-example output gradients `δ_b = ∂J_b/∂y_b` (B×m). */
export interface LayerStatistics {
  readonly x?: tf.Tensor2D;
  readonly delta?: tf.Tensor2D;
}

export interface LayerMetric {
  readonly metric: Metric;
  readonly shape: WeightShape;
  /** Which sides are data-based, i.e. want `update` with `x` (domain) or `δ` (codomain). */
  readonly needsStatistics: { readonly domain: boolean; readonly codomain: boolean };
  /**
   * The current inner product of the kernel (tfjs layout n×m, or any shape with last axis m). Valid until the
   * next `update` or `dispose` (an update replaces, and disposes, the Gram tensors): fetch it again per step.
   */
  readonly kernel: () => TfFrobeniusSpace;
  /** The current inner product of the bias (shape [m]); valid until the next `update`, as `kernel`. */
  readonly bias: () => TfFrobeniusSpace;
  /** Feed one batch of statistics; data-based sides update their moments (and Grams). */
  readonly update: (stats: LayerStatistics) => E.Either<InnerProductError, void>;
  /** Release every tensor the metric holds. */
  readonly dispose: () => void;
}

interface SideState {
  gram: TfGram;
  moment: tf.Tensor | undefined;
  updates: number;
}

const makeSide = (spec: GramSpec, side: Side, dim: number): SideState => ({
  gram: tfScalarGram(dim, scalarOf(spec, side, dim) ?? 1),
  moment: undefined,
  updates: 0,
});

const updateSide = (
  state: SideState,
  spec: GramSpec,
  side: Side,
  dim: number,
  samples: tf.Tensor2D,
  options: LayerMetricOptions,
): E.Either<InnerProductError, void> => {
  if (spec._tag !== 'data') return E.right(undefined);
  if (samples.rank !== 2 || samples.shape[1] !== dim) {
    return E.left({
      _tag: 'invalid-metric',
      message: `${side} statistics of shape [${samples.shape}], expected [B, ${dim}]`,
    });
  }
  const b = samples.shape[0];
  if (b === 0) return E.right(undefined);
  const dense = spec.structure === 'dense';
  const next = tf.tidy(() => {
    const batch = dense ? tf.div(tf.matMul(samples, samples, true, false), b) : tf.mean(tf.square(samples), 0);
    if (spec.estimate === 'batch' || state.moment === undefined) return batch;
    return tf.add(tf.mul(state.moment, spec.decay), tf.mul(batch, 1 - spec.decay));
  });
  tf.dispose(state.moment);
  state.moment = next;
  state.updates += 1;
  if (!dense) {
    const [d, dInv] = tf.tidy(() => {
      const v = tf.maximum(tf.add(next, spec.damping), options.minDiagonal ?? spec.minDiagonal);
      return side === 'domain' ? [tf.reciprocal(v), v] : [v, tf.reciprocal(v)];
    }) as [tf.Tensor1D, tf.Tensor1D];
    disposeTfGram(state.gram);
    state.gram = { _tag: 'diagonal', dim, d, dInv };
    return E.right(undefined);
  }
  if ((state.updates - 1) % (options.refreshEvery ?? spec.refreshEvery) !== 0) return E.right(undefined);
  const values = next.dataSync();
  const moment = { rows: dim, cols: dim, data: Float64Array.from(values) };
  return E.map((g: GramMatrix): void => {
    disposeTfGram(state.gram);
    state.gram = tfGramFromReference(g);
  })(gramFromSpec(spec, side, dim, moment));
};

/**
 * The tfjs inner product of a layer weight for a spec `Metric`; `shape` is the weight as a map `Rⁿ → Rᵐ`
 * (dense: n = fan-in, m = units; conv: n = kh·kw·in, m = filters). See `layerShapeOf`.
 */
export const layerMetricFor = (
  metric: Metric,
  shape: WeightShape,
  options: LayerMetricOptions = {},
): E.Either<InnerProductError, LayerMetric> => {
  if (!(Number.isInteger(shape.n) && shape.n > 0 && Number.isInteger(shape.m) && shape.m > 0)) {
    return E.left({
      _tag: 'invalid-metric',
      message: `layer shape needs positive integer n, m; got n=${shape.n}, m=${shape.m}`,
    });
  }
  if (options.refreshEvery !== undefined && !(Number.isInteger(options.refreshEvery) && options.refreshEvery >= 1)) {
    return E.left({
      _tag: 'invalid-metric',
      message: `refreshEvery must be a positive integer, got ${options.refreshEvery}`,
    });
  }
  return E.flatMap(validateGramSpec(metric.domain), () =>
    E.map((): LayerMetric => {
      const x = makeSide(metric.domain, 'domain', shape.n);
      const y = makeSide(metric.codomain, 'codomain', shape.m);
      let cached: { gx: TfGram; gy: TfGram; kernel: TfFrobeniusSpace; bias: TfFrobeniusSpace } | undefined;
      const current = () => {
        if (cached === undefined || cached.gx !== x.gram || cached.gy !== y.gram) {
          cached = { gx: x.gram, gy: y.gram, kernel: tfFrobeniusSpace(x.gram, y.gram), bias: tfBiasSpace(y.gram) };
        }
        return cached;
      };
      const layer: LayerMetric = {
        metric,
        shape,
        needsStatistics: { domain: metric.domain._tag === 'data', codomain: metric.codomain._tag === 'data' },
        kernel: () => current().kernel,
        bias: () => current().bias,
        update: (stats) => {
          const rx =
            stats.x === undefined
              ? E.right(undefined)
              : updateSide(x, metric.domain, 'domain', shape.n, stats.x, options);
          if (E.isLeft(rx)) return rx;
          return stats.delta === undefined
            ? E.right(undefined)
            : updateSide(y, metric.codomain, 'codomain', shape.m, stats.delta, options);
        },
        dispose: () => {
          disposeTfGram(x.gram);
          disposeTfGram(y.gram);
          tf.dispose([x.moment, y.moment].filter((t): t is tf.Tensor => t !== undefined));
        },
      };
      return layer;
    })(validateGramSpec(metric.codomain)),
  );
};

/**
 * The map shape of a tfjs kernel: dense [n, m] → {n, m}; conv [kh, kw, in, out] → {n: kh·kw·in, m: out};
 * a bias [m] → {n: 1, m}.
 */
export const layerShapeOf = (tensorShape: readonly number[]): WeightShape => {
  const m = tensorShape[tensorShape.length - 1] ?? 1;
  const n = tensorShape.slice(0, -1).reduce((a, b) => a * b, 1);
  return { n, m };
};
