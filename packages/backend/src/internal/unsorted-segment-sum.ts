/**
 * `UnsortedSegmentSum` for the wasm backend, which does not ship it; it is the gradient of `tf.gather`
 * (embeddings, indexing a batch inside a differentiated function):
 *   out[s, …] = Σ_{i: segmentIds[i] = s} x[i, …],  for 0 ≤ s < numSegments (other ids are dropped, as in TF).
 */
import type { KernelArgs, TensorInfo } from './wasm-types.js';

export function unsortedSegmentSumWasm(args: KernelArgs<{ numSegments: number }>): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x']!;
  const ids = inputs['segmentIds']!;
  const rows = ids.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(ids.shape.length).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([attrs.numSegments, ...x.shape.slice(ids.shape.length)], x.dtype);
  const o = backend.typedArrayFromHeap(out);
  const xv = backend.typedArrayFromHeap(x);
  const iv = backend.typedArrayFromHeap(ids);
  o.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = iv[i]!;
    if (s < 0 || s >= attrs.numSegments) continue;
    const dst = s * inner;
    const src = i * inner;
    for (let j = 0; j < inner; j++) o[dst + j]! += xv[src + j]!;
  }
  return out;
}
