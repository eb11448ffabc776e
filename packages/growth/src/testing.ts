// @sprout/growth/testing: tiny networks of the three architectures (FNN, ResNet, CNN) for tests of growth
// and of the packages built on it (real tfjs; no test framework needed).
import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '@sprout/spec';
import { createNetFromLayers, type Net } from '@sprout/model';

export const out = (units: number): Layer => ({ _tag: 'dense', units, activation: 'linear', bias: true });

export const fnn = (seed = 1): Net =>
  createNetFromLayers(
    [2],
    [
      { _tag: 'dense', units: 5, activation: 'relu', bias: true },
      { _tag: 'dense', units: 4, activation: 'relu', bias: true },
      out(2),
    ],
    { seed },
  );

export const resnet = (seed = 1): Net =>
  createNetFromLayers(
    [2],
    [
      { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
      {
        _tag: 'residual',
        body: [
          { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
          { _tag: 'dense', units: 3, activation: 'linear', bias: false },
        ],
      },
      out(2),
    ],
    { seed },
  );

/** A conv+ReLU stack; `pool: 'avg'` makes it smooth (max pooling is not differentiable at ties, which finite differences see). */
export const cnn = (seed = 1, pool: 'max' | 'avg' = 'max'): Net =>
  createNetFromLayers(
    [6, 6, 2],
    [
      { _tag: 'conv', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { _tag: 'pool', kind: pool, size: 2, stride: 2 },
      { _tag: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { _tag: 'flatten' },
      out(3),
    ],
    { seed },
  );

/** Inputs with entries N(0, scale²), deterministic. */
export const inputs = (net: Net, batch: number, seed = 7, scale = 2): tf.Tensor =>
  tf.randomNormal([batch, ...net.input], 0, scale, 'float32', seed);

export const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
