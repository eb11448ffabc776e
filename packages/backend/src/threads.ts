// The compute threads of a run. The work that threads speed up runs in @sprout/native (OpenBLAS products,
// the addon's convolution, pooling and elementwise loops); TensorFlow.js' wasm and cpu kernels run on the
// calling thread whatever the count.
import { nativeThreads, setNativeThreads } from '@sprout/native';

/**
 * Sets how many threads the native kernels use (undefined: SPROUT_NATIVE_THREADS, else the core count) and
 * returns the count in effect: 1 when the native addon is unavailable.
 */
export function setComputeThreads(threads?: number): number {
  return setNativeThreads(threads);
}

/** The native kernels' thread count now (1 without the native addon). */
export function computeThreads(): number {
  return nativeThreads();
}
