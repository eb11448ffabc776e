// @sprout/native: optional OpenBLAS-backed TensorFlow.js kernels (matrix products with fused bias and
// activation, Conv2D and its backprops, pooling, elementwise ops, sums, the ReLU gradient) for the wasm and
// cpu backends, with the stock kernels as the fallback for small shapes and when the addon is not built.
export {
  registerNativeKernels,
  unregisterNativeKernels,
  nativeInfo,
  nativeAddon,
  FAST_PATH_HINT,
  type NativeKernelsOptions,
  type NativeRegistration,
  type NativeBackendName,
} from './register.js';
export { ADDON_ABI, GEMM_ACTIVATION, MAX_NATIVE_THREADS, defaultNativeThreads, type NativeAddon } from './addon.js';
export { setNativeThreads, nativeThreads } from './threads.js';
export { nativeKernelCalls } from './kernels.js';
export { conv2dBiasRelu, type ConvBiasReluArgs } from './conv-bias-relu.js';
export { reluBackward } from './relu-backward.js';
