/**
 * Input patches of a conv layer: the domain samples of a conv kernel seen as the linear map from patches
 * (n = kh·kw·in) to channels (m = out) (ALGORITHMS.md §1, [design]). A patch is flattened in the order of
 * the tfjs kernel reshaped to [kh·kw·in, out], i.e. index (i·kw + j)·in + c, so that
 * `matMul(patches, reshape(kernel, [n, m]))` equals the convolution's pre-activation output.
 * Computed with one conv2d by a one-hot filter (tfjs has no extractImagePatches).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ConvGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly padding: 'same' | 'valid';
}

/** Patches of `x` (B×h×w×in) as rows: shape [B·h'·w', kh·kw·in]. Runs in tf.tidy. */
export const extractPatches = (x: tf.Tensor4D, g: ConvGeometry): tf.Tensor2D =>
  tf.tidy(() => {
    const cin = x.shape[3];
    const n = g.kh * g.kw * cin;
    const eye = tf.reshape(tf.eye(n), [g.kh, g.kw, cin, n]) as tf.Tensor4D;
    const p = tf.conv2d(x, eye, g.stride, g.padding);
    return tf.reshape(p, [-1, n]) as tf.Tensor2D;
  });
