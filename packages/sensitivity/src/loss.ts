/**
 * Batch-mean losses of network outputs against labels, as the pipeline computes them: cross-entropy on
 * logits (−mean_b log softmax(z_b)[y_b]; on probabilities when the output layer applies softmax) and MSE
 * against one-hot targets (mean over batch and classes). Labels are int32 class indices [b] or one-hot [b, C].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, Loss } from '@sprout/spec';

/** A batch-mean loss J_b of the network output for a batch and its labels. */
export type LossFn = (output: tf.Tensor, labels: tf.Tensor) => tf.Scalar;

const PROB_FLOOR = 1e-7;

/** The loss function of a spec `Loss` for a net whose output layer has activation `outputActivation`. */
export function lossFunction(loss: Loss, outputActivation: Activation = 'linear'): LossFn {
  return (output, labels) =>
    tf.tidy(() => {
      const classes = output.shape[1]!;
      const target =
        labels.rank === 1
          ? tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32')
          : tf.cast(labels, 'float32');
      if (loss === 'mse') return tf.mean(tf.square(tf.sub(output, target))) as tf.Scalar;
      const logp =
        outputActivation === 'softmax' ? tf.log(tf.clipByValue(output, PROB_FLOOR, 1)) : tf.logSoftmax(output);
      return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1))) as tf.Scalar;
    });
}
