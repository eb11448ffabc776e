/**
 * A fix for tfjs-backend-wasm 4.22's convolutions with `pad: 'same'`: they hand XNNPACK its
 * "TensorFlow SAME padding" flag, and for some shapes (found: a 1-tap kernel axis with stride 2 over an even
 * input length, e.g. kernel 1×3, stride 2, input 6×9) the output is all zeros, silently. Sprout wraps the
 * wasm kernels `Conv2D`, `FusedConv2D`, `DepthwiseConv2dNative` and `FusedDepthwiseConv2D` so that 'same'
 * padding reaches them as the equivalent explicit padding (computed by tfjs' own computeConv2DInfo), which
 * the wasm kernels pass to XNNPACK as plain numbers. test/wasm-kernels.test.ts compares against cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { rewrapWasmKernel } from './rewrap.js';
import type { KernelArgs, TensorInfo } from './wasm-types.js';

const SAME_PADDING_KERNELS = ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'] as const;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function wrap(original: tf.KernelFunc, depthwise: boolean): tf.KernelFunc {
  return ((args: KernelArgs<ConvAttrs>): TensorInfo => {
    const { inputs, attrs } = args;
    if (attrs.pad !== 'same') return original(args as never) as TensorInfo;
    const x = inputs['x']!;
    const filter = inputs['filter']!;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations ?? 1,
      'same',
      attrs.dimRoundingMode,
      depthwise,
    );
    const { top, bottom, left, right } = info.padInfo;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    return original({ ...args, attrs: { ...attrs, pad } } as never) as TensorInfo;
  }) as unknown as tf.KernelFunc;
}

/** Re-registers the four wasm convolution kernels with explicit padding for 'same' (idempotent). */
export function registerExplicitSamePadding(): readonly string[] {
  return SAME_PADDING_KERNELS.filter((name) =>
    rewrapWasmKernel(name, (original) => wrap(original, name.includes('Depthwise'))),
  );
}
