/**
 * A fix for the speed of tfjs-backend-wasm 4.22's `Slice`: it reads the WHOLE input out of the wasm heap
 * (`readSync` copies it) before copying the slice, so taking 1,000 rows of the 60,000 MNIST images cost
 * ~300 ms. Sprout wraps the kernel: a contiguous slice (a run of whole rows: what batching and chunked
 * evaluation take) copies just its range from a view on the heap; every other slice goes to the original.
 * test/wasm-kernels.test.ts compares against cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { rewrapWasmKernel } from './rewrap.js';
import type { KernelArgs, TensorInfo } from './wasm-types.js';

interface SliceAttrs {
  begin: number | number[];
  size: number | number[];
}

function wrap(original: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs<SliceAttrs>): TensorInfo => {
    const x = args.inputs['x']!;
    if (x.dtype === 'string') return original(args as never) as TensorInfo;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs.begin, args.attrs.size) as [
      number[],
      number[],
    ];
    if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return original(args as never) as TensorInfo;
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    const out = args.backend.makeOutput(size, x.dtype);
    // Views are taken after makeOutput: allocating may grow the heap and detach older views.
    const from = args.backend.typedArrayFromHeap(x);
    args.backend.typedArrayFromHeap(out).set(from.subarray(offset, offset + tf.util.sizeFromShape(size)));
    return out;
  }) as unknown as tf.KernelFunc;
}

/** Re-registers the wasm `Slice` kernel with the contiguous fast path (idempotent). */
export function registerContiguousSlice(): readonly string[] {
  return rewrapWasmKernel('Slice', wrap) ? ['Slice'] : [];
}
