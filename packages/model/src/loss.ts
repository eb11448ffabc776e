/**
 * Sprout's training losses on a batch of network outputs, as means over the batch (the definitions
 * @sprout/pipeline trains with, in packages/pipeline/src/internal/loss.ts; the two must stay identical):
 *  - cross-entropy on logits: −mean_b Σ_c t_bc log softmax(o_b)_c, with the numerically stable log-softmax
 *    o − logsumexp(o). When the output layer already applies a softmax, the outputs are probabilities and
 *    the loss is −mean_b Σ_c t_bc log max(p_bc, 1e-7).
 *  - MSE on one-hot targets: mean over batch and classes of (o − t)², as PyTorch's default `reduction='mean'`.
 * Targets t are one-hot rows built from integer labels [B] (int32), or given directly as a [B, C] float tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, Loss } from '@sprout/spec';

const PROB_FLOOR = 1e-7;

/** One-hot float32 targets [B, C] from integer labels [B]; a rank-2 `y` is taken as the targets themselves. */
export const oneHotTargets = (y: tf.Tensor, classes: number): tf.Tensor2D =>
  y.rank === 2
    ? (y as tf.Tensor2D)
    : // oneHot then cast: the wasm kernel of oneHot ignores a float32 `dtype` (writes integer bits).
      (tf.cast(tf.oneHot(y as tf.Tensor1D, classes), 'float32') as tf.Tensor2D);

/**
 * The batch-mean loss of `outputs` [B, C] against the labels `y` ([B] int32, or one-hot [B, C]), as a scalar;
 * `outputActivation` is the output layer's activation (softmax outputs are probabilities).
 */
export function batchLoss(loss: Loss, outputActivation: Activation, outputs: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const target = oneHotTargets(y, outputs.shape[1]!);
    if (loss === 'mse') return tf.mean(tf.square(tf.sub(outputs, target))) as tf.Scalar;
    const logp =
      outputActivation === 'softmax' ? tf.log(tf.clipByValue(outputs, PROB_FLOOR, 1)) : tf.logSoftmax(outputs);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1))) as tf.Scalar;
  });
}
