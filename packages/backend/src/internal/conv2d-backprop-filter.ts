/**
 * `Conv2DBackpropFilter` for the wasm backend, which does not ship it: the filter gradient of a 2-D
 * convolution written as another convolution, run by the wasm backend's own (XNNPACK) Conv2D kernel.
 *
 * With input x (N×H×W×Cᵢ, padded by (top, left)), output gradient dy (N×Hₒ×Wₒ×Cₒ) and stride s,
 *   dW[i, j, c, o] = Σ_{n, p, q} x[n, p·s + i − top, q·s + j − left, c] · dy[n, p, q, o].
 * Read with the batch axis N as the channel axis and the input channel c as the batch axis, this is a
 * stride-1 convolution of xᵀ = transpose(x, [3, 1, 2, 0]) (Cᵢ×H×W×N) with the "filter"
 * dyᵀ = transpose(dy, [1, 2, 0, 3]) (Hₒ×Wₒ×N×Cₒ) at dilation s, padded by (top, left): its output is
 * Cᵢ×kh'×kw'×Cₒ with kh' ≥ kh; the first kh×kw positions, transposed to kh×kw×Cᵢ×Cₒ, are dW.
 * (The same identity as TensorFlow's reference `conv2d_backprop_filter`; checked against the cpu kernel in
 * test/wasm-kernels.test.ts.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs, TensorInfo, WasmBackendLike } from './wasm-types.js';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Calls another kernel of the wasm backend by name (they are public through tf.getKernel). */
function callWasm(
  name: string,
  backend: WasmBackendLike,
  inputs: Record<string, TensorInfo>,
  attrs: object,
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`@sprout/backend: the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend: backend as never, attrs: attrs as never }) as TensorInfo;
}

export function conv2DBackpropFilterWasm(args: KernelArgs<Conv2DBackpropFilterAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const dy = inputs['dy']!;
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm, Sprout): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [kh, kw] = attrs.filterShape;
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const bottom = Math.max(0, (ho - 1) * sh + kh - h - top);
  const right = Math.max(0, (wo - 1) * sw + kw - w - left);
  const temps: TensorInfo[] = [];
  try {
    const xT = callWasm('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = callWasm('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    let conv = callWasm(
      'Conv2D',
      backend,
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dilations: [sh, sw],
        dataFormat: 'NHWC',
      },
    );
    temps.push(conv);
    if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
      conv = callWasm('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [-1, kh, kw, -1] });
      temps.push(conv);
    }
    return callWasm('Transpose', backend, { x: conv }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
