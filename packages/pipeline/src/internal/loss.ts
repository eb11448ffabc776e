/**
 * Training losses on a batch of network outputs and integer labels, as means over the batch.
 *  - cross-entropy on logits: −mean_b log softmax(z_b)[y_b], with the numerically stable log-softmax
 *    z − logsumexp(z) (tf.logSoftmax subtracts the row maximum first). When the output layer already
 *    applies a softmax, the outputs are probabilities and the loss is −mean_b log max(p_b[y_b], 1e-7).
 *  - MSE on one-hot targets: mean over batch and classes of (o − onehot(y))², as PyTorch's default
 *    `reduction='mean'`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, Loss } from '@sprout/spec';

const PROB_FLOOR = 1e-7;

/** The batch-mean loss of `outputs` [b, C] against `labels` [b] (int32), as a scalar. */
export const batchLoss = (loss: Loss, outputActivation: Activation, outputs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar =>
  tf.tidy(() => {
    const classes = outputs.shape[1]!;
    // oneHot then cast: the wasm kernel of oneHot ignores a float32 `dtype` (writes integer bits).
    const target = tf.cast(tf.oneHot(labels, classes), 'float32');
    if (loss === 'mse') return tf.mean(tf.square(tf.sub(outputs, target))) as tf.Scalar;
    const logp =
      outputActivation === 'softmax' ? tf.log(tf.clipByValue(outputs, PROB_FLOOR, 1)) : tf.logSoftmax(outputs);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1))) as tf.Scalar;
  });

/** Number of examples whose output's argmax differs from the label, as a scalar. */
export const errorCount = (outputs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar =>
  tf.tidy(() => tf.sum(tf.cast(tf.notEqual(tf.argMax(outputs, 1), labels), 'float32')));
