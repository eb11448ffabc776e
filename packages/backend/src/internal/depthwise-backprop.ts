/**
 * `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which
 * does not ship them: direct loops over the wasm heap (no per-element closures), the same sums as
 * tfjs-backend-cpu's kernels.
 *
 * Depthwise convolution with channel multiplier M (filter kh×kw×C×M):
 *   y[n, p, q, c·M + m] = Σ_{i, j} x[n, p·s + i·d − top, q·s + j·d − left, c] · f[i, j, c, m].
 * Hence dF[i, j, c, m] = Σ_{n, p, q} x[n, p·s + i·d − top, q·s + j·d − left, c] · dy[n, p, q, c·M + m] and
 *       dx[n, r, t, c]  = Σ_{i, j, m, p, q: p·s + i·d − top = r, q·s + j·d − left = t} f[i, j, c, m] · dy[n, p, q, c·M + m].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs, TensorInfo } from './wasm-types.js';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface FilterAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

interface InputAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export function depthwiseBackpropFilterWasm(args: KernelArgs<FilterAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const dy = inputs['dy']!;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const [kh, kw, cin, mult] = attrs.filterShape;
  const { batchSize: nb, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const cout = cin * mult;
  const out = backend.makeOutput([kh, kw, cin, mult], 'float32');
  // Views are taken after makeOutput: allocating may grow (and move) the wasm heap.
  const dF = backend.typedArrayFromHeap(out) as Float32Array;
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  dF.fill(0);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const fBase = (i * kw + j) * cout;
      for (let n = 0; n < nb; n++) {
        for (let p = 0; p < ho; p++) {
          const r = p * sh + i * dh - top;
          if (r < 0 || r >= h) continue;
          for (let q = 0; q < wo; q++) {
            const t = q * sw + j * dw - left;
            if (t < 0 || t >= w) continue;
            const xBase = ((n * h + r) * w + t) * cin;
            const dyBase = ((n * ho + p) * wo + q) * cout;
            for (let c = 0; c < cin; c++) {
              const xval = xv[xBase + c]!;
              const o = c * mult;
              for (let m = 0; m < mult; m++) dF[fBase + o + m]! += xval * dyv[dyBase + o + m]!;
            }
          }
        }
      }
    }
  }
  return out;
}

export function depthwiseBackpropInputWasm(args: KernelArgs<InputAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs['dy']!;
  const filter = inputs['filter']!;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const [kh, kw, cin, mult] = filter.shape as [number, number, number, number];
  const { batchSize: nb, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const cout = cin * mult;
  const out = backend.makeOutput([...attrs.inputShape], 'float32');
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const fv = backend.typedArrayFromHeap(filter) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  for (let n = 0; n < nb; n++) {
    for (let p = 0; p < ho; p++) {
      for (let q = 0; q < wo; q++) {
        const dyBase = ((n * ho + p) * wo + q) * cout;
        for (let i = 0; i < kh; i++) {
          const r = p * sh + i * dh - top;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const t = q * sw + j * dw - left;
            if (t < 0 || t >= w) continue;
            const xBase = ((n * h + r) * w + t) * cin;
            const fBase = (i * kw + j) * cout;
            for (let c = 0; c < cin; c++) {
              const o = c * mult;
              let s = 0;
              for (let m = 0; m < mult; m++) s += fv[fBase + o + m]! * dyv[dyBase + o + m]!;
              dx[xBase + c]! += s;
            }
          }
        }
      }
    }
  }
  return out;
}
