/**
 * `MaxPoolGrad` for the wasm backend, replacing the shipped kernel: tfjs-backend-wasm 4.22's MaxPoolGrad
 * loses gradient entries (found: x 1×4×4×1, pool 2, stride 2 drops the gradient of the top-right window's
 * maximum; wrong values also with 3 channels), so max-pooling nets would train wrongly on wasm.
 *
 * dx[n, r, t, c] = Σ over output positions (p, q) whose window's first maximum (row-major, as TensorFlow and
 * tfjs-backend-cpu choose it) is at (r, t): dy[n, p, q, c]. Padded positions never win.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs, TensorInfo } from './wasm-types.js';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGradWasm(args: KernelArgs<MaxPoolGradAttrs>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs['dy']!;
  const input = inputs['input']!;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad as never,
    attrs.dimRoundingMode,
  );
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: ch, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput([...input.shape], 'float32');
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const xv = backend.typedArrayFromHeap(input) as Float32Array;
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  for (let n = 0; n < nb; n++) {
    for (let p = 0; p < ho; p++) {
      const r0 = p * sh - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(h, r0 + fh);
      for (let q = 0; q < wo; q++) {
        const t0 = q * sw - left;
        const tMin = Math.max(0, t0);
        const tMax = Math.min(w, t0 + fw);
        const dyBase = ((n * ho + p) * wo + q) * ch;
        for (let c = 0; c < ch; c++) {
          let best = -Infinity;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let t = tMin; t < tMax; t++) {
              const k = ((n * h + r) * w + t) * ch + c;
              const v = xv[k]!;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) dx[at]! += dyv[dyBase + c]!;
        }
      }
    }
  }
  return out;
}
