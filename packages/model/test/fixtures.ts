// Small networks covering every layer type and activation, and deterministic test inputs.
import * as tf from '@tensorflow/tfjs';
import type { Activation, Layer, Network } from '@sprout/spec';
import { batchLoss, forward, type LossAndGradientsOptions, type Net } from '../src/index.js';
import { testFloats } from '../../../test-support/values.mjs';

export const mlp = (activation: 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'linear' | 'softmax' = 'relu'): Network => ({
  input: [3],
  layers: [
    { _tag: 'dense', units: 5, activation, bias: true },
    { _tag: 'dense', units: 4, activation, bias: false },
  ],
  output: { units: 2, activation: 'linear' },
});

export const resnet: Network = {
  input: [2],
  layers: [
    { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
    {
      _tag: 'residual',
      body: [
        { _tag: 'dense', units: 3, activation: 'tanh', bias: true },
        { _tag: 'dense', units: 3, activation: 'linear', bias: true },
      ],
    },
    { _tag: 'batchnorm' },
    { _tag: 'dropout', rate: 0.3 },
  ],
  output: { units: 2, activation: 'softmax' },
};

export const cnn: Network = {
  input: [8, 7, 2],
  layers: [
    { _tag: 'conv', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    { _tag: 'batchnorm', activation: 'tanh' },
    { _tag: 'pool', kind: 'max', size: 2, stride: 2 },
    {
      _tag: 'residual',
      body: [{ _tag: 'conv', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'gelu' }],
    },
    { _tag: 'conv', filters: 4, kernel: 2, stride: 2, padding: 'valid', activation: 'sigmoid' },
    { _tag: 'pool', kind: 'avg', size: 1, stride: 1 },
    { _tag: 'flatten' },
    { _tag: 'dropout', rate: 0.5 },
    { _tag: 'dense', units: 6, activation: 'tanh', bias: true },
  ],
  output: { units: 3, activation: 'linear' },
};

/** Deterministic pseudo-random values in [-1, 1) as float32 (test-support/values.mjs). */
export const values = testFloats;

export function randomTensor(shape: readonly number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    [...shape],
  );
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? d : Infinity;
}

/** Output classes of `denseNet` and `leadingResidual`. */
export const CLASSES = 3;

/** Dense layers with and without bias, a residual block of them, and the output layer. */
export const denseNet = (activation: Activation, output: Activation): Network => ({
  input: [3],
  layers: [
    { _tag: 'dense', units: 4, activation, bias: true },
    {
      _tag: 'residual',
      body: [
        { _tag: 'dense', units: 5, activation, bias: true },
        { _tag: 'dense', units: 4, activation, bias: false },
      ],
    },
    { _tag: 'dropout', rate: 0 },
    { _tag: 'dense', units: 4, activation, bias: false },
  ],
  output: { units: CLASSES, activation: output },
});

/** A net starting with a residual block (its input gradient is not needed) and a bias-free output. */
export const leadingResidual = (activation: Activation): { input: number[]; layers: Layer[] } => ({
  input: [4],
  layers: [
    { _tag: 'residual', body: [{ _tag: 'dense', units: 4, activation, bias: true }] },
    { _tag: 'dense', units: CLASSES, activation: 'linear', bias: false },
  ],
});

/** The reference: loss and parameter gradients from the tape, written independently of the library's path. */
export function tape(
  net: Net,
  x: tf.Tensor,
  y: tf.Tensor,
  options: LossAndGradientsOptions,
): { loss: number; grads: Map<string, Float32Array> } {
  let result: { loss: number; grads: Map<string, Float32Array> } | undefined;
  tf.tidy(() => {
    const out = net.layers[net.layers.length - 1]!;
    const act: Activation = out._tag === 'dense' ? out.activation : 'linear';
    const r = tf.variableGrads(
      () =>
        batchLoss(
          options.loss,
          act,
          forward(net, x, { training: options.training ?? false, seed: options.seed ?? 0, updateState: false }),
          y,
        ),
      net.params.map((p) => p.variable),
    );
    const grads = new Map(net.params.map((p) => [p.name, r.grads[p.variable.name]!.dataSync() as Float32Array]));
    result = { loss: r.value.dataSync()[0]!, grads };
  });
  return result!;
}
