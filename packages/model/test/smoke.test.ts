import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createNet, forward } from '../src/index.js';

describe('smoke', () => {
  it('builds and runs an MLP and a CNN', () => {
    const mlp = createNet({ input: [2], layers: [{ _tag: 'dense', units: 5, activation: 'relu', bias: true }], output: { units: 2, activation: 'linear' } }, { seed: 1 });
    const y = tf.tidy(() => forward(mlp, tf.ones([3, 2])));
    expect(y.shape).toEqual([3, 2]);
    const cnn = createNet({ input: [8, 8, 1], layers: [
      { _tag: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { _tag: 'batchnorm' },
      { _tag: 'pool', kind: 'max', size: 2, stride: 2 },
      { _tag: 'residual', body: [{ _tag: 'conv', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'gelu' }] },
      { _tag: 'flatten' }, { _tag: 'dropout', rate: 0.5 }],
      output: { units: 3, activation: 'softmax' } }, { seed: 1 });
    const z = tf.tidy(() => forward(cnn, tf.ones([2, 8, 8, 1]), { training: true, seed: 3 }));
    expect(z.shape).toEqual([2, 3]);
  });
});
