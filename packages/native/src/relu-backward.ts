// The ReLU backward step δ = dy ⊙ 1[y > 0] (y = relu(x), or x itself: 1[x > 0] = 1[relu(x) > 0]) as one
// decision shared by Sprout's Relu gradient, conv2dBiasRelu's gradient and callers outside the package:
// the native one-pass kernel (SproutReluGrad) where it is registered for the current backend, else tfjs'
// own form dy · step(y) (tfjs-core's Relu gradient).
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD } from './kernels.js';

/**
 * dy ⊙ 1[y > 0] for the ReLU output (or input) `y` (NaN in `y` gives NaN, as tfjs' `step`): one native pass
 * where `registerNativeKernels` installed SproutReluGrad for the current backend and both are float32 of one
 * shape, else `dy · step(y)`.
 */
export function reluBackward(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const native =
    dy.dtype === 'float32' &&
    y.dtype === 'float32' &&
    tf.util.arraysEqual(dy.shape, y.shape) &&
    tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
  if (native) return tf.engine().runKernel(RELU_GRAD, { dy, x: y }) as tf.Tensor;
  return tf.tidy(() => tf.mul(dy, tf.cast(tf.step(y), 'float32')));
}
