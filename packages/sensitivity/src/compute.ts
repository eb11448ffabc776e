/**
 * The sensitivity pass of SensLI (ALGORITHMS.md §3, arXiv 2311.15995): insert every candidate's virtual
 * layer at once (all are exact identities, so the network function is unchanged), run one pass over the
 * training data in batches with no optimizer step, accumulate each virtual weight's gradient on the tfjs
 * side, and read back once at the end. The sensitivity of position p is
 *     s_p = ‖(1/B) Σ_b ∂J_b/∂W_{v,p}‖²,
 * the squared norm of the epoch-averaged gradient (B batches, J_b the batch-mean loss; not the mean of
 * per-batch norms) of the virtual weight (dense, conv: W; ResNet block: W₂ only; biases ignored) [code].
 * Optionally the same pass scores the existing layers' kernels with the same norm (for the `threshold`
 * rule): conv kernels for a CNN (as the reference), every dense kernel (output included) otherwise [design].
 * Three computations of the same gradients: dense/residual nets with a spec loss on the host net without
 * an extended net (internal/host-pass.ts), conv+ReLU stacks from one pass through the original net
 * (internal/cnn-pass.ts), and the gradient tape through the materialised extended net for everything else.
 */
import * as tf from '@tensorflow/tfjs-core';
// For its side effect: the entry of tfjs-layers registers the gradient of every kernel (tfjs-core's own entry
// does not), which tf.grad and variableGrads need.
import '@tensorflow/tfjs-layers';
import * as E from 'fp-ts/lib/Either.js';
import type { Loss, SensitivityNorm } from '@sprout/spec';
import { forward, inferShapes, layerKey, type HostNet, type Net } from '@sprout/model';
import {
  candidatePositions,
  disposeAdded,
  insertVirtualLayers,
  virtualLayer,
  type Architecture,
  type Position,
  type ResidualInit,
} from '@sprout/growth';
import type { SensitivityError } from './SensitivityError.js';
import { lossFunction, type LossFn } from './loss.js';
import { gradientScore, type WeightGradient } from './norms.js';
import { layerMetrics, type MetricTarget } from './internal/metric-stats.js';
import { isPermutation, layerAt } from './internal/layers.js';
import { cnnBatchGradients } from './internal/cnn-pass.js';
import { hostExamples, hostMeanGradients, type HostExamples } from './internal/host-pass.js';

/** Training examples: inputs with the batch axis first and their labels (int32 [N] or one-hot [N, C]). */
export interface TrainingData {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  /**
   * The same examples as host arrays (inputs row-major, integer labels), when the caller has them: the
   * host pass of dense/residual nets then reads them instead of copying `x` and `y` off the backend.
   */
  readonly host?: HostExamples;
}

export interface SensitivityOptions {
  /** How gradients are compared. @default { _tag: 'fro' } */
  readonly norm?: SensitivityNorm;
  /** The loss J: a spec loss or a function of (output, labels). @default 'cross_entropy' */
  readonly loss?: Loss | LossFn;
  /** Examples per batch; `'full'` is one batch of all examples. @default 'full' */
  readonly batchSize?: number | 'full';
  /** The order in which examples are batched (a permutation of 0..N−1), e.g. the epoch's shuffle. @default 0..N−1 */
  readonly order?: readonly number[];
  /** Also score the existing layers' kernels with the same norm (needed by the `threshold` rule). @default false */
  readonly existing?: boolean;
  /** Forward pass in training mode (dropout on, batch-norm batch statistics, no state update). @default false */
  readonly training?: boolean;
  /** Seed of the dropout masks in training mode. @default 0 */
  readonly seed?: number;
  /** Scale c of the virtual ResNet block's W₁ = c I. @default 0.8 */
  readonly residualScale?: number;
  /** The virtual ResNet block's initialisation: the reference's first (`outer_zero`) or second (`inner_zero`). @default 'outer_zero' */
  readonly residualInit?: ResidualInit;
  /**
   * @sprout/model's host net of `net` with its current values, when the caller trains on one: the host
   * pass of dense/residual nets then computes on it (overwriting its gradient and scratch buffers) instead
   * of copying `net`, and runs the training step's warm code. Ignored when its loss or its parameter names
   * and sizes differ from the pass's (values are not compared), and by the other paths.
   */
  readonly hostNet?: HostNet;
}

/** The result of a sensitivity pass. */
export interface Sensitivities {
  readonly architecture: Architecture;
  readonly positions: readonly Position[];
  readonly norm: SensitivityNorm;
  /** s_p for p = 0..P−1. */
  readonly scores: readonly number[];
  /** The existing layers' kernel scores (names as in the original net); empty unless requested. */
  readonly existing: readonly { readonly name: string; readonly score: number }[];
  /** Mean of `existing` scores; undefined unless requested. */
  readonly existingMean: number | undefined;
  /** The epoch-averaged gradients of the virtual weights, by position. */
  readonly gradients: readonly WeightGradient[];
  readonly batches: number;
  readonly examples: number;
}

/** The batch boundaries [start, end) of `n` examples in batches of `size`. */
const bounds = (n: number, size: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
};

/**
 * Sensitivities of every candidate position of `net` over one pass of `data` (see the module comment).
 * `net` is not modified; its variables are only read. No tensor outlives the call.
 */
export function computeSensitivities(
  net: Net,
  data: TrainingData,
  options: SensitivityOptions = {},
): E.Either<SensitivityError, Sensitivities> {
  const candidates = candidatePositions(net);
  if (E.isLeft(candidates)) return candidates;
  const { architecture, positions } = candidates.right;
  const norm = options.norm ?? { _tag: 'fro' };
  // With host arrays, `x` and `y` are read only by the paths that need tensors (they may be lazy).
  const exampleSize = net.input.reduce((a, b) => a * b, 1);
  const n = data.host !== undefined ? Math.floor(data.host.x.length / exampleSize) : data.x.shape[0]!;
  const labelCount = data.host !== undefined ? data.host.y.length : data.y.shape[0];
  if (n === 0 || labelCount !== n || (data.host !== undefined && data.host.x.length !== n * exampleSize)) {
    return E.left({
      _tag: 'empty-data',
      message: `sensitivities need examples with labels; got ${n} inputs and ${labelCount} labels`,
    });
  }
  if (options.order !== undefined && !isPermutation(options.order, n)) {
    return E.left({ _tag: 'invalid-order', message: `order must be a permutation of 0..${n - 1}` });
  }
  const size =
    options.batchSize === undefined || options.batchSize === 'full' ? n : Math.max(1, Math.floor(options.batchSize));
  const output = net.layers[net.layers.length - 1]!;
  const lossOpt = options.loss ?? 'cross_entropy';
  const J: LossFn =
    typeof lossOpt === 'function'
      ? lossOpt
      : lossFunction(lossOpt, output._tag === 'dense' ? output.activation : 'linear');
  const shapes = inferShapes(net.input, net.layers);
  if (E.isLeft(shapes)) return E.left({ _tag: 'invalid-network', message: shapes.left.message });

  const virtualOptions = {
    ...(options.residualScale === undefined ? {} : { residualScale: options.residualScale }),
    ...(options.residualInit === undefined ? {} : { residualInit: options.residualInit }),
  };
  // The existing kernels to score (threshold rule), named as in the original net.
  const existingTargets: { variable: tf.Variable; grad: Omit<WeightGradient, 'values'> }[] = [];
  if (options.existing === true) {
    for (const p of net.params) {
      if (p.role !== 'kernel') continue;
      const layer = layerAt(net.layers, p.path);
      if (architecture === 'cnn' ? layer._tag !== 'conv' : layer._tag !== 'dense') continue;
      existingTargets.push({
        variable: p.variable,
        grad: {
          name: p.name,
          kind: layer._tag === 'conv' ? 'conv' : 'dense',
          shape: p.variable.shape,
          inputShape: shapes.right.get(layerKey(p.path))!.input,
        },
      });
    }
  }
  const batches = bounds(n, size);
  /** The result from the epoch-averaged gradients of the virtual weights and then the existing kernels, concatenated. */
  const finish = (
    flat: Float32Array,
    targets: readonly Omit<WeightGradient, 'values'>[],
    scoreAll: (gradients: WeightGradient[]) => E.Either<SensitivityError, number>[],
  ): E.Either<SensitivityError, Sensitivities> => {
    let offset = 0;
    const gradients: WeightGradient[] = targets.map((t) => {
      const len = t.shape.reduce((a, b) => a * b, 1);
      const values = flat.slice(offset, offset + len);
      offset += len;
      return { ...t, values };
    });
    if (!flat.every(Number.isFinite)) {
      return E.left({
        _tag: 'non-finite-sensitivity',
        message: 'a gradient of the sensitivity pass is NaN or infinite',
      });
    }
    const scored = scoreAll(gradients);
    const bad = scored.find(E.isLeft);
    if (bad !== undefined) return bad as E.Left<SensitivityError>;
    const scores = scored.map((s) => (s as E.Right<number>).right);
    const existing = gradients
      .slice(positions.length)
      .map((g, i) => ({ name: g.name, score: scores[positions.length + i]! }));
    return E.right({
      architecture,
      positions,
      norm,
      scores: scores.slice(0, positions.length),
      existing,
      existingMean:
        options.existing === true
          ? existing.reduce((a, b) => a + b.score, 0) / Math.max(1, existing.length)
          : undefined,
      gradients: gradients.slice(0, positions.length),
      batches: batches.length,
      examples: n,
    });
  };

  /** The virtual weights' targets, named as in the extended net: position i is inserted at top-level index at + i. */
  const virtualTargets = (): Omit<WeightGradient, 'values'>[] =>
    positions.map((pos, i) => {
      const v = virtualLayer(pos, virtualOptions);
      const weight = v.params.find((q) => q.suffix === v.weight)!;
      return {
        name: `${pos.at + i}.${v.weight}`,
        kind: pos.kind === 'conv' ? 'conv' : 'dense',
        shape: weight.shape,
        inputShape: pos.inputShape,
      };
    });
  const plainScores = (gradients: WeightGradient[]) => gradients.map((g) => gradientScore(norm, g));

  /**
   * (1/B) Σ_b of the gradients `batchGradients` gives for each batch (tensors the call owns, in target
   * order, of `shapes`), accumulated on the backend and read back once, concatenated.
   */
  const meanOverBatches = (
    shapes: readonly (readonly number[])[],
    batchGradients: (xb: tf.Tensor, yb: tf.Tensor, size: number) => E.Either<SensitivityError, readonly tf.Tensor[]>,
  ): E.Either<SensitivityError, Float32Array> => {
    const acc: tf.Tensor[] = shapes.map((shape) => tf.keep(tf.zeros([...shape])));
    try {
      for (const [s, e] of batches) {
        const owned = options.order !== undefined || s !== 0 || e !== n;
        const [xb, yb] = !owned
          ? [data.x, data.y]
          : tf.tidy(() => {
              if (options.order === undefined) return [tf.slice(data.x, s, e - s), tf.slice(data.y, s, e - s)];
              const idx = tf.tensor1d(options.order.slice(s, e) as number[], 'int32');
              return [tf.gather(data.x, idx), tf.gather(data.y, idx)];
            });
        try {
          const r = batchGradients(xb, yb, e - s);
          if (E.isLeft(r)) return r;
          tf.tidy(() =>
            r.right.forEach((g, i) => {
              const next = tf.keep(tf.add(acc[i]!, g));
              acc[i]!.dispose();
              acc[i] = next;
            }),
          );
          tf.dispose([...r.right]);
        } finally {
          if (owned) tf.dispose([xb, yb]);
        }
      }
      const mean = tf.tidy(() => tf.div(tf.concat(acc.map((a) => tf.reshape(a, [-1]))), batches.length));
      const flat = mean.dataSync() as Float32Array;
      mean.dispose();
      return E.right(flat);
    } finally {
      tf.dispose(acc);
    }
  };

  // Dense/residual nets with a spec loss and a norm of the gradient alone: the direct host pass
  // (internal/host-pass.ts), with no extended net.
  if (architecture !== 'cnn' && norm._tag !== 'metric' && typeof lossOpt !== 'function' && options.training !== true) {
    const flat = hostMeanGradients(
      net,
      positions,
      existingTargets.map((t) => t.grad.name),
      lossOpt,
      () => data.host ?? hostExamples(data.x, data.y),
      batches,
      options.order,
      virtualOptions,
      options.hostNet,
    );
    if (flat !== undefined)
      return finish(flat, [...virtualTargets(), ...existingTargets.map((t) => t.grad)], plainScores);
  }

  // Conv+ReLU stacks with a norm of the gradient alone: the virtual layers' gradients from one pass through
  // the original net (internal/cnn-pass.ts), with no extended net.
  if (architecture === 'cnn' && norm._tag !== 'metric') {
    const direct = cnnBatchGradients(
      net,
      positions,
      existingTargets.map((t) => t.grad.name),
      J,
      options.training ?? false,
    );
    if (direct !== undefined) {
      const targets = [...virtualTargets(), ...existingTargets.map((t) => t.grad)];
      const flat = meanOverBatches(
        targets.map((t) => t.shape),
        (xb, yb) => E.right(tf.tidy(() => direct(xb, yb))),
      );
      return E.isLeft(flat) ? flat : finish(flat.right, targets, plainScores);
    }
  }

  // Everything else: the gradient tape through the materialised extended net.
  const ext = insertVirtualLayers(net, positions, virtualOptions);
  try {
    const byName = new Map(ext.net.params.map((p) => [p.name, p]));
    // The weights whose gradients are accumulated: virtual weights first, then (optionally) existing kernels.
    const targets: { variable: tf.Variable; grad: Omit<WeightGradient, 'values'> }[] = positions.map((pos, i) => {
      const p = byName.get(ext.weights[i]!)!;
      return {
        variable: p.variable,
        grad: {
          name: p.name,
          kind: pos.kind === 'conv' ? 'conv' : 'dense',
          shape: p.variable.shape,
          inputShape: pos.inputShape,
        },
      };
    });
    targets.push(...existingTargets);
    const vars = targets.map((t) => t.variable);
    // Frobenius-type norms come from @sprout/inner-product; data-based Gram matrices are estimated from the
    // same pass (layer inputs and per-example output gradients of each scored weight's layer).
    const metrics =
      norm._tag === 'metric'
        ? layerMetrics(
            norm.metric,
            ext.net,
            targets.map((t): MetricTarget => ({ variable: t.variable })),
          )
        : undefined;
    if (metrics !== undefined && E.isLeft(metrics)) return metrics;
    const stats = metrics === undefined ? undefined : metrics.right;
    const fwd = { training: options.training ?? false, seed: options.seed ?? 0, updateState: false };
    try {
      const flat = meanOverBatches(
        vars.map((v) => v.shape),
        stats?.needsStatistics === true
          ? (xb, yb, size) => stats.batch(size, vars, (taps) => J(forward(ext.net, xb, { ...fwd, taps }), yb))
          : (xb, yb) =>
              E.right(
                tf.tidy(() => {
                  const { grads } = tf.variableGrads(() => J(forward(ext.net, xb, fwd), yb), vars);
                  return vars.map((v) => grads[v.name]!);
                }),
              ),
      );
      if (E.isLeft(flat)) return flat;
      return finish(
        flat.right,
        targets.map((t) => t.grad),
        (gradients) => (stats !== undefined ? stats.scores(gradients).map((v) => E.right(v)) : plainScores(gradients)),
      );
    } finally {
      stats?.dispose();
    }
  } finally {
    disposeAdded(ext.net, net);
  }
}
