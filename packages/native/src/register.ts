// Registering the native kernels with TensorFlow.js: for each chosen backend, the stock kernel of
// each overridden op is unregistered and kept as the fallback of the native one (same setup and
// dispose functions, so a backend initialised later still sets the stock kernel up); Sprout's own kernels
// (SproutReluGrad, SproutConv2DBiasRelu) are added, with no fallback. Idempotent; `unregisterNativeKernels`
// puts the stock kernels back and removes Sprout's.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { loadAddon, type NativeAddon } from './addon.js';
import {
  batchMatMulKernel,
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  conv2dKernel,
  fusedConv2dKernel,
  fusedMatMulKernel,
  maxPoolGradKernel,
  binaryKernel,
  unaryKernel,
  sumKernel,
  maxPoolKernel,
  reluGradKernel,
  RELU_GRAD,
  type KernelContext,
  type KernelTuning,
} from './kernels.js';
import { cpuStorage, wasmStorage, type Storage } from './internal/storage.js';
import { reluBackward } from './relu-backward.js';
import { setNativeThreads } from './threads.js';
import { CONV_BIAS_RELU, convBiasReluGradient, convBiasReluKernel } from './conv-bias-relu.js';

export type NativeBackendName = 'wasm' | 'cpu';

export interface NativeKernelsOptions {
  /** Backends whose kernels are overridden. @default ['wasm', 'cpu'] */
  readonly backends?: readonly NativeBackendName[];
  /**
   * Threads of OpenBLAS and of the addon's own loops. @default unchanged: what the addon loaded with
   * (SPROUT_NATIVE_THREADS, else the core count; `setNativeThreads` changes it)
   */
  readonly threads?: number;
  /** Matrix products below this many flops (2·batch·M·N·K) keep the stock kernel. @default 5e4 */
  readonly minMatMulFlops?: number;
  /** Convolutions below this many flops keep the stock kernel. @default 5e4 */
  readonly minConvFlops?: number;
  /**
   * Forward convolutions with Cin·Cout below this keep the stock kernel. @default 32 on wasm (XNNPACK is
   * faster there for e.g. 1→8 channels), 0 on cpu
   */
  readonly minConvChannelProduct?: number;
  /** Elementwise ops, sums and max pooling on fewer elements keep the stock kernel. @default 16384 */
  readonly minElementwise?: number;
  /** When the addon is unavailable, say so once on stderr. @default true */
  readonly warn?: boolean;
}

/** What `registerNativeKernels` did: `kernels` are `Kernel@backend` names now running natively. */
export interface NativeRegistration {
  readonly ok: boolean;
  readonly reason?: string;
  readonly kernels: string[];
}

const kernelFactories: ReadonlyArray<readonly [string, (ctx: KernelContext) => tf.KernelFunc]> = [
  [tf.BatchMatMul, batchMatMulKernel],
  [tf._FusedMatMul, fusedMatMulKernel],
  [tf.Conv2D, conv2dKernel],
  [tf.FusedConv2D, fusedConv2dKernel],
  [tf.Conv2DBackpropInput, conv2dBackpropInputKernel],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilterKernel],
  [tf.MaxPoolGrad, maxPoolGradKernel],
  [tf.MaxPool, maxPoolKernel],
  [tf.Add, binaryKernel],
  [tf.Sub, binaryKernel],
  [tf.Multiply, binaryKernel],
  [tf.Relu, unaryKernel],
  [tf.Step, unaryKernel],
  [tf.Sum, sumKernel],
  // Sprout's own kernels (no stock kernel to fall back to): the Relu gradient in one pass (tfjs' own is
  // dy · cast(step(x)): three kernels) and conv2dBiasRelu's forward pass (the backend's FusedConv2D).
  [RELU_GRAD, reluGradKernel],
  [CONV_BIAS_RELU, () => convBiasReluKernel],
];

const storages: Readonly<Record<NativeBackendName, (backend: unknown) => Storage>> = {
  wasm: wasmStorage,
  cpu: cpuStorage,
};

interface Installed {
  readonly kernelName: string;
  readonly backendName: NativeBackendName;
  readonly original: tf.KernelConfig | undefined;
}

const installed: Installed[] = [];
let warned = false;
export const FAST_PATH_HINT = 'sudo apt-get install libopenblas-dev && npm rebuild @sprout/native';

function tuningOf(options: NativeKernelsOptions, backendName: NativeBackendName): KernelTuning {
  return {
    minMatMulFlops: options.minMatMulFlops ?? 5e4,
    minConvFlops: options.minConvFlops ?? 5e4,
    minConvChannelProduct: options.minConvChannelProduct ?? (backendName === 'wasm' ? 32 : 0),
    minElementwise: options.minElementwise ?? 16384,
  };
}

function getKernelOrUndefined(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return tf.getKernel(kernelName, backendName) ?? undefined;
}

/**
 * Loads tfjs-backend-wasm (so that its stock kernels exist to be replaced and kept as fallbacks) only when
 * wasm kernels are registered: importing @sprout/native must not register the wasm backend as a side effect
 * (it would become the highest-priority backend of a process that never asked for it).
 */
function loadWasmBackend(): void {
  createRequire(import.meta.url)('@tensorflow/tfjs-backend-wasm');
}

/**
 * Registers the native kernels for the wasm and cpu backends (import the backends first; for wasm this
 * loads tfjs-backend-wasm itself). Returns which kernels run natively, or why none do.
 */
export function registerNativeKernels(options: NativeKernelsOptions = {}): NativeRegistration {
  const load = loadAddon();
  if (!load.ok) {
    if ((options.warn ?? true) && !warned) {
      warned = true;
      process.stderr.write(
        `[sprout] native kernels unavailable (${load.reason}); using the stock TensorFlow.js kernels. Fast path: ${FAST_PATH_HINT}\n`,
      );
    }
    return { ok: false, reason: load.reason, kernels: [] };
  }
  const addon: NativeAddon = load.addon;
  if (options.threads !== undefined) setNativeThreads(options.threads);
  unregisterNativeKernels();
  const backends = options.backends ?? (['wasm', 'cpu'] as const);
  if (backends.includes('wasm')) loadWasmBackend();
  for (const backendName of backends) {
    const tuning = tuningOf(options, backendName);
    for (const [kernelName, factory] of kernelFactories) {
      const original = getKernelOrUndefined(kernelName, backendName);
      const ctx: KernelContext = { addon, storage: storages[backendName], fallback: original, tuning, kernelName };
      if (original !== undefined) tf.unregisterKernel(kernelName, backendName);
      const config: tf.KernelConfig = { kernelName, backendName, kernelFunc: factory(ctx) };
      if (original?.setupFunc !== undefined) config.setupFunc = original.setupFunc;
      if (original?.disposeFunc !== undefined) config.disposeFunc = original.disposeFunc;
      tf.registerKernel(config);
      installed.push({ kernelName, backendName, original });
    }
  }
  // conv2dBiasRelu's gradient, and tfjs' Relu gradient replaced by reluBackward (unregister puts it back).
  if (tf.getGradient(CONV_BIAS_RELU) === undefined) tf.registerGradient(convBiasReluGradient);
  const stock = tf.getGradient(tf.Relu);
  if (stock !== undefined && reluGradient === undefined) {
    reluGradient = stock;
    // Global, like every gradient: reluBackward takes the native kernel only where it is registered.
    tf.registerGradient({
      kernelName: tf.Relu,
      inputsToSave: ['x'],
      gradFunc: (dy, saved) => ({ x: () => reluBackward(dy as tf.Tensor, saved[0]!) }),
    });
  }
  return { ok: true, kernels: installed.map((k) => `${k.kernelName}@${k.backendName}`) };
}

/** tfjs' own Relu gradient while Sprout's is registered. */
let reluGradient: tf.GradConfig | undefined;

/** Puts back the kernels `registerNativeKernels` replaced (and removes those it added). */
export function unregisterNativeKernels(): void {
  if (reluGradient !== undefined) {
    tf.registerGradient(reluGradient);
    reluGradient = undefined;
  }
  while (installed.length > 0) {
    const k = installed.pop()!;
    tf.unregisterKernel(k.kernelName, k.backendName);
    if (k.original !== undefined) tf.registerKernel(k.original);
  }
}

/** The addon's state: whether it loaded, why not, OpenBLAS's configuration, and the kernels' thread count. */
export function nativeInfo(): {
  readonly available: boolean;
  readonly reason?: string;
  readonly blas?: string;
  readonly threads?: number;
} {
  const load = loadAddon();
  if (!load.ok) return { available: false, reason: load.reason };
  return { available: true, blas: load.addon.getConfig(), threads: load.addon.getNumThreads() };
}

/** The raw addon (for benchmarks and tests), or null when it is unavailable. */
export function nativeAddon(): NativeAddon | null {
  const load = loadAddon();
  return load.ok ? load.addon : null;
}
