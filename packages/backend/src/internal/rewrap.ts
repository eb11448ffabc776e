/**
 * Re-registering a stock wasm kernel with a Sprout wrapper around it (the fixes in explicit-same-padding.ts
 * and contiguous-slice.ts): the registered config is kept (setup and dispose functions too) with its kernel
 * function wrapped. Idempotent: a kernel function this module produced is not wrapped again.
 */
import * as tf from '@tensorflow/tfjs-core';

const wrapped = new WeakSet<tf.KernelFunc>();

/**
 * Wraps the wasm kernel `name` with `wrap(original)` unless it is already a wrapper from here; returns
 * whether the kernel is registered (false: nothing to wrap).
 */
export function rewrapWasmKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) return false;
  if (!wrapped.has(config.kernelFunc)) {
    const f = wrap(config.kernelFunc);
    wrapped.add(f);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc: f });
  }
  return true;
}
