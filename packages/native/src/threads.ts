// How many threads the native kernels use: OpenBLAS's products and the addon's own loops (convolutions,
// pooling, large elementwise ops) share one count, set when the addon loads (defaultNativeThreads) and
// changed by setNativeThreads.
import { defaultNativeThreads, loadAddon, MAX_NATIVE_THREADS } from './addon.js';

/**
 * Sets the native kernels' thread count (clamped to [1, MAX_NATIVE_THREADS]; undefined: the default) and
 * returns the count in effect, or 1 when the addon is unavailable (the stock kernels then run on one thread).
 */
export function setNativeThreads(threads?: number): number {
  const load = loadAddon();
  if (!load.ok) return 1;
  const n =
    threads === undefined ? defaultNativeThreads() : Math.min(MAX_NATIVE_THREADS, Math.max(1, Math.floor(threads)));
  load.addon.setNumThreads(n);
  return load.addon.getNumThreads();
}

/** The native kernels' thread count now (1 when the addon is unavailable). */
export function nativeThreads(): number {
  const load = loadAddon();
  return load.ok ? load.addon.getNumThreads() : 1;
}
