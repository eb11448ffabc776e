/**
 * The forward pass of a `Net`: a pure function of the parameters and the input, built from tf ops (no
 * tfl.LayersModel), so gradients with respect to the variables, the input and the probes of `Taps` all flow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBiasRelu } from '@sprout/native';
import type { Activation, Layer } from '@sprout/spec';
import type { Net, Param, Taps } from './Net.js';
import { layerKey } from './shapes.js';
import { seedFor } from '@sprout/data';

/**
 * Batch normalisation constants, PyTorch's defaults (`nn.BatchNorm2d`): ε = 1e-5 and moving averages
 * `m ← (1 − momentum) m + momentum · batch statistic` with momentum 0.1; the moving variance uses the
 * unbiased batch variance (n/(n−1)), the normalisation the biased one.
 */
export const BATCHNORM = { epsilon: 1e-5, momentum: 0.1 } as const;

export interface ForwardOptions {
  /** Training mode: dropout is applied and batch norm uses batch statistics. @default false */
  readonly training?: boolean;
  /** Seed of the dropout masks; pass a different one per step (e.g. seedFor(runSeed, `step.${k}`)). @default 0 */
  readonly seed?: number;
  /** Update batch-norm moving averages (only in training mode). @default true */
  readonly updateState?: boolean;
  /** Input recording and pre-activation probes (see Net.ts). @default none */
  readonly taps?: Taps;
}

/** `activation(z)` with tfjs ops; gelu is the exact one, x·Φ(x) = x(1 + erf(x/√2))/2, as tfl.layers' `gelu`. */
export function activate(z: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'gelu':
      return tf.mul(z, tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, Math.SQRT2)))));
    case 'linear':
      return z;
    case 'softmax':
      return tf.softmax(z);
  }
}

type Fusable = 'linear' | 'relu' | 'sigmoid';
const fusable = (a: Activation): a is Fusable => a === 'linear' || a === 'relu' || a === 'sigmoid';

/**
 * The output of `net` for the batch `x` (batch axis first): the last layer's output, logits when the output
 * activation is linear. Call it inside `tf.tidy` (or a gradient function); only the tapped inputs survive it.
 */
export function forward(net: Net, x: tf.Tensor, options: ForwardOptions = {}): tf.Tensor {
  const training = options.training ?? false;
  const seed = options.seed ?? 0;
  const updateState = options.updateState ?? true;
  const taps = options.taps;
  const byName = new Map<string, Param>();
  for (const p of net.params) byName.set(p.name, p);
  for (const p of net.state) byName.set(p.name, p);
  const v = (key: string, role: string): tf.Variable => {
    const p = byName.get(`${key}.${role}`);
    if (p === undefined)
      throw new Error(`forward: the net has no parameter ${key}.${role}; it was built for other layers`);
    return p.variable;
  };

  const layer = (h: tf.Tensor, l: Layer, path: readonly number[]): tf.Tensor => {
    const key = layerKey(path);
    switch (l._tag) {
      case 'dense':
      case 'conv': {
        if (taps?.inputs !== undefined) {
          taps.inputs.get(key)?.dispose();
          taps.inputs.set(key, tf.keep(tf.clone(h)));
        }
        const kernel = v(key, 'kernel');
        const bias = l._tag === 'conv' || l.bias ? v(key, 'bias') : undefined;
        const probe = taps?.probes?.get(key);
        const act = probe === undefined && fusable(l.activation) ? l.activation : 'linear';
        let z =
          l._tag === 'dense'
            ? tf.fused.matMul({ a: h as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: act })
            : act === 'relu' && bias !== undefined
              ? // @sprout/native's one-op conv + bias + relu (its own gradient: one ReLU mask, no Add/Relu
                // kernels in the tape); tf.fused.conv2d where the native kernels are not registered.
                conv2dBiasRelu({
                  x: h as tf.Tensor4D,
                  filter: kernel as tf.Tensor4D,
                  bias,
                  strides: l.stride,
                  pad: l.padding,
                })
              : tf.fused.conv2d({
                  x: h as tf.Tensor4D,
                  filter: kernel as tf.Tensor4D,
                  strides: l.stride,
                  pad: l.padding,
                  bias,
                  activation: act,
                });
        if (probe !== undefined) z = tf.add(z, probe);
        return act === l.activation ? z : activate(z, l.activation);
      }
      case 'pool':
        return l.kind === 'max'
          ? tf.maxPool(h as tf.Tensor4D, l.size, l.stride, 'valid')
          : tf.avgPool(h as tf.Tensor4D, l.size, l.stride, 'valid');
      case 'flatten':
        return tf.reshape(h, [h.shape[0]!, -1]);
      case 'residual':
        return tf.add(h, run(h, l.body, path));
      case 'dropout':
        return training && l.rate > 0 ? tf.dropout(h, l.rate, undefined, seedFor(seed, `${key}.dropout`)) : h;
      case 'batchnorm': {
        const gamma = v(key, 'gamma');
        const beta = v(key, 'beta');
        const mean = v(key, 'movingMean');
        const variance = v(key, 'movingVariance');
        const then = (z: tf.Tensor): tf.Tensor => (l.activation === undefined ? z : activate(z, l.activation));
        if (!training) return then(tf.batchNorm(h, mean, variance, beta, gamma, BATCHNORM.epsilon));
        const axes = h.shape.map((_, i) => i).slice(0, -1);
        const moments = tf.moments(h, axes);
        if (updateState) {
          const n = h.size / h.shape[h.shape.length - 1]!;
          const m = BATCHNORM.momentum;
          tf.tidy(() => {
            mean.assign(tf.add(tf.mul(1 - m, mean), tf.mul(m, moments.mean)));
            const unbiased = tf.mul(moments.variance, n > 1 ? n / (n - 1) : 1);
            variance.assign(tf.add(tf.mul(1 - m, variance), tf.mul(m, unbiased)));
          });
        }
        return then(tf.batchNorm(h, moments.mean, moments.variance, beta, gamma, BATCHNORM.epsilon));
      }
    }
  };
  const run = (h: tf.Tensor, list: readonly Layer[], prefix: readonly number[]): tf.Tensor => {
    let out = h;
    list.forEach((l, i) => {
      out = layer(out, l, [...prefix, i]);
    });
    return out;
  };
  return run(x, net.layers, []);
}
