// relu(conv2d(x, W) + b) as one TensorFlow.js op with its own kernel and gradient, for training.
//
// tfjs' `tf.fused.conv2d` with a relu does not fuse inside a gradient tape: it runs Conv2D, Add and Relu
// (three passes over the output) and back-propagates through Relu (dy·step(x)) and Add (a sum for the
// bias). This op runs the native fused kernel forward (one pass, relu in the epilogue) and, backward,
// δ = dy ⊙ 1[y > 0] once (reluBackward, one native pass), then only the gradients the tape asks for:
//   ∂J/∂x = conv2dᵀ(δ; W) (Conv2DBackpropInput),  ∂J/∂W = Conv2DBackpropFilter(x, δ),  ∂J/∂b = Σ_{b,h,w} δ.
// Where the native kernels are not registered (no addon, another backend) it is `tf.fused.conv2d`.
import * as tf from '@tensorflow/tfjs-core';
import { reluBackward } from './relu-backward.js';

/** The kernel name of the fused forward pass (registered by `registerNativeKernels`). */
export const CONV_BIAS_RELU = 'SproutConv2DBiasRelu';

export interface ConvBiasReluArgs {
  readonly x: tf.Tensor4D;
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D | tf.Tensor;
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same';
}

/** relu(conv2d(x, filter, strides, pad) + bias), NHWC, float32; see the module comment. */
export function conv2dBiasRelu(a: ConvBiasReluArgs): tf.Tensor4D {
  const native =
    tf.getKernel(CONV_BIAS_RELU, tf.getBackend()) !== undefined &&
    a.x.dtype === 'float32' &&
    a.filter.dtype === 'float32' &&
    a.bias.dtype === 'float32' &&
    a.bias.size === a.filter.shape[3];
  if (!native)
    return tf.fused.conv2d({
      x: a.x,
      filter: a.filter,
      bias: a.bias,
      strides: a.strides,
      pad: a.pad,
      activation: 'relu',
    });
  return tf.engine().runKernel(CONV_BIAS_RELU, { x: a.x, filter: a.filter, bias: a.bias }, {
    strides: a.strides,
    pad: a.pad,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** The forward kernel: the backend's FusedConv2D (native where registered) with a relu epilogue. */
export const convBiasReluKernel: tf.KernelFunc = (args) => {
  const { x, filter, bias } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
  const { strides, pad } = args.attrs as unknown as { strides: number | [number, number]; pad: 'valid' | 'same' };
  const fused = tf.getKernel(tf.FusedConv2D, tf.getBackend())!;
  return fused.kernelFunc({
    inputs: { x, filter, bias },
    backend: args.backend,
    attrs: { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' } as unknown as tf.NamedAttrMap,
  });
};

/** The gradient: δ = dy ⊙ 1[y > 0] once, then each input's gradient on demand. */
export const convBiasReluGradient: tf.GradConfig = {
  kernelName: CONV_BIAS_RELU,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const { strides, pad } = attrs as unknown as { strides: number | [number, number]; pad: 'valid' | 'same' };
    // Computed here, not inside the per-input functions: tfjs runs each of those in a tidy of its own.
    const delta = reluBackward(dy as tf.Tensor, y) as tf.Tensor4D;
    return {
      x: () => tf.conv2dTranspose(delta, filter, x.shape, strides, pad),
      filter: () =>
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: delta }, {
          strides,
          pad,
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
          filterShape: filter.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      bias: () => tf.sum(delta, [0, 1, 2]),
    };
  },
};
