// Every layer type Sprout trains has the same gradients on wasm (with Sprout's kernels) as on cpu.
// Each case differentiates L = Σ y ⊙ r (r a fixed random tensor) with respect to every input of the layer.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../src/index.js';
import { expectClose, on, randomTensor } from './helpers.js';

beforeAll(async () => {
  expect(E.isRight(await initBackend('wasm'))).toBe(true);
});

const gelu = (z: tf.Tensor) => tf.mul(z, tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, Math.SQRT2)))));

type Layer = (...xs: tf.Tensor[]) => tf.Tensor;
const layers: Record<string, { shapes: number[][]; f: Layer }> = {
  'dense (fused matMul, bias, relu)': {
    shapes: [[4, 6], [6, 5], [5]],
    f: (x, w, b) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'relu' }),
  },
  'dense (fused matMul, bias, sigmoid)': {
    shapes: [[4, 6], [6, 5], [5]],
    f: (x, w, b) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b, activation: 'sigmoid' }),
  },
  'conv2d (fused, bias, relu, stride 2, same)': {
    shapes: [[2, 7, 6, 3], [3, 3, 3, 4], [4]],
    f: (x, w, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 2,
        pad: 'same',
        bias: b,
        activation: 'relu',
      }),
  },
  'conv2d (fused, bias, linear, stride 1, valid)': {
    shapes: [[2, 7, 6, 3], [3, 2, 3, 4], [4]],
    f: (x, w, b) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'valid', bias: b }),
  },
  'depthwise conv2d (fused, bias, stride 2, same)': {
    shapes: [[2, 6, 6, 3], [3, 3, 3, 2], [6]],
    f: (x, w, b) =>
      tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b }),
  },
  'max pool 2/2': { shapes: [[2, 6, 5, 3]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  'max pool 2/2, one channel': { shapes: [[1, 4, 4, 1]], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  'max pool 3/2': { shapes: [[2, 7, 7, 2]], f: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'valid') },
  'max pool 1/2 (stride larger than the window)': {
    shapes: [[2, 6, 5, 2]],
    f: (x) => tf.maxPool(x as tf.Tensor4D, 1, 2, 'valid'),
  },
  'avg pool 1/2 (stride larger than the window)': {
    shapes: [[2, 6, 5, 2]],
    f: (x) => tf.avgPool(x as tf.Tensor4D, 1, 2, 'valid'),
  },
  'avg pool 3/2': { shapes: [[2, 7, 6, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'valid') },
  'avg pool 2/2': { shapes: [[2, 6, 5, 3]], f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  'avg pool 3/1': { shapes: [[2, 5, 6, 2]], f: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'valid') },
  'batchnorm (batch statistics, 4-D)': {
    shapes: [[3, 4, 4, 2], [2], [2]],
    f: (x, gamma, beta) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, m.mean, m.variance, beta, tf.add(gamma, 1.5), 1e-5);
    },
  },
  'batchnorm (batch statistics, 2-D)': {
    shapes: [[5, 3], [3], [3]],
    f: (x, gamma, beta) => {
      const m = tf.moments(x, [0]);
      return tf.batchNorm(x, m.mean, m.variance, beta, gamma, 1e-5);
    },
  },
  'batchnorm (moving statistics)': {
    shapes: [[5, 3], [3], [3], [3], [3]],
    f: (x, gamma, beta, mean, v) => tf.batchNorm(x, mean, tf.add(tf.square(v), 0.5), beta, gamma, 1e-5),
  },
  relu: { shapes: [[4, 7]], f: (x) => tf.relu(x) },
  tanh: { shapes: [[4, 7]], f: (x) => tf.tanh(x) },
  sigmoid: { shapes: [[4, 7]], f: (x) => tf.sigmoid(x) },
  gelu: { shapes: [[4, 7]], f: gelu },
  softmax: { shapes: [[4, 7]], f: (x) => tf.softmax(x) },
  'softmax cross-entropy': {
    shapes: [[4, 7]],
    f: (x) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 6, 2], 'int32'), 7), x),
  },
  'residual (x + conv(x))': {
    shapes: [
      [2, 5, 5, 3],
      [3, 3, 3, 3],
    ],
    f: (x, w) => tf.add(x, tf.tanh(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'))),
  },
  flatten: { shapes: [[2, 3, 3, 2]], f: (x) => tf.reshape(x, [2, -1]) },
  // The bench's small MNIST CNN at a size where the native kernels run (conv, bias add, relu and its gradient,
  // max pool and its gradient, the bias sums): every parameter's gradient through all the layers at once.
  'small CNN (conv 8 relu, max pool, conv 16 relu, max pool, flatten, dense 10, softmax cross-entropy)': {
    shapes: [[4, 28, 28, 1], [3, 3, 1, 8], [8], [3, 3, 8, 16], [16], [784, 10], [10]],
    f: (x, w1, b1, w2, b2, w3, b3) => {
      let h = tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w1 as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: b1,
        activation: 'relu',
      });
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.fused.conv2d({ x: h, filter: w2 as tf.Tensor4D, strides: 1, pad: 'same', bias: b2, activation: 'relu' });
      h = tf.maxPool(h, 2, 2, 'valid');
      const z = tf.fused.matMul({ a: tf.reshape(h, [4, 784]) as tf.Tensor2D, b: w3 as tf.Tensor2D, bias: b3 });
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 9, 2], 'int32'), 10), z);
    },
  },
};

describe('layer gradients on wasm equal cpu', () => {
  it.each(Object.keys(layers))('%s', async (name) => {
    const { shapes, f } = layers[name]!;
    const run = () => {
      const xs = shapes.map((s, k) => randomTensor(s, 10 + k));
      const y = f(...xs);
      const r = randomTensor(y.shape, 99);
      const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), r)))(xs);
      return [y, ...grads];
    };
    const wasm = await on('wasm', run);
    const cpu = await on('cpu', run);
    expectClose(wasm, cpu, 1e-4, 1e-5);
  });
});
