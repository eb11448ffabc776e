// The small MNIST CNN the kernel benchmarks time (conv 8 – pool – conv 16 – pool – dense 10, ReLU, softmax
// cross-entropy on 28×28×1 random images) as plain tfjs variables, shared by bench-kernels.ts and
// bench-cnn-profile.ts so that both time the same net.
import * as tf from '@tensorflow/tfjs';
import { conv2dBiasRelu } from '@sprout/native';

export interface SmallCnn {
  readonly vars: tf.Variable[];
  /**
   * The batch loss; `fusedOp` runs conv + bias + relu through @sprout/native's conv2dBiasRelu (one kernel
   * forward, one ReLU-mask pass backward) instead of tf.fused.conv2d (Conv2D, Add, Relu inside a tape).
   */
  readonly loss: (fusedOp?: boolean) => tf.Scalar;
  readonly dispose: () => void;
}

export function smallCnn(batch: number): SmallCnn {
  const vars = [
    tf.variable(tf.randomUniform([3, 3, 1, 8], -0.3, 0.3, 'float32', 30)),
    tf.variable(tf.zeros([8])),
    tf.variable(tf.randomUniform([3, 3, 8, 16], -0.1, 0.1, 'float32', 31)),
    tf.variable(tf.zeros([16])),
    tf.variable(tf.randomUniform([7 * 7 * 16, 10], -0.05, 0.05, 'float32', 32)),
    tf.variable(tf.zeros([10])),
  ];
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 33) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 34), 10);
  const loss = (fusedOp = false): tf.Scalar => {
    const convRelu = (h: tf.Tensor4D, filter: tf.Variable, bias: tf.Variable): tf.Tensor4D =>
      fusedOp
        ? conv2dBiasRelu({ x: h, filter: filter as tf.Tensor4D, bias, strides: 1, pad: 'same' })
        : tf.fused.conv2d({ x: h, filter: filter as tf.Tensor4D, strides: 1, pad: 'same', bias, activation: 'relu' });
    let h = tf.maxPool(convRelu(x, vars[0]!, vars[1]!), 2, 2, 'valid');
    h = tf.maxPool(convRelu(h, vars[2]!, vars[3]!), 2, 2, 'valid');
    const z = tf.fused.matMul({ a: tf.reshape(h, [batch, 7 * 7 * 16]), b: vars[4] as tf.Tensor2D, bias: vars[5]! });
    return tf.losses.softmaxCrossEntropy(labels, z) as tf.Scalar;
  };
  return { vars, loss, dispose: () => tf.dispose([...vars, x, labels]) };
}
