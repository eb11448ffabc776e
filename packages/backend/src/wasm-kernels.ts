/**
 * The kernels Sprout supplies to the wasm backend so that every layer trains on it: tfjs-backend-wasm 4.22
 * lacks the filter gradient of conv2d, both gradients of depthwise conv2d and the gradient of gather
 * (UnsortedSegmentSum) (tensorflow/tfjs#8474, tensorflow/tfjs#8082), and
 * its convolutions with 'same' padding return zeros for some shapes (see internal/explicit-same-padding.ts),
 * and its MaxPoolGrad drops gradient entries (see internal/max-pool-grad.ts), and its Slice copies the whole
 * input for every slice (see internal/contiguous-slice.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasm } from './internal/conv2d-backprop-filter.js';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './internal/depthwise-backprop.js';
import { unsortedSegmentSumWasm } from './internal/unsorted-segment-sum.js';
import { maxPoolGradWasm } from './internal/max-pool-grad.js';
import { registerExplicitSamePadding } from './internal/explicit-same-padding.js';
import { registerContiguousSlice } from './internal/contiguous-slice.js';

/** Names of the kernels `registerWasmKernels` supplies when the wasm backend lacks them. */
export const WASM_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
] as const;

const implementations: Record<(typeof WASM_KERNELS)[number], tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm as unknown as tf.KernelFunc,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm as unknown as tf.KernelFunc,
  UnsortedSegmentSum: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
};

/** Shipped wasm kernels that Sprout replaces because they compute wrong values. */
export const REPLACED_WASM_KERNELS = ['MaxPoolGrad'] as const;

const replacements: Record<(typeof REPLACED_WASM_KERNELS)[number], tf.KernelFunc> = {
  MaxPoolGrad: maxPoolGradWasm as unknown as tf.KernelFunc,
};

/**
 * Registers Sprout's wasm kernels that are not registered yet and wraps the wasm convolutions so that 'same'
 * padding is passed explicitly (idempotent). Returns the names of the kernels it supplies or wraps. Call it
 * after importing @tensorflow/tfjs-backend-wasm and before the first convolution on wasm; `initBackend` does.
 */
export function registerWasmKernels(): readonly string[] {
  const supplied: string[] = [...registerExplicitSamePadding(), ...registerContiguousSlice()];
  for (const name of REPLACED_WASM_KERNELS) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing?.kernelFunc !== replacements[name]) {
      if (existing !== undefined) tf.unregisterKernel(name, 'wasm');
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: replacements[name] });
    }
    supplied.push(name);
  }
  for (const name of WASM_KERNELS) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing === undefined) {
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: implementations[name] });
      supplied.push(name);
    } else if (existing.kernelFunc === implementations[name]) {
      supplied.push(name);
    }
  }
  return supplied;
}
