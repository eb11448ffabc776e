/**
 * The CNN reference's insertion with batch norm (ALGORITHMS.md §3; mathemml/SensLI,
 * sensitivity-based-LI-for-cnns/code/model_selection_oo.py: `_layer_successor` with `BN=True`): the chosen
 * virtual conv goes in as conv + BatchNorm + ReLU, i.e. a linear 3×3 conv (centre tap I, bias 0), then the
 * norm, then the ReLU (in Sprout's layers: `conv … linear`, `batchnorm relu`). The sensitivity pass is the
 * plain conv's (the reference's fully extended net has no norm in its virtual layers).
 *
 * How the norm starts:
 *   - `reference`: a fresh `nn.BatchNorm2d` as the reference builds it, γ = 1, β = 0, moving mean 0, moving
 *     variance 1. In inference mode the block maps h ≥ 0 to h/√(1 + ε) (the function changes by a relative
 *     5·10⁻⁶); in training mode it normalises each batch, so the function changes.
 *   - `preserve`: from the per-channel mean μ and (biased) variance σ² of the position's activations h over
 *     the training set: γ = √(σ² + ε), β = μ, moving mean μ, moving variance σ². In inference mode
 *     γ (h − μ)/√(σ² + ε) + β = h exactly (the function is unchanged); in training mode the same holds for a
 *     batch whose statistics are μ and σ² (the training set as one batch), and approximately for others.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCHNORM, forward, layerKey, type Net, type Param, type ParamRole } from '@sprout/model';
import type { Layer } from '@sprout/spec';
import type { Position } from './Position.js';
import { virtualLayer } from './virtual-layer.js';

/** How the batch norm of an inserted conv + BN + ReLU block starts (see the module comment). */
export type BatchnormInit =
  | { readonly _tag: 'reference' }
  | {
      readonly _tag: 'preserve';
      /** Per-channel mean of the activations at the position (e.g. from `activationMoments`). */
      readonly mean: ArrayLike<number>;
      /** Per-channel biased variance of the activations at the position. */
      readonly variance: ArrayLike<number>;
    };

interface Fresh {
  readonly role: ParamRole;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

const shifted = (p: Param, at: number): Param => {
  if (p.path[0]! < at) return p;
  const path = [p.path[0]! + 1, ...p.path.slice(1)];
  return { ...p, path, name: `${layerKey(path)}.${p.role}` };
};

/** `net` with `layer` inserted at top-level index `at`, its parameters and state made from the given values. */
function insertAt(net: Net, at: number, layer: Layer, params: readonly Fresh[], state: readonly Fresh[]): Net {
  const make = (f: Fresh, trainable: boolean): Param => ({
    name: `${layerKey([at])}.${f.role}`,
    path: [at],
    role: f.role,
    variable: tf.tidy(() => tf.variable(tf.tensor(f.values, [...f.shape], 'float32'), trainable)),
  });
  const place = (list: readonly Param[], fresh: readonly Fresh[], trainable: boolean): Param[] => {
    const moved = list.map((p) => shifted(p, at));
    return [
      ...moved.filter((p) => p.path[0]! < at),
      ...fresh.map((f) => make(f, trainable)),
      ...moved.filter((p) => p.path[0]! > at),
    ];
  };
  const layers = [...net.layers];
  layers.splice(at, 0, layer);
  return { input: net.input, layers, params: place(net.params, params, true), state: place(net.state, state, false) };
}

/**
 * The net with the conv + BN + ReLU block of conv position `position` inserted (two layers at `position.at`:
 * the linear identity conv, then `batchnorm relu`), the norm started by `init`. Shares `net`'s variables.
 */
export function insertConvBatchnorm(net: Net, position: Position, init: BatchnormInit): Net {
  if (position.kind !== 'conv')
    throw new Error(`insertConvBatchnorm: position ${position.index} is a ${position.kind} position, not a conv one`);
  const c = position.width;
  const v = virtualLayer(position);
  if (v.layer._tag !== 'conv') throw new Error('insertConvBatchnorm: the virtual layer of a conv position is a conv');
  const convParams = v.params.map((p) => ({ role: p.suffix as ParamRole, shape: p.shape, values: p.values }));
  const withConv = insertAt(net, position.at, { ...v.layer, activation: 'linear' }, convParams, []);
  const channels = (values: ArrayLike<number>, what: string): Float32Array => {
    if (values.length !== c) throw new Error(`insertConvBatchnorm: ${what} has ${values.length} channels, not ${c}`);
    return Float32Array.from(values);
  };
  const mean = init._tag === 'preserve' ? channels(init.mean, 'the mean') : new Float32Array(c);
  const variance = init._tag === 'preserve' ? channels(init.variance, 'the variance') : new Float32Array(c).fill(1);
  const gamma =
    init._tag === 'preserve'
      ? Float32Array.from(variance, (s) => Math.sqrt(Math.max(s, 0) + BATCHNORM.epsilon))
      : new Float32Array(c).fill(1);
  return insertAt(
    withConv,
    position.at + 1,
    { _tag: 'batchnorm', activation: 'relu' },
    [
      { role: 'gamma', shape: [c], values: gamma },
      { role: 'beta', shape: [c], values: Float32Array.from(mean) },
    ],
    [
      { role: 'movingMean', shape: [c], values: mean },
      { role: 'movingVariance', shape: [c], values: variance },
    ],
  );
}

/**
 * The per-channel mean and biased variance, over all examples and pixels of `x`, of the activations that
 * position `at` receives (the output of the layers before top-level index `at`, inference mode). Batches of
 * `batchSize` examples give their own centred moments, combined in float64 by Chan, Golub and LeVeque's
 * pairwise update (mean and sum of squared deviations), which does not lose the variance to cancellation.
 */
export function activationMoments(
  net: Net,
  at: number,
  x: tf.Tensor,
  batchSize = 256,
): { readonly mean: Float64Array; readonly variance: Float64Array } {
  const prefix: Net = { ...net, layers: net.layers.slice(0, at) };
  const n = x.shape[0]!;
  let mean: Float64Array | undefined;
  let m2: Float64Array | undefined;
  let count = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    let batchMean: Float32Array = new Float32Array(0);
    let batchVariance: Float32Array = new Float32Array(0);
    let per = 0;
    tf.tidy(() => {
      const h = forward(prefix, tf.slice(x, start, size));
      const flat = tf.reshape(h, [-1, h.shape[h.shape.length - 1]!]);
      const m = tf.moments(flat, 0);
      batchMean = m.mean.dataSync() as Float32Array;
      batchVariance = m.variance.dataSync() as Float32Array;
      per = flat.shape[0]!;
    });
    mean ??= new Float64Array(batchMean.length);
    m2 ??= new Float64Array(batchMean.length);
    const total = count + per;
    for (let k = 0; k < batchMean.length; k++) {
      const delta = batchMean[k]! - mean[k]!;
      mean[k] = mean[k]! + (delta * per) / total;
      m2[k] = m2[k]! + batchVariance[k]! * per + (delta * delta * count * per) / total;
    }
    count = total;
  }
  if (mean === undefined || m2 === undefined || count === 0)
    throw new Error('activationMoments: no examples to take statistics over');
  return { mean, variance: m2.map((s) => s / count) };
}
