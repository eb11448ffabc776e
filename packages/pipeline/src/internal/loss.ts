/**
 * Test-set error counting. The training losses themselves are @sprout/model's `batchLoss` (cross-entropy
 * on logits through a stable log-softmax, or on probabilities after a softmax output; MSE on one-hot
 * targets), the same definitions its closed-form gradients use.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Number of examples whose output's argmax differs from the label, as a scalar. */
export const errorCount = (outputs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar =>
  tf.tidy(() => tf.sum(tf.cast(tf.notEqual(tf.argMax(outputs, 1), labels), 'float32')));
