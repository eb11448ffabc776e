/**
 * Frobenius-type norms of the sensitivity pass through @sprout/inner-product's tfjs instance
 * (ALGORITHMS.md §1: ‖R‖² = tr(Gᵀ M_Y⁻¹ G M_X)). Data-based Gram matrices are estimated from the pass itself
 * [design]: for each scored weight, its layer's inputs x (dense: B×n; conv: the input patches, B·H'·W' × k·k·c)
 * and per-example output gradients δ_b = ∂ℓ_b/∂z_b (B × the batch-mean probe gradient ∂J/∂z; conv: one row
 * per output location), fed to the metric batch by batch (`batch` estimate: the last batch's moments; `ema`:
 * the average over the pass).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { Layer, Metric } from '@sprout/spec';
import { inferShapes, layerKey, type Net, type Taps } from '@sprout/model';
import { layerMetricFor, layerShapeOf, type LayerMetric } from '@sprout/inner-product/tfjs';
import type { SensitivityError } from '../SensitivityError.js';
import type { WeightGradient } from '../norms.js';
import { layerAt } from './layers.js';

export interface MetricTarget {
  readonly variable: tf.Variable;
}

export interface MetricStats {
  readonly needsStatistics: boolean;
  /**
   * One forward+backward pass of `loss` (given the taps to pass to `forward`) for a batch of `b` examples:
   * feeds the layers' statistics to the metrics and returns the gradients of `vars` (the caller disposes them).
   * Must not be called inside tf.tidy (the metrics keep their moments).
   */
  readonly batch: (
    b: number,
    vars: readonly tf.Variable[],
    loss: (taps: Taps) => tf.Scalar,
  ) => E.Either<SensitivityError, tf.Tensor[]>;
  /** The squared dual norms of the averaged gradients (one read-back). */
  readonly scores: (gradients: readonly WeightGradient[]) => number[];
  readonly dispose: () => void;
}

/** Input patches of a conv layer as rows (tfjs kernel order k_h, k_w, in): a conv with a one-hot filter bank. */
const patches = (x: tf.Tensor4D, layer: Extract<Layer, { _tag: 'conv' }>): tf.Tensor2D =>
  tf.tidy(() => {
    const k = layer.kernel;
    const c = x.shape[3];
    const bank = new Float32Array(k * k * c * k * k * c);
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        for (let i = 0; i < c; i++) {
          const row = (a * k + b) * c + i;
          bank[row * k * k * c + row] = 1;
        }
    const filter = tf.tensor4d(bank, [k, k, c, k * k * c]);
    const p = tf.conv2d(x, filter, layer.stride, layer.padding);
    return tf.reshape(p, [-1, k * k * c]);
  });

/** One LayerMetric per scored weight of `net` (the extended net). */
export function layerMetrics(
  metric: Metric,
  net: Net,
  targets: readonly MetricTarget[],
): E.Either<SensitivityError, MetricStats> {
  const byVar = new Map(net.params.map((p) => [p.variable, p]));
  const shapes = inferShapes(net.input, net.layers);
  if (E.isLeft(shapes)) return E.left({ _tag: 'invalid-network', message: shapes.left.message });
  const made: LayerMetric[] = [];
  const info: { key: string; layer: Layer; out: readonly number[] }[] = [];
  for (const t of targets) {
    const p = byVar.get(t.variable)!;
    const m = layerMetricFor(metric, layerShapeOf(t.variable.shape));
    if (E.isLeft(m)) {
      made.forEach((x) => x.dispose());
      return E.left({ _tag: 'unsupported-norm', message: m.left.message });
    }
    made.push(m.right);
    const key = layerKey(p.path);
    info.push({ key, layer: layerAt(net.layers, p.path), out: shapes.right.get(key)!.output });
  }
  const needsStatistics = made.some((m) => m.needsStatistics.domain || m.needsStatistics.codomain);
  return E.right({
    needsStatistics,
    batch: (b, vars, loss) => {
      const inputs = new Map<string, tf.Tensor>();
      // tf.variable keeps its initial tensor alive unless that is disposed: create it inside tf.tidy.
      const probeVars = info.map((i) => tf.tidy(() => tf.variable(tf.zeros([b, ...i.out]), true)));
      const probes = new Map(info.map((i, k) => [i.key, probeVars[k]! as tf.Tensor]));
      try {
        const { weightGrads, xs, deltas } = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => loss({ inputs, probes }), [...vars, ...probeVars]);
          const xs = info.map((i) => {
            const x = inputs.get(i.key)!;
            return i.layer._tag === 'conv'
              ? patches(x as tf.Tensor4D, i.layer)
              : (tf.reshape(x, [b, -1]) as tf.Tensor2D);
          });
          // The probe gradient is ∂J/∂z with J the batch mean: × b gives the per-example δ_b = ∂ℓ_b/∂z_b.
          const deltas = info.map(
            (i, k) => tf.reshape(tf.mul(grads[probeVars[k]!.name]!, b), [-1, i.out[i.out.length - 1]!]) as tf.Tensor2D,
          );
          return { weightGrads: vars.map((v) => grads[v.name]!), xs, deltas };
        });
        try {
          for (let k = 0; k < made.length; k++) {
            const r = made[k]!.update({ x: xs[k]!, delta: deltas[k]! });
            if (E.isLeft(r)) {
              tf.dispose(weightGrads);
              return E.left({ _tag: 'unsupported-norm', message: r.left.message });
            }
          }
        } finally {
          tf.dispose([...xs, ...deltas]);
        }
        return E.right(weightGrads);
      } finally {
        tf.dispose(probeVars);
        tf.dispose([...inputs.values()]);
      }
    },
    scores: (gradients) => {
      const t = tf.tidy(() =>
        tf.stack(gradients.map((g, i) => made[i]!.kernel().dualNorm2(tf.tensor(g.values, [...g.shape])))),
      );
      const out = Array.from(t.dataSync());
      t.dispose();
      return out;
    },
    dispose: () => made.forEach((m) => m.dispose()),
  });
}
